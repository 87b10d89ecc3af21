/**
 * The playground's conversations over the platform's REST API: starting one on a version, sending a message
 * whose answer streams in (server-sent events), and reading the decision trace of an answer. Answers are
 * checked here, at the edge, so screens can trust every field they show.
 */
import type { MessageFeedback } from "../feedback";
import type {
  AssistantMessage,
  Citation,
  CitationLocation,
  Confirmation,
  ConfirmationDecision,
  Trace,
  VersionChoice,
} from "../conversations";
import { isRecord, PlatformRequestError, sendPlatformRequest } from "../platform";
import { asSignedIn, requestAsSignedIn } from "../session";
import { readSseEvents } from "../sse";
import { parseMessageFeedback } from "./feedback";
import { parseTraceMemory } from "./narrative";
import { isNumber } from "./shape";

// ----- requests -----------------------------------------------------------------------------------------

/** Starts a conversation with `version` of the agent, as `endUserRef` when given; answers its id. */
export async function startConversation(
  agentId: string,
  version: VersionChoice,
  endUserRef?: string,
): Promise<string> {
  const path = `/v1/agents/${encodeURIComponent(agentId)}/conversations`;
  const ref = endUserRef?.trim();
  const answer = await requestAsSignedIn(path, {
    method: "POST",
    body: ref ? { version, endUserRef: ref } : { version },
  });
  if (!isRecord(answer) || typeof answer.id !== "string") {
    throw invalid(path, `POST ${path} did not answer with a conversation.`);
  }
  return answer.id;
}

/**
 * Sends `content` and reads the answer as it streams: `onDelta` gets each piece of text the model writes,
 * the promise the checked message (which may differ: unsupported sentences are removed).
 */
export function streamMessage(
  conversationId: string,
  content: string,
  onDelta: (text: string) => void,
  signal?: AbortSignal,
): Promise<AssistantMessage> {
  const path = `/v1/conversations/${encodeURIComponent(conversationId)}/messages`;
  return streamAnswer(path, { content }, onDelta, signal);
}

/**
 * Confirms or cancels the write an answer asks for: the agent's answer about the result streams in like a
 * message's.
 */
export function streamDecision(
  conversationId: string,
  confirmationId: string,
  decision: ConfirmationDecision,
  onDelta: (text: string) => void,
  signal?: AbortSignal,
): Promise<AssistantMessage> {
  const path =
    `/v1/conversations/${encodeURIComponent(conversationId)}` +
    `/confirmations/${encodeURIComponent(confirmationId)}`;
  return streamAnswer(path, { decision }, onDelta, signal);
}

/** POSTs `body` to a turn's endpoint and reads the answer as it streams. */
async function streamAnswer(
  path: string,
  body: Record<string, unknown>,
  onDelta: (text: string) => void,
  signal?: AbortSignal,
): Promise<AssistantMessage> {
  const response = await asSignedIn(path, (token) =>
    sendPlatformRequest(path, {
      method: "POST",
      body: { ...body, stream: true },
      token,
      accept: "text/event-stream",
      ...(signal ? { signal } : {}),
    }),
  );
  if (!response.body) throw invalid(path, `POST ${path} answered without a body.`);
  for await (const { event, data } of readSseEvents(response.body)) {
    const payload = parseJson(data);
    if (event === "delta" && isRecord(payload) && typeof payload.text === "string") {
      onDelta(payload.text);
    } else if (event === "message") {
      const message = isRecord(payload) ? parseAssistantMessage(payload.message) : undefined;
      if (!message) throw invalid(path, `POST ${path} streamed a message that is not an answer.`);
      return message;
    } else if (event === "error") {
      const error = isRecord(payload) && isRecord(payload.error) ? payload.error : {};
      const message = typeof error.message === "string" ? error.message : "The agent could not answer.";
      const code = typeof error.code === "string" ? error.code : undefined;
      throw new PlatformRequestError("http", path, message, undefined, {
        reason: message,
        ...(code ? { code } : {}),
        // A refusal for the plan or the credits says which limit, as a response's envelope does.
        ...(error.details !== undefined ? { details: error.details } : {}),
      });
    }
  }
  throw invalid(path, `POST ${path} ended the stream without an answer.`);
}

export async function getTrace(traceId: string, signal: AbortSignal): Promise<Trace> {
  const path = `/v1/traces/${encodeURIComponent(traceId)}`;
  return parseTrace(await requestAsSignedIn(path, { signal }), path);
}

// ----- parsing ------------------------------------------------------------------------------------------

