/** Administration over the platform's REST API, as the signed-in person (see admin.ts for the interface). */
import {
  parseAnswer,
  parseApiKey,
  parseApiKeyList,
  parseAuditLogPage,
  parseCreatedApiKey,
  parseCreatedInvitation,
  parseEndUserErasure,
  parseEndUserExport,
  parseInvitationList,
  parseMember,
  parseMemberList,
  parseMemberRemoval,
  parseWorkspaceSettings,
  type AdminSource,
} from "../admin";
import { requestAsSignedIn } from "../session";

const memberPath = (memberId: string) => `/v1/members/${encodeURIComponent(memberId)}`;
const invitationPath = (invitationId: string) => `/v1/invitations/${encodeURIComponent(invitationId)}`;
const apiKeyPath = (keyId: string) => `/v1/api-keys/${encodeURIComponent(keyId)}`;

export const restAdmin: AdminSource = {
  async listMembers(signal) {
    const body = await requestAsSignedIn("/v1/members", { signal });
    return parseAnswer(body, "GET /v1/members", "a list of members", parseMemberList);
  },
  async changeMemberRole(memberId, role) {
    const path = memberPath(memberId);
    const body = await requestAsSignedIn(path, { method: "PATCH", body: { role } });
    return parseAnswer(body, `PATCH ${path}`, "a member", parseMember);
  },
  async removeMember(memberId, options = {}) {
    // Revoking is the platform's default; only a transfer is asked for by name.
    const path = `${memberPath(memberId)}${options.apiKeys === "transfer" ? "?apiKeys=transfer" : ""}`;
    const body = await requestAsSignedIn(path, { method: "DELETE" });
    return parseAnswer(body, `DELETE ${path}`, "a removed member", parseMemberRemoval);
  },
  async listInvitations(signal) {
    const body = await requestAsSignedIn("/v1/invitations", { signal });
    return parseAnswer(body, "GET /v1/invitations", "a list of invitations", parseInvitationList);
  },
  async createInvitation(input) {
    const body = await requestAsSignedIn("/v1/invitations", { method: "POST", body: input });
    // The accept page is the studio's own, so its link starts with the studio's origin.
    return parseAnswer(body, "POST /v1/invitations", "an invitation", (b) =>
      parseCreatedInvitation(b, window.location.origin),
    );
  },
  async revokeInvitation(invitationId) {
    await requestAsSignedIn(invitationPath(invitationId), { method: "DELETE" });
  },

  async listApiKeys(signal) {
    const body = await requestAsSignedIn("/v1/api-keys", { signal });
    return parseAnswer(body, "GET /v1/api-keys", "a list of API keys", parseApiKeyList);
  },
  async createApiKey(input) {
    const body = await requestAsSignedIn("/v1/api-keys", { method: "POST", body: input });
    return parseAnswer(body, "POST /v1/api-keys", "a new API key", parseCreatedApiKey);
  },
  async revokeApiKey(keyId) {
    const path = apiKeyPath(keyId);
    const body = await requestAsSignedIn(path, { method: "DELETE" });
    return parseAnswer(body, `DELETE ${path}`, "an API key", parseApiKey);
  },

  async getWorkspaceSettings(signal) {
    const body = await requestAsSignedIn("/v1/settings", { signal });
    return parseAnswer(body, "GET /v1/settings", "the workspace's settings", parseWorkspaceSettings);
  },
  async updateWorkspaceSettings(patch) {
    const body = await requestAsSignedIn("/v1/settings", { method: "PATCH", body: patch });
    return parseAnswer(body, "PATCH /v1/settings", "the workspace's settings", parseWorkspaceSettings);
  },

  async listAuditLog({ before }, signal) {
    const path = before ? `/v1/audit-log?before=${encodeURIComponent(before)}` : "/v1/audit-log";
    const body = await requestAsSignedIn(path, { signal });
    return parseAnswer(body, `GET ${path}`, "a page of the audit log", parseAuditLogPage);
  },

  async exportEndUser(endUserRef) {
    const body = await requestAsSignedIn("/v1/privacy/export", { method: "POST", body: { endUserRef } });
    return parseAnswer(body, "POST /v1/privacy/export", "an end user's data", parseEndUserExport);
  },
  async eraseEndUser(endUserRef) {
    const body = await requestAsSignedIn("/v1/privacy/erase", { method: "POST", body: { endUserRef } });
    return parseAnswer(body, "POST /v1/privacy/erase", "an erasure receipt", parseEndUserErasure);
  },
};
