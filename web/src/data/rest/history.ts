import type { ConversationHistorySource } from "../history";

export const restConversationHistory: ConversationHistorySource = {};
