/** Knowledge bases as the agent builder needs them: what can be attached to an agent. */
import { isRecord, PlatformRequestError } from "./platform";

export interface KnowledgeBaseSummary {
  readonly id: string;
  readonly name: string;
  readonly documentCount: number;
}

/**
 * The workspace's knowledge bases, or why they cannot be listed: a platform older than
 * `GET /v1/knowledge-bases` answers 404 (or 405, as the path exists for POST). The builder then still
 * shows and keeps the attached ones, by id.
 */
export type KnowledgeBaseList =
  | { readonly available: true; readonly knowledgeBases: readonly KnowledgeBaseSummary[] }
  | { readonly available: false };

export const knowledgeBasesPath = "/v1/knowledge-bases";

/** Statuses that mean "this platform has no such listing", not "something went wrong". */
export const listingMissingStatuses = [404, 405];

export function parseKnowledgeBaseList(body: unknown): KnowledgeBaseList {
  if (!isRecord(body) || !Array.isArray(body.knowledgeBases)) {
    throw new PlatformRequestError(
      "invalid-response",
      knowledgeBasesPath,
      `GET ${knowledgeBasesPath} answered with something that is not a list of knowledge bases.`,
    );
  }
  return {
    available: true,
    knowledgeBases: body.knowledgeBases.filter(isRecord).flatMap((kb): KnowledgeBaseSummary[] =>
      typeof kb.id === "string" && typeof kb.name === "string"
        ? [
            {
              id: kb.id,
              name: kb.name,
              documentCount: typeof kb.documentCount === "number" ? kb.documentCount : 0,
            },
          ]
        : [],
    ),
  };
}
