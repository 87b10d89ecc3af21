/**
 * The Firestore paths the studio reads, and the Storage path it uploads to: the same paths as the backend's
 * schema modules (functions/src/agents/schema.ts, knowledge/schema.ts, accountability/schema.ts,
 * identity/schema.ts), which own them. Every path starts with the tenant, which firestore.rules and
 * storage.rules check against the ID token's `tenantId` claim. Ids come from the platform or the URL;
 * one that could leave its segment is refused here rather than sent.
 */
const idPattern = /^[A-Za-z0-9_-]{1,128}$/;

function id(value: string, what: string): string {
  if (!idPattern.test(value)) throw new Error(`Invalid ${what}: ${JSON.stringify(value)}`);
  return value;
}

export const tenantPath = (tenantId: string) => `tenants/${id(tenantId, "tenant id")}`;
export const agentsPath = (tenantId: string) => `${tenantPath(tenantId)}/agents`;
export const agentPath = (tenantId: string, agentId: string) =>
  `${agentsPath(tenantId)}/${id(agentId, "agent id")}`;
export const agentVersionsPath = (tenantId: string, agentId: string) =>
  `${agentPath(tenantId, agentId)}/versions`;
export const knowledgeBasesPath = (tenantId: string) => `${tenantPath(tenantId)}/knowledgeBases`;
export const knowledgeBasePath = (tenantId: string, kbId: string) =>
  `${knowledgeBasesPath(tenantId)}/${id(kbId, "knowledge base id")}`;
export const documentsPath = (tenantId: string, kbId: string) =>
  `${knowledgeBasePath(tenantId, kbId)}/documents`;
export const documentPath = (tenantId: string, kbId: string, docId: string) =>
  `${documentsPath(tenantId, kbId)}/${id(docId, "document id")}`;
export const conversationsPath = (tenantId: string) => `${tenantPath(tenantId)}/conversations`;
export const conversationPath = (tenantId: string, conversationId: string) =>
  `${conversationsPath(tenantId)}/${id(conversationId, "conversation id")}`;
export const messagesPath = (tenantId: string, conversationId: string) =>
  `${conversationPath(tenantId, conversationId)}/messages`;
export const tracePath = (tenantId: string, traceId: string) =>
  `${tenantPath(tenantId)}/traces/${id(traceId, "trace id")}`;
/** The tenants a user belongs to (readable by that user alone). */
export const membershipsPath = (uid: string) => `accounts/${id(uid, "user id")}/memberships`;

/**
 * Where a file uploaded to Storage must go for the backend's `onDocumentUploaded` trigger to ingest it
 * (`uploadPath` / `parseUploadPath` in functions/src/knowledge/schema.ts; storage.rules allows it).
 */
export const uploadPath = (
  tenantId: string,
  kbId: string,
  docId: string,
  version: number,
  fileName: string,
) => {
  if (fileName === "" || fileName.includes("/"))
    throw new Error(`Invalid file name: ${JSON.stringify(fileName)}`);
  return `${documentPath(tenantId, kbId, docId)}/v${version}/${fileName}`;
};
