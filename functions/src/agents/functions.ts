/** Agent Engine callables: `converse` answers one turn (streaming when the client asks for it). */
import { onCall } from "firebase-functions/v2/https";
import { z } from "zod";
import { requireAgentAccess, requirePermission } from "../platform/permissions.js";
import { consume } from "../platform/rate-limit.js";
import { asCallable } from "../platform/callable.js";
import { callableCaller } from "../identity/authenticate.js";
import { getDeps } from "../platform/process-deps.js";
import { AppError } from "../platform/errors.js";
import { idPattern } from "../platform/ids.js";
import { openaiApiKey } from "../platform/params.js";
import { validate } from "../platform/validation.js";
import { openConversation, startConversation } from "./conversations.js";
import { sendMessage, sendMessageInput } from "./turn.js";
import { versionSelectorSchema } from "./schema.js";

const converseInput = sendMessageInput.extend({
  agentId: z.string().regex(idPattern),
  /** Omit to start a new conversation. */
  conversationId: z.string().regex(idPattern).optional(),
  /** For a new conversation: the published version (default), a pinned one, or the draft (editors). */
  version: versionSelectorSchema.optional(),
});

export const converse = onCall(
  { secrets: [openaiApiKey], memory: "1GiB", timeoutSeconds: 300 },
  (request, response) =>
    asCallable(async () => {
      const deps = await getDeps();
      // The same caller and the same checks as the REST API's routes for starting and continuing.
      const caller = await callableCaller(deps, request);
      // The same per-credential and per-tenant budgets as the REST API.
      await consume(deps, caller);
      requirePermission(caller, "conversations.converse");
      const input = validate(converseInput, request.data, "request");
      requireAgentAccess(caller, input.agentId);
      let conversationId = input.conversationId;
      if (conversationId) {
        const conversation = await openConversation(deps, caller, conversationId, "continue");
        if (conversation.agentId !== input.agentId) {
          throw new AppError(
            "invalid-argument",
            `Conversation ${conversationId} is not with agent ${input.agentId}`,
          );
        }
      } else {
        if (input.version === "draft") requirePermission(caller, "agents.manage");
        conversationId = (
          await startConversation(deps, caller.tenantId, input.agentId, {
            channel: input.version === "draft" ? "studio" : "callable",
            version: input.version,
            startedBy: caller.uid,
          })
        ).id;
      }
      const message = await sendMessage(deps, caller.tenantId, conversationId, input, {
        onDelta:
          request.acceptsStreaming && response
            ? (text) => void response.sendChunk({ delta: text })
            : undefined,
      });
      return { conversationId, message };
    }),
);
