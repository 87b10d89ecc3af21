/**
 * An OpenAI chat completion request read as one Alchemist turn: the last message is the question, the
 * earlier user and assistant messages are the history the client holds. Validation happens here rather
 * than in the router so that every failure names its parameter in OpenAI's error envelope.
 */
import { z } from "zod";
import { maxCallerInstructionsChars, sendMessageInput } from "../../agents/turn.js";
import { openaiError } from "./errors.js";

/** What the engine needs from a request; everything else OpenAI defines is accepted and ignored. */
export interface ChatCompletionTurn {
  /** The agent id (OpenAI's `model`). */
  readonly model: string;
  readonly question: string;
  readonly history: { role: "user" | "assistant"; content: string }[];
  /** The system and developer messages' text: instructions under the agent's own (undefined: none). */
  readonly callerInstructions: string | undefined;
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly endUserRef: string | undefined;
}

/**
 * The parameters we read or refuse. Sampling settings (`temperature`, `max_tokens`...) are checked for
 * shape, then ignored: the agent's published configuration governs how it answers. Unknown parameters
 * pass, as clients send many (`seed`, `metadata`, `frequency_penalty`).
 */
const requestSchema = z
  .object({
    model: z.string({ error: "model is required: the id of a published agent (see GET /v1/models)" }).min(1),
    messages: z.array(z.unknown(), { error: "messages is required: an array of chat messages" }),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).loose().nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: z.number().int().min(1).nullish(),
    max_completion_tokens: z.number().int().min(1).nullish(),
    n: z.literal(1, { error: "n must be 1: an agent gives one answer per request" }).nullish(),
    /** The end user's id on the caller's side; recorded on the conversation for privacy export and erasure. */
    user: z.string().max(200, "user is limited to 200 characters").nullish(),
    tools: z
      .array(z.unknown())
      .max(0, "tools are not supported: an agent calls the tools configured on it in Alchemist")
      .nullish(),
    functions: z
      .array(z.unknown())
      .max(0, "functions are not supported: an agent calls the tools configured on it in Alchemist")
      .nullish(),
    response_format: z
      .object({ type: z.literal("text", { error: "only the text response format is supported" }) })
      .loose()
      .nullish(),
  })
  .loose();

/** A zod path in OpenAI's parameter notation: `messages[2].content`. */
export function paramOf(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (param, key) =>
      typeof key === "number" ? `${param}[${key}]` : param ? `${param}.${String(key)}` : String(key),
    "",
  );
}

export function invalid(message: string, param: string): never {
  throw openaiError("invalid-argument", message, { param, code: "invalid_value" });
}

/** The text of a message's content: a string, or an array of text parts (assistants may add refusals). */
function textOf(content: unknown, role: "user" | "assistant" | "system", param: string): string {
  if (typeof content === "string") return content;
  if (content === null || content === undefined) {
    if (role === "assistant") return "";
    invalid(`A ${role} message needs content: a string or an array of text parts`, param);
  }
  if (!Array.isArray(content)) invalid("content must be a string or an array of content parts", param);
  return content
    .map((part: unknown, j) => {
      const p = (typeof part === "object" && part !== null ? part : {}) as Record<string, unknown>;
      if (p.type === "text" && typeof p.text === "string") return p.text;
      if (role === "assistant" && p.type === "refusal" && typeof p.refusal === "string") return p.refusal;
      invalid(
        `Only text content parts are supported (got ${typeof p.type === "string" ? `'${p.type}'` : "a part without a type"}): ` +
          "agents answer from their knowledge bases and read text only",
        `${param}[${j}]`,
      );
    })
    .join("\n");
}

/** A request body checked against `schema`; the first problem is a 400 naming its parameter. */
export function validateRequest<T>(schema: z.ZodType<T>, body: unknown, shape: string): T {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    invalid(`The request body must be a JSON object: ${shape}`, "");
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const param = issue ? paramOf(issue.path) : "";
    invalid(issue ? `Invalid ${param || "request"}: ${issue.message}` : "Invalid request", param);
  }
  return parsed.data;
}

/**
 * Caller instructions from system/developer texts: joined, checked for size (they go to the model with every
 * turn), undefined when there are none.
 */
export function callerInstructionsOf(texts: readonly string[], param: string): string | undefined {
  const joined = texts
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .join("\n\n");
  if (joined.length > maxCallerInstructionsChars) {
    invalid(
      `Instructions (system and developer messages) are limited to ${maxCallerInstructionsChars} characters in all; got ${joined.length}`,
      param,
    );
  }
  return joined.length > 0 ? joined : undefined;
}

/**
 * The turn a request asks for. System and developer messages become caller instructions: the model reads
 * them under the agent's published instructions, which take precedence, so a client can shape an answer but
 * never replace the agent's rules. Tool messages are refused, since an agent runs its own tools and never
 * hands tool calls to the client.
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionTurn {
  const request = validateRequest(requestSchema, body, "{model, messages, ...}");
  const messages = request.messages;
  if (messages.length === 0)
    invalid("messages must contain at least one message: the user's question", "messages");

  const turns: { role: "user" | "assistant"; content: string }[] = [];
  const instructions: string[] = [];
  messages.forEach((raw, i) => {
    const param = `messages[${i}]`;
    const message = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
    const role = message.role;
    if (role === "system" || role === "developer") {
      instructions.push(textOf(message.content, "system", `${param}.content`));
      return;
    }
    if (role === "tool" || role === "function") {
      invalid(
        `Messages with role '${role}' are not supported: an agent runs the tools configured on it in Alchemist ` +
          "and never asks the client to call one; send only user and assistant messages",
        `${param}.role`,
      );
    }
    if (role !== "user" && role !== "assistant") {
      invalid(
        `Unknown role ${typeof role === "string" ? `'${role}'` : "(missing)"}: use 'user' or 'assistant'`,
        `${param}.role`,
      );
    }
    const calls = message.tool_calls;
    if (role === "assistant" && ((Array.isArray(calls) && calls.length > 0) || message.function_call)) {
      invalid(
        "Assistant messages with tool calls are not supported: an agent runs its own tools",
        `${param}.tool_calls`,
      );
    }
    turns.push({ role, content: textOf(message.content, role, `${param}.content`) });
  });

  const lastIndex = messages.length - 1;
  const last = messages[lastIndex] as { role?: unknown };
  if (last.role !== "user") {
    invalid(
      `The last message must be the user's question (role 'user'); got role '${String(last.role)}'`,
      "messages",
    );
  }
  const question = sendMessageInput.safeParse({ content: turns.at(-1)?.content });
  if (!question.success) {
    invalid(
      `Invalid last message: ${question.error.issues[0]?.message ?? "bad content"}`,
      `messages[${lastIndex}].content`,
    );
  }
  const history = turns.slice(0, -1).filter((m) => m.content.trim().length > 0);

  const user = request.user?.trim();
  return {
    model: request.model,
    question: question.data.content,
    history,
    callerInstructions: callerInstructionsOf(instructions, "messages"),
    stream: request.stream === true,
    includeUsage: request.stream_options?.include_usage === true,
    endUserRef: user ? user : undefined,
  };
}
