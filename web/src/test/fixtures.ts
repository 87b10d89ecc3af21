/** What the local runtime answers on a fresh `npm start` without OPENAI_API_KEY. */
export const localHealth = {
  status: "ok",
  mode: "local",
  version: "0.1.0",
  checks: {
    docStore: { status: "ok", detail: "SQLite at emulator-data/local/alchemist.db", latencyMs: 2.4 },
    blobStore: { status: "ok", detail: "emulator-data/local/blobs", latencyMs: 1 },
    taskQueue: { status: "ok", detail: "0 tasks waiting", latencyMs: 0.6 },
    chatModel: { status: "ok" },
  },
  models: {
    chat: {
      provider: "local-extractive",
      model: "extractive-v1",
      label: "Local extractive responder (quotes retrieved passages)",
    },
    embedder: {
      provider: "local-hash",
      model: "hash-256",
      dimensions: 256,
      label: "Local hashing embedder (lexical)",
    },
  },
} as const;

/** A trimmed copy of the platform's own description of its v1 API. */
export const openApiDocument = {
  openapi: "3.1.0",
  info: {
    title: "Alchemist API",
    version: "0.1.0",
    description: "Agents, knowledge bases and conversations over REST.",
  },
  tags: [
    { name: "Knowledge", description: "Knowledge bases and the documents they hold." },
    { name: "Agents", description: "Agents and the questions you ask them." },
    { name: "Platform" },
  ],
  security: [{ apiKey: [] }],
  components: {
    securitySchemes: { apiKey: { type: "http", scheme: "bearer", description: "An Alchemist API key" } },
  },
  paths: {
    "/health": {
      get: { summary: "Platform health", tags: ["Platform"], security: [] },
    },
    "/v1/openapi.json": {
      get: { summary: "This document", tags: ["Platform"], security: [] },
    },
    "/v1/agents": {
      get: { summary: "List agents", tags: ["Agents"], operationId: "listAgents" },
      post: { summary: "Create an agent", tags: ["Agents"], operationId: "createAgent" },
    },
    "/v1/conversations/{conversationId}/messages": {
      post: { summary: "Ask an agent a question", tags: ["Agents"], operationId: "askAgent" },
    },
    "/v1/knowledge-bases": {
      post: { summary: "Create a knowledge base", tags: ["Knowledge"] },
    },
    "/v1/knowledge-bases/{kbId}/documents": {
      parameters: [{ name: "kbId", in: "path", required: true }],
      post: { summary: "Upload a document", tags: ["Knowledge"] },
      get: { summary: "List the documents of a knowledge base", tags: ["Knowledge"] },
    },
    "/v1/knowledge-bases/{kbId}": {
      delete: { summary: "Delete a knowledge base and its documents", tags: ["Knowledge"] },
    },
  },
} as const;
