/** The studio's data over the platform's REST API, as the signed-in person (see studio.ts for the interface). */
import { agentOptionsOrUnlisted, agentOptionsPath, parseAgentOptions } from "./agentOptions";
import { parseAgent, parseAgentList, parseAgentVersions, parseCreatedId, type Agent } from "./agents";
import { getTrace, startConversation, streamMessage } from "./conversations";
import { knowledgeBasesPath, listingMissingStatuses, parseKnowledgeBaseList } from "./knowledgeBases";
import { PlatformRequestError } from "./platform";
import { requestAsSignedIn } from "./session";
import { restAdmin } from "./rest/admin";
import { restAnalytics } from "./rest/analytics";
import { restConversationHistory } from "./rest/history";
import { restKnowledge } from "./rest/knowledge";
import type { AgentsSource, StudioSource } from "./studio";

const agentPath = (agentId: string) => `/v1/agents/${encodeURIComponent(agentId)}`;

/** A change that answers with the agent as it now is: the draft's PATCH, or an action (`POST …/publish`). */
async function changeAgent(
  agentId: string,
  change: { readonly action?: "publish" | "rollback" | "pause" | "resume"; readonly body?: unknown },
): Promise<Agent> {
  const path = change.action ? `${agentPath(agentId)}/${change.action}` : agentPath(agentId);
  const method = change.action ? "POST" : "PATCH";
  const answer = await requestAsSignedIn(path, { method, body: change.body });
  return parseAgent(answer, `${method} ${path}`, path);
}

const restAgents: AgentsSource = {
  async listAgents({ includeArchived }, signal) {
    const path = includeArchived ? "/v1/agents?includeArchived=true" : "/v1/agents";
    return parseAgentList(await requestAsSignedIn(path, { signal }), path);
  },
  async getAgent(agentId, signal) {
    const path = agentPath(agentId);
    return parseAgent(await requestAsSignedIn(path, { signal }), `GET ${path}`, path);
  },
  async listAgentVersions(agentId, signal) {
    const path = `${agentPath(agentId)}/versions`;
    return parseAgentVersions(await requestAsSignedIn(path, { signal }), path);
  },
  async listKnowledgeBases(signal) {
    try {
      return parseKnowledgeBaseList(await requestAsSignedIn(knowledgeBasesPath, { signal }));
    } catch (error) {
      if (
        error instanceof PlatformRequestError &&
        error.status !== undefined &&
        listingMissingStatuses.includes(error.status)
      ) {
        return { available: false };
      }
      throw error;
    }
  },

  async getAgentOptions(signal) {
    try {
      return parseAgentOptions(await requestAsSignedIn(agentOptionsPath, { signal }));
    } catch (error) {
      return agentOptionsOrUnlisted(error);
    }
  },

  async createAgent(input) {
    const answer = await requestAsSignedIn("/v1/agents", { method: "POST", body: input });
    return parseCreatedId(answer, "/v1/agents");
  },
  updateAgent: (agentId, patch) => changeAgent(agentId, { body: patch }),
  publishAgent: (agentId, note) => changeAgent(agentId, { action: "publish", body: { note } }),
  rollbackAgent: (agentId, version) => changeAgent(agentId, { action: "rollback", body: { version } }),
  pauseAgent: (agentId) => changeAgent(agentId, { action: "pause" }),
  resumeAgent: (agentId) => changeAgent(agentId, { action: "resume" }),
  async archiveAgent(agentId) {
    await requestAsSignedIn(agentPath(agentId), { method: "DELETE" });
  },

  startConversation,
  sendMessage: (conversationId, content, onDelta) => streamMessage(conversationId, content, onDelta),
  getTrace,
};

export const restSource: StudioSource = {
  ...restAgents,
  ...restKnowledge,
  ...restConversationHistory,
  ...restAnalytics,
  ...restAdmin,
};
