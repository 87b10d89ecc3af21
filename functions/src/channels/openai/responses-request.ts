/**
 * An OpenAI Responses API request (the Open Responses specification) read as one Alchemist turn. `input` is a
 * string (the question) or a list of items: messages with the user, assistant, system and developer roles, in
 * the short form (`{role, content}`) or typed (`{type: "message", ...}`), with text parts only. The last message
 * is the user's question; earlier user and assistant messages are the history the client holds, unless
 * `previous_response_id` continues a stored conversation. `instructions` and system/developer messages are the
 * caller's instructions, placed under the agent's own. What an agent cannot do is refused with a 400 naming
 * the parameter, never silently dropped: client function tools (an agent runs its own), images and files,
 * structured output formats, background mode, `store: false` (every answer is stored with its trace).
 */
import { z } from "zod";
import { sendMessageInput } from "../../agents/turn.js";
import { callerInstructionsOf, invalid, validateRequest } from "./request.js";

export type HistoryEntry =
  | { readonly role: "user" | "assistant"; readonly content: string }
  | { readonly role: "assistant"; readonly itemReference: string; readonly param: string };

export interface ResponsesTurn {
  /** The agent id (OpenAI's `model`). */
  readonly model: string;
  readonly question: string;
  /**
   * Earlier user and assistant messages from `input` (only without `previous_response_id`). An assistant
   * message given as an `item_reference` to one of this API's output items holds its id until it is resolved.
   */
  readonly history: HistoryEntry[];
  readonly callerInstructions: string | undefined;
  readonly previousResponseId: string | undefined;
  readonly stream: boolean;
  readonly endUserRef: string | undefined;
}

const unsupportedTools =
  "an agent calls the tools configured on it in Alchemist and never hands a tool call to the client; send no tools";

/**
 * The parameters read or refused. Sampling settings are checked for shape and then left to the agent's
 * published configuration; parameters that change nothing here (`include`, `truncation`, `service_tier`,
 * `prompt_cache_key`, `parallel_tool_calls`, `stream_options`) pass.
 */
const requestSchema = z
  .object({
    model: z.string({ error: "model is required: the id of a published agent (see GET /v1/models)" }).min(1),
    input: z.union([z.string(), z.array(z.unknown())], {
      error: "input is required: the question as a string, or a list of input items",
    }),
    instructions: z.string().nullish(),
    previous_response_id: z.string().min(1).max(300).nullish(),
    stream: z.boolean().nullish(),
    store: z
      .literal(true, {
        error: "store: false is not supported: every answer is stored with its decision trace",
      })
      .nullish(),
    background: z
      .literal(false, { error: "background mode is not supported: responses are answered in the request" })
      .nullish(),
    conversation: z
      .null({ error: "conversation is not supported: continue with previous_response_id" })
      .optional(),
    tools: z.array(z.unknown()).max(0, `tools are not supported: ${unsupportedTools}`).nullish(),
    tool_choice: z
      .union([z.literal("auto"), z.literal("none")], {
        error: `tool_choice may only be 'auto' or 'none': ${unsupportedTools}`,
      })
      .nullish(),
    text: z
      .object({
        format: z
          .object({
            type: z.literal("text", { error: "only the text format is supported (no structured output)" }),
          })
          .loose()
          .nullish(),
      })
      .loose()
      .nullish(),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((m) => Object.keys(m).length === 0, "metadata is not supported: send none")
      .nullish(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    /** The end user's id on the caller's side (`safety_identifier` is its newer name). */
    user: z.string().max(200, "user is limited to 200 characters").nullish(),
    safety_identifier: z.string().max(200, "safety_identifier is limited to 200 characters").nullish(),
  })
  .loose();

type Role = "user" | "assistant" | "system" | "developer";

/** The text of a message's content: a string, or text parts (input_text; output_text or refusal for the assistant). */
function textOf(content: unknown, role: Role, param: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) invalid("content must be a string or an array of content parts", param);
  return content
    .map((part: unknown, j) => {
      const p = (typeof part === "object" && part !== null ? part : {}) as Record<string, unknown>;
      const at = `${param}[${j}]`;
      if (role === "assistant") {
        if (p.type === "output_text" && typeof p.text === "string") return p.text;
        if (p.type === "refusal" && typeof p.refusal === "string") return p.refusal;
      } else if (p.type === "input_text" && typeof p.text === "string") return p.text;
      if (p.type === "input_image" || p.type === "input_file" || p.type === "input_audio") {
        invalid(
          `Content parts of type '${p.type}' are not supported: agents answer from their knowledge bases and read text only`,
          at,
        );
      }
      invalid(
        `Unsupported content part ${typeof p.type === "string" ? `'${p.type}'` : "without a type"} in a ${role} message: ` +
          (role === "assistant" ? "use output_text" : "use input_text"),
        at,
      );
    })
    .join("\n");
}

