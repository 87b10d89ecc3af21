/** eA³ records: citations on messages and the immutable decision trace of each turn. */
import { z } from "zod";
import { chunkLocationSchema } from "../knowledge/schema.js";
import { checkId, tenantPath } from "../platform/tenancy.js";

export const citationSchema = z.object({
  /** The marker the answer used, e.g. "1" for [1]. */
  ref: z.string(),
  kbId: z.string(),
  docId: z.string(),
  docName: z.string(),
  chunkId: z.string(),
  /** The exact sentence of the source that supports the cited claim (a substring of the chunk text). */
  quote: z.string(),
  location: chunkLocationSchema,
  score: z.number(),
});
export type Citation = z.infer<typeof citationSchema>;

export const claimCheckSchema = z.object({
  sentence: z.string(),
  refs: z.array(z.string()),
  /** Share of the sentence's terms found in its best supporting source sentence (0..1). */
  support: z.number(),
  verdict: z.enum(["supported", "unsupported-removed"]),
});
export type ClaimCheck = z.infer<typeof claimCheckSchema>;

export const confidenceSchema = z.object({
  value: z.number().min(0).max(1),
  retrieval: z.number(),
  coverage: z.number(),
  support: z.number(),
  threshold: z.number(),
});
export type Confidence = z.infer<typeof confidenceSchema>;

export const traceSchema = z.object({
  conversationId: z.string(),
  messageId: z.string(),
  agentId: z.string(),
  agentVersion: z.union([z.literal("draft"), z.number().int()]),
  requestId: z.string().nullable(),
  model: z.object({ provider: z.string(), model: z.string(), label: z.string() }),
  embedder: z.object({
    provider: z.string(),
    model: z.string(),
    version: z.string(),
    dimensions: z.number(),
  }),
  retrieval: z.object({
    query: z.string(),
    knowledgeBaseIds: z.array(z.string()),
    candidates: z.array(
      z.object({
        ref: z.string(),
        chunkId: z.string(),
        docId: z.string(),
        docName: z.string(),
        score: z.number(),
      }),
    ),
  }),
  generation: z.object({
    rawContent: z.string(),
    finishReason: z.string(),
    usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  }),
  checks: z.array(claimCheckSchema),
  confidence: confidenceSchema,
  abstained: z.boolean(),
  explanation: z.string(),
  timingsMs: z.object({
    retrieval: z.number(),
    generation: z.number(),
    checks: z.number(),
    total: z.number(),
  }),
  createdAt: z.string(),
});
export type Trace = z.infer<typeof traceSchema>;

export const tracesPath = (tenantId: string): string => `${tenantPath(tenantId)}/traces`;
export const tracePath = (tenantId: string, traceId: string): string =>
  `${tracesPath(tenantId)}/${checkId(traceId, "trace id")}`;