function invalid(path: string, message: string): PlatformRequestError {
  return new PlatformRequestError("invalid-response", path, message);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

const optionalNumber = (value: unknown) => (isNumber(value) ? value : undefined);

function parseLocation(value: unknown): CitationLocation {
  if (!isRecord(value)) return { headingPath: [] };
  const headingPath = Array.isArray(value.headingPath)
    ? value.headingPath.filter((h): h is string => typeof h === "string")
    : [];
  const location: { -readonly [K in keyof CitationLocation]: CitationLocation[K] } = { headingPath };
  for (const key of ["page", "pageEnd", "row", "rowEnd", "startOffset", "endOffset"] as const) {
    const n = optionalNumber(value[key]);
    if (n !== undefined) location[key] = n;
  }
  return location;
}

function parseCitation(value: unknown): Citation[] {
  if (!isRecord(value) || typeof value.ref !== "string" || typeof value.docName !== "string") return [];
  return [
    {
      ref: value.ref,
      kbId: typeof value.kbId === "string" ? value.kbId : "",
      docId: typeof value.docId === "string" ? value.docId : "",
      docName: value.docName,
      quote: typeof value.quote === "string" ? value.quote : "",
      ...(typeof value.claim === "string" ? { claim: value.claim } : {}),
      location: parseLocation(value.location),
      score: isNumber(value.score) ? value.score : 0,
      chunkId: typeof value.chunkId === "string" ? value.chunkId : "",
      ...(typeof value.memoryId === "string" ? { memoryId: value.memoryId } : {}),
    },
  ];
}

export function parseAssistantMessage(value: unknown): AssistantMessage | undefined {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.content !== "string") return undefined;
  const version = value.agentVersion;
  return {
    id: value.id,
    content: value.content,
    citations: Array.isArray(value.citations) ? value.citations.flatMap(parseCitation) : [],
    confidence: isNumber(value.confidence) ? value.confidence : null,
    abstained: value.abstained === true,
    explanation: typeof value.explanation === "string" ? value.explanation : null,
    traceId: typeof value.traceId === "string" ? value.traceId : null,
    agentVersion: version === "draft" || isNumber(version) ? version : null,
    ...(parseConfirmation(value.confirmation) ?? {}),
    ...feedbackOf(value.feedback),
  };
}

function feedbackOf(value: unknown): { feedback: MessageFeedback } | undefined {
  const feedback = parseMessageFeedback(value);
  return feedback ? { feedback } : undefined;
}

function parseConfirmation(value: unknown): { confirmation: Confirmation } | undefined {
  if (!isRecord(value) || typeof value.id !== "string" || !isRecord(value.request)) return undefined;
  const request = value.request;
  const headers = isRecord(request.headers)
    ? Object.fromEntries(
        Object.entries(request.headers).filter((e): e is [string, string] => typeof e[1] === "string"),
      )
    : {};
  return {
    confirmation: {
      id: value.id,
      toolName: text(value.toolName),
      summary: text(value.summary),
      request: {
        method: text(request.method),
        url: text(request.url),
        headers,
        body: typeof request.body === "string" ? request.body : null,
      },
      expiresAt: text(value.expiresAt),
      status: text(value.status),
    },
  };
}

const records = (value: unknown): Record<string, unknown>[] =>
  Array.isArray(value) ? value.filter(isRecord) : [];
const text = (value: unknown): string => (typeof value === "string" ? value : "");
const number = (value: unknown): number => (isNumber(value) ? value : 0);

export function parseTrace(value: unknown, path: string): Trace {
  if (!isRecord(value) || typeof value.id !== "string" || typeof value.status !== "string") {
    throw invalid(path, `GET ${path} did not answer with a trace.`);
  }
  const model = isRecord(value.model) ? value.model : {};
  const timings = isRecord(value.timingsMs) ? value.timingsMs : {};
  const retrieval = isRecord(value.retrieval) ? value.retrieval : {};
  const memory = parseTraceMemory(value.memory);
  return {
    id: value.id,
    status: value.status,
    model: { label: text(model.label), model: text(model.model), provider: text(model.provider) },
    timingsMs: Object.entries(timings).flatMap(([step, ms]) => (isNumber(ms) ? [[step, ms] as const] : [])),
    candidates: records(retrieval.candidates).map((c) => ({
      ref: text(c.ref),
      docName: text(c.docName),
      chunkId: text(c.chunkId),
      score: number(c.score),
    })),
    toolCalls: records(value.toolCalls).map((t) => ({
      id: text(t.id),
      name: text(t.name),
      status: text(t.status),
      durationMs: number(t.durationMs),
    })),
    checks: records(value.checks).map((c) => ({
      sentence: text(c.sentence),
      verdict: text(c.verdict),
      support: number(c.support),
      ...(typeof c.reason === "string" && c.reason ? { reason: c.reason } : {}),
    })),
    ...(memory ? { memory } : {}),
  };
}
