/** Knowledge bases as the agent builder needs them: what can be attached to an agent. */

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
