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

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const hrInstructions = [
  "You are the HR assistant of Acme Corp.",
  "Answer employees' questions about policies from the handbook, briefly and precisely.",
  "If the handbook does not cover a question, say so and suggest contacting people@acme.example.",
].join("\n");

/** The demo workspace's agent (emulator-data/seed/seed.json), published twice and serving version 2. */
export const hrAssistant = {
  id: "agt_hr",
  name: "Acme HR assistant",
  description: "Answers employees' questions about time off, equipment and travel.",
  instructions: hrInstructions,
  model: { name: null, temperature: 0.2, maxOutputTokens: 800 },
  knowledgeBaseIds: ["kb_handbook"],
  tools: [{ kind: "builtin", name: "search_knowledge" }],
  maxToolSteps: 4,
  guardrails: { blockedTopics: ["salaries of colleagues"], redactPii: true },
  confidenceThreshold: 0.5,
  memoryWindow: 6,
  contextBudgetTokens: 8000,
  channels: ["api", "openai-compatible", "callable", "studio"],
  longTermMemory: { enabled: false, retentionDays: 365, scope: "agent" },
  status: "published",
  publishedVersion: 2,
  latestVersion: 2,
  createdAt: minutesAgo(3 * 24 * 60),
  updatedAt: minutesAgo(5),
};

const {
  id: _id,
  status: _status,
  publishedVersion: _pv,
  latestVersion: _lv,
  createdAt: _c,
  updatedAt: _u,
  ...hrConfig
} = hrAssistant;

/** Newest first, as `GET /v1/agents/{id}/versions` answers. Version 1 was stricter and had no blocked topic. */
export const hrVersions = [
  {
    id: "v000002",
    version: 2,
    config: hrConfig,
    note: "Answer more questions: the handbook now covers travel",
    publishedAt: minutesAgo(60),
    publishedBy: "acc_ann",
  },
  {
    id: "v000001",
    version: 1,
    config: {
      ...hrConfig,
      instructions: [
        "You are the HR assistant of Acme Corp.",
        "Answer employees' questions about policies from the handbook.",
        "If the handbook does not cover a question, say so and suggest contacting people@acme.example.",
      ].join("\n"),
      confidenceThreshold: 0.75,
      guardrails: { blockedTopics: [], redactPii: true },
    },
    note: "",
    publishedAt: minutesAgo(2 * 24 * 60),
    publishedBy: "acc_bob",
  },
];

/** A second agent, never published. */
export const itHelpdesk = {
  ...hrAssistant,
  id: "agt_it",
  name: "IT helpdesk",
  description: "",
  instructions: "You help Acme Corp employees with laptops, VPN and passwords.",
  knowledgeBaseIds: [],
  status: "draft",
  publishedVersion: null,
  latestVersion: 0,
  updatedAt: minutesAgo(3 * 60),
};

export const knowledgeBaseList = {
  knowledgeBases: [
    { id: "kb_handbook", name: "Acme Corp employee handbook", documentCount: 3 },
    { id: "kb_it", name: "IT security FAQ", documentCount: 1 },
  ],
};

/** `GET /v1/agent-options` of a platform whose operator lists two models and caps answers and context. */
export const offeredAgentOptions = {
  models: {
    default: { model: "gpt-4o-mini", label: "gpt-4o-mini via api.openai.com", provider: "openai-compatible" },
    allowed: ["gpt-4o-mini", "gpt-4o"],
  },
  maxOutputTokens: { min: 16, max: 2000, default: 800 },
  contextBudgetTokens: { min: 1000, max: 16_000, default: 8000 },
  toolHosts: ["api.example.com", "*.partner.test"],
};
