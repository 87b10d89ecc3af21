import type { KnowledgeSource } from "../knowledge";

export const restKnowledge: KnowledgeSource = {};