/** The items OpenAI defines that this API refuses, and why. */
function refusedItem(type: string): string {
  if (type === "function_call" || type === "function_call_output" || type.endsWith("_call")) {
    return `Input items of type '${type}' are not supported: ${unsupportedTools}`;
  }
  return `Input items of type '${type}' are not supported: send messages (user, assistant, system, developer)`;
}

interface Message {
  readonly role: Role;
  readonly text: string;
  readonly param: string;
  /** An `item_reference` to an earlier answer (clients that store, such as the Vercel AI SDK, send these). */
  readonly itemReference?: string;
}

function messagesOf(input: string | unknown[]): Message[] {
  if (typeof input === "string") return [{ role: "user", text: input, param: "input" }];
  if (input.length === 0) invalid("input must hold at least one item: the user's question", "input");
  return input.map((raw, i) => {
    const param = `input[${i}]`;
    const item = (typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : null) as Record<
      string,
      unknown
    > | null;
    if (!item) invalid("Each input item must be an object, e.g. {role: 'user', content: '...'}", param);
    if (item.type === "item_reference") {
      if (typeof item.id !== "string" || item.id.length === 0 || item.id.length > 600) {
        invalid("An item_reference needs the id of an output item of an earlier response", `${param}.id`);
      }
      return { role: "assistant", text: "", param: `${param}.id`, itemReference: item.id };
    }
    if (item.type !== undefined && item.type !== "message") {
      invalid(refusedItem(String(item.type)), `${param}.type`);
    }
    const role = item.role;
    if (role !== "user" && role !== "assistant" && role !== "system" && role !== "developer") {
      invalid(
        `Unknown role ${typeof role === "string" ? `'${role}'` : "(missing)"}: use 'user', 'assistant', 'system' or 'developer'`,
        `${param}.role`,
      );
    }
    return { role, text: textOf(item.content, role, `${param}.content`), param };
  });
}

export function parseResponsesRequest(body: unknown): ResponsesTurn {
  const request = validateRequest(requestSchema, body, "{model, input, ...}");
  const messages = messagesOf(request.input);
  const instructions = [
    ...(request.instructions ? [request.instructions] : []),
    ...messages.filter((m) => m.role === "system" || m.role === "developer").map((m) => m.text),
  ];
  const turns = messages.filter(
    (m): m is Message & { role: "user" | "assistant" } => m.role === "user" || m.role === "assistant",
  );
  const last = turns.at(-1);
  if (!last || last.role !== "user" || messages.at(-1) !== last) {
    invalid("The last input item must be the user's question (a message with role 'user')", "input");
  }
  const question = sendMessageInput.safeParse({ content: last.text });
  if (!question.success) {
    invalid(
      `Invalid question: ${question.error.issues[0]?.message ?? "bad content"}`,
      `${last.param}.content`,
    );
  }
  const previousResponseId = request.previous_response_id ?? undefined;
  if (previousResponseId !== undefined && turns.length > 1) {
    invalid(
      "With previous_response_id, input holds the new user message (and any system or developer messages): " +
        "earlier turns come from the previous response's conversation",
      "input",
    );
  }
  const user = (request.safety_identifier ?? request.user)?.trim();
  return {
    model: request.model,
    question: question.data.content,
    history: turns
      .slice(0, -1)
      .map(({ role, text, itemReference, param }): HistoryEntry =>
        itemReference !== undefined ? { role: "assistant", itemReference, param } : { role, content: text },
      )
      .filter((m) => "itemReference" in m || m.content.trim().length > 0),
    callerInstructions: callerInstructionsOf(instructions, "instructions"),
    previousResponseId,
    stream: request.stream === true,
    endUserRef: user ? user : undefined,
  };
}
