/**
 * The parts of the Open Responses specification (OpenAPI release 2026-04-24: ResponseResource, the message
 * output item, output_text with its annotations, and the streaming events this API sends) as zod schemas,
 * written from the specification's required fields and types, for the tests to hold every response and
 * event to. Strict where the specification is (every required field present, with its type); extra fields,
 * such as `alchemist`, are allowed, as the specification allows them.
 */
import { z } from "zod";

const nullable = <T extends z.ZodType>(schema: T) => schema.nullable();

const fileCitation = z.object({
  type: z.literal("file_citation"),
  file_id: z.string(),
  index: z.number().int(),
  filename: z.string(),
});
const urlCitation = z.object({
  type: z.literal("url_citation"),
  url: z.string(),
  start_index: z.number().int(),
  end_index: z.number().int(),
  title: z.string(),
});
const logProb = z
  .object({ token: z.string(), logprob: z.number(), bytes: z.array(z.number().int()) })
  .loose();

export const outputTextContent = z.object({
  type: z.literal("output_text"),
  text: z.string(),
  annotations: z.array(z.union([fileCitation, urlCitation])),
  logprobs: z.array(logProb),
});

export const messageItem = z.object({
  type: z.literal("message"),
  id: z.string(),
  status: z.enum(["in_progress", "completed", "incomplete"]),
  role: z.enum(["user", "assistant", "system", "developer"]),
  content: z.array(outputTextContent),
});

const usage = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  total_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int() }),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
});

const responseError = z.object({ code: z.string(), message: z.string() }).loose();

export const responseResource = z
  .object({
    id: z.string(),
    object: z.literal("response"),
    created_at: z.number().int(),
    completed_at: nullable(z.number().int()),
    status: z.string(),
    incomplete_details: nullable(z.object({ reason: z.string() }).loose()),
    model: z.string(),
    previous_response_id: nullable(z.string()),
    instructions: nullable(z.union([z.string(), z.array(z.unknown())])),
    output: z.array(messageItem),
    error: nullable(responseError),
    tools: z.array(z.unknown()),
    tool_choice: z.union([z.enum(["none", "auto", "required"]), z.object({ type: z.string() }).loose()]),
    truncation: z.enum(["auto", "disabled"]),
    parallel_tool_calls: z.boolean(),
    text: z.object({ format: z.object({ type: z.string() }).loose() }).loose(),
    top_p: z.number(),
    presence_penalty: z.number(),
    frequency_penalty: z.number(),
    top_logprobs: z.number().int(),
    temperature: z.number(),
    reasoning: nullable(z.object({}).loose()),
    user: nullable(z.string()),
    usage: nullable(usage),
    max_output_tokens: nullable(z.number().int()),
    max_tool_calls: nullable(z.number().int()),
    store: z.boolean(),
    background: z.boolean(),
    service_tier: z.string(),
    metadata: z.record(z.string(), z.string()),
    safety_identifier: nullable(z.string()),
    prompt_cache_key: nullable(z.string()),
  })
  .loose();

const numbered = { sequence_number: z.number().int().min(0) };
const at = { item_id: z.string(), output_index: z.number().int(), content_index: z.number().int() };

/** The streaming events this API sends, by type. */
export const streamingEvent = z.discriminatedUnion("type", [
  z.object({ type: z.literal("response.created"), response: responseResource, ...numbered }),
  z.object({ type: z.literal("response.in_progress"), response: responseResource, ...numbered }),
  z.object({ type: z.literal("response.completed"), response: responseResource, ...numbered }),
  z.object({
    type: z.literal("response.output_item.added"),
    output_index: z.number().int(),
    item: messageItem,
    ...numbered,
  }),
  z.object({
    type: z.literal("response.output_item.done"),
    output_index: z.number().int(),
    item: messageItem,
    ...numbered,
  }),
  z.object({ type: z.literal("response.content_part.added"), ...at, part: outputTextContent, ...numbered }),
  z.object({ type: z.literal("response.content_part.done"), ...at, part: outputTextContent, ...numbered }),
  z.object({
    type: z.literal("response.output_text.delta"),
    ...at,
    delta: z.string(),
    logprobs: z.array(logProb),
    ...numbered,
  }),
  z.object({
    type: z.literal("response.output_text.done"),
    ...at,
    text: z.string(),
    logprobs: z.array(logProb),
    ...numbered,
  }),
]);
