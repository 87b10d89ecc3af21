/** Conversation history over the platform's REST API; the listing's first page is watched over SSE. */
import {
  conversationListPath,
  conversationPath,
  parseConversation,
  parseConversationPage,
  parseTranscriptMessages,
  type ConversationHistorySource,
} from "../history";
import { watchOverRest } from "../live";
import { requestAsSignedIn } from "../session";

export const restConversationHistory: ConversationHistorySource = {
  watchConversationList(filter) {
    const path = conversationListPath(filter);
    return watchOverRest(path, (body) => parseConversationPage(body, path));
  },
  async listConversationPage(filter, cursor, signal) {
    const path = conversationListPath(filter, cursor);
    return parseConversationPage(await requestAsSignedIn(path, { signal }), path);
  },
  async getConversation(conversationId, signal) {
    const path = conversationPath(conversationId);
    return parseConversation(await requestAsSignedIn(path, { signal }), path);
  },
  async listConversationMessages(conversationId, signal) {
    const path = `${conversationPath(conversationId)}/messages`;
    return parseTranscriptMessages(await requestAsSignedIn(path, { signal }), path);
  },
};
