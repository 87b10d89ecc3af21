/**
 * Tenant isolation and permissions, route by route, generated from the route table itself: every
 * authenticated route must have a case here (a new route without one fails the suite). For each route:
 * - every role below the route's permission gets 403;
 * - another tenant's owner, given this tenant's ids, gets 404 (no existence leak), or for lists and
 *   creations, nothing of this tenant;
 * - ids with slashes or path traversal are refused (400/404), never a 5xx and never a success.
 * Plus keys scoped to one agent, and role escalation attempted through request bodies.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { permissionTable } from "../../platform/permissions.js";
import { createApiKey } from "../../identity/api-keys.js";
import { createTenant } from "../../identity/tenants.js";
import { roles, type Role } from "../../platform/caller.js";
import { startFakeStripeServer, type FakeStripeServer } from "../../platform/testing/fake-stripe-server.js";
import { tuningJobPath } from "../../tuning/schema.js";
import { observeAnswer } from "../../narrative/drift.js";
import { consistencyFlagPath, endUserKeyOf } from "../../narrative/schema.js";
import { routes } from "./routes.js";

let platform: TestPlatform;
/** The operator's token for the monitor's `/v1/operator/...` routes, `/metrics` and `/health?deep=1`. */
const operatorToken = "operator-token-of-the-isolation-suite-0123456789";

/** Acme's resources, created once. */
interface Ids {
  kbId: string;
  docId: string;
  chunkId: string;
  agentId: string;
  otherAgentId: string;
  conversationId: string;
  otherConversationId: string;
  traceId: string;
  keyId: string;
  memberId: string;
  invitationId: string;
  /** A Responses API response of the owner's with the agent, and one with the other agent. */
  responseId: string;
  otherResponseId: string;
  connectionId: string;
  widgetId: string;
  toolSetId: string;
  /** A published version of the tool set, and one of its tools. */
  version: string;
  toolName: string;
  credentialId: string;
  /** No confirmation is pending in the fixture: another tenant must get 404 before that is found out. */
  confirmationId: string;
  /** An alert notification channel (a webhook; nothing is sent to it here). */
  channelId: string;
  /**
   * An alert rule acme made (the built-in ids, such as `error-rate`, exist in every workspace: another tenant
   * would find its own). The agent `agentId` also has a probe (disabled, so no tick runs it).
   */
  ruleId: string;
  /** The owner's answer in `conversationId` (rated up), and the owner's correction of it (an annotation). */
  messageId: string;
  annotationId: string;
  /** An eval dataset with one item, and two finished runs of it (against version 1 and the draft). */
  datasetId: string;
  itemId: string;
  runId: string;
  otherRunId: string;
  /** A replay of the owner's traced answer against version 1, and a one-step simulation of the agent. */
  replayId: string;
  simulationId: string;
  /**
   * A tuning export of the agent's rated and corrected answer, and a fine-tuning job on it (its record written
   * directly: no fine-tuning provider runs here), and the export file downloaded (`train`).
   */
  exportId: string;
  jobId: string;
  file: string;
  /**
   * A prompt template (its version 1 is `version`) with a custom label, and a draft experiment on `agentId`
   * (a draft changes no turn).
   */
  promptId: string;
  label: string;
  experimentId: string;
  /** A drift flag: two answers of the agent to one question that disagree (narrative/drift.ts). */
  driftFlagId: string;
  /**
   * An end user of an agent with long-term memory (narrative/): the key of their documents, a memory learned
   * from their message, and a consistency flag (written directly: planting a contradiction needs two versions).
   */
  endUserKey: string;
  memoryId: string;
  flagId: string;
  /** An environment only acme has (identity/environments.ts), serving version 1 of `agentId`. */
  environment: string;
}
let ids: Ids;

async function body<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

let stripe: FakeStripeServer;

beforeAll(async () => {
  // Billing's Stripe routes answer for real, against the local fake of Stripe's API.
  stripe = await startFakeStripeServer();
  // This suite makes many calls with each key in a few seconds: the rate limits (tested on their own) are off,
  // so every answer here is the route's, never a 429.
  platform = await startTestPlatform({
    ...stripe.env,
    RATE_LIMIT_PUBLIC_PER_IP: "0",
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
    MONITOR_OPERATOR_TOKEN: operatorToken,
  });
  const post = async (path: string, json: unknown) => {
    const res = await platform.fetch(path, { method: "POST", json });
    expect(res.status, `${path}: ${await res.clone().text()}`).toBeLessThan(300);
    return body<{ id: string; key?: string }>(res);
  };
  const kbId = (await post("/v1/knowledge-bases", { name: "Private" })).id;
  const docId = (
    await post(`/v1/knowledge-bases/${kbId}/documents`, {
      name: "secret.md",
      text: "The acquisition of Initech closes on March 3. Only the board knows.",
    })
  ).id;
  await platform.host.runner.idle();
  const agentId = (await post("/v1/agents", { name: "Board bot", knowledgeBaseIds: [kbId] })).id;
  await post(`/v1/agents/${agentId}/publish`, {});
  const otherAgentId = (await post("/v1/agents", { name: "Other bot", knowledgeBaseIds: [kbId] })).id;
  await post(`/v1/agents/${otherAgentId}/publish`, {});
  const conversationId = (await post(`/v1/agents/${agentId}/conversations`, {})).id;
  const otherConversationId = (await post(`/v1/agents/${otherAgentId}/conversations`, {})).id;
  const answer = await body<{ message: { id: string; traceId: string } }>(
    await platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content: "When does the acquisition close?" },
    }),
  );
  const responseId = (
    await post("/v1/responses", { model: agentId, input: "When does the acquisition close?" })
  ).id;
  const otherResponseId = (await post("/v1/responses", { model: otherAgentId, input: "Who signs?" })).id;
  const keyId = (await post("/v1/api-keys", { name: "spare", role: "viewer" })).id;
  const connectionId = (
    await post("/v1/whatsapp/connections", {
      phoneNumberId: "3100000000",
      wabaId: "3200000000",
      agentId,
      accessToken: "token-of-the-isolation-suite",
      appSecret: "secret-of-the-isolation-suite",
      verifyToken: "verify-of-the-isolation-suite",
    })
  ).id;
  const widgetId = (await post("/v1/widgets", { agentId, allowedOrigins: ["https://board.example"] })).id;
  const credentialId = (
    await post("/v1/tool-credentials", {
      name: "Board API",
      kind: "bearer",
      secret: "board-token-of-the-suite",
    })
  ).id;
  const boardTool = {
    name: "list_minutes",
    description: "The board's minutes",
    parameters: { type: "object", properties: {}, additionalProperties: false },
    sideEffect: "read",
    enabled: true,
    operation: { method: "GET", path: "/minutes", arguments: {}, body: null },
  };
  const toolSetId = (
    await post("/v1/tool-sets", {
      name: "Board API",
      baseUrl: "https://board-api.example.test",
      credentialId,
      tools: [boardTool],
    })
  ).id;
  await post(`/v1/tool-sets/${toolSetId}/publish`, {});
  const invited = await body<{ token: string }>(
    await platform.fetch("/v1/invitations", {
      method: "POST",
      json: { email: "lin@acme.example", role: "viewer" },
    }),
  );
  const accepted = await platform.fetch("/auth/accept-invitation", {
    method: "POST",
    json: { token: invited.token, password: "a long password" },
    key: null,
  });
  expect(accepted.status, await accepted.clone().text()).toBeLessThan(300);
  const memberId = (await body<{ accountId: string }>(accepted)).accountId;
  const invitationId = (await post("/v1/invitations", { email: "max@acme.example", role: "editor" })).id;
  const channelId = (
    await post("/v1/monitor/channels", {
      type: "webhook",
      name: "Board pager",
      url: "https://pager.board-api.example.test/alchemist",
    })
  ).id;
  const ruleId = (
    await post("/v1/monitor/rules", {
      name: "Board bot errors",
      metric: "error-rate",
      filter: { agentId },
      condition: { type: "threshold", op: ">", value: 0.1 },
      windowMinutes: 5,
      severity: "critical",
      enabled: false,
    })
  ).id;
  const probe = await platform.fetch(`/v1/monitor/probes/${agentId}`, {
    method: "PUT",
    json: { question: "When does the acquisition close?", expect: "answers", enabled: false },
  });
  expect(probe.status, await probe.clone().text()).toBe(200);
  const rated = await platform.fetch(
    `/v1/conversations/${conversationId}/messages/${answer.message.id}/feedback`,
    { method: "PUT", json: { rating: "up" } },
  );
  expect(rated.status, await rated.clone().text()).toBe(200);
  const annotationId = (
    await post("/v1/annotations", {
      traceId: answer.message.traceId,
      corrected: "On March 3, per the board.",
    })
  ).id;
  const datasetId = (await post("/v1/eval/datasets", { name: "Board golden set" })).id;
  const itemId = (
    await post(`/v1/eval/datasets/${datasetId}/items`, {
      question: "When does the acquisition close?",
      expectedFacts: ["March 3"],
    })
  ).id;
  const runId = (await post("/v1/eval/runs", { datasetId, target: { agentId, version: 1 } })).id;
  const otherRunId = (await post("/v1/eval/runs", { datasetId, target: { agentId, version: "draft" } })).id;
  await platform.host.runner.idle();
  const replayId = (
    await post("/v1/eval/replays", { traceId: answer.message.traceId, target: { version: 1 } })
  ).id;
  const simulationId = (
    await post("/v1/eval/simulations", { agentId, steps: [{ message: "When does the acquisition close?" }] })
  ).id;
  const exportId = (await post("/v1/tuning/exports", { agentId })).id;
  const jobId = "isolationSuiteJob01";
  const at = new Date().toISOString();
  await platform.deps.store.create(tuningJobPath("acme", jobId), {
    exportId,
    agentId,
    baseModel: "gpt-4o-mini-2024-07-18",
    suffix: null,
    hyperparameters: {},
    provider: {
      baseURL: "https://api.openai.com/v1",
      jobId: "ftjob-isolation",
      trainingFileId: "file-isolation",
      validationFileId: null,
    },
    status: "running",
    fineTunedModel: null,
    trainedTokens: null,
    error: null,
    tunedModelId: null,
    createdBy: "apikey:isolation",
    createdAt: at,
    updatedAt: at,
    checkedAt: at,
    finishedAt: null,
  });
  const promptId = (
    await post("/v1/prompts", {
      name: "Board voice",
      text: "Speak for {{company}}.",
      variables: [{ name: "company", type: "string" }],
      labels: ["board-release"],
    })
  ).id;
  const experimentId = (
    await post("/v1/experiments", {
      agentId,
      name: "Board tone",
      variants: [
        { name: "control", share: 0.5 },
        { name: "cold", share: 0.5, overrides: { temperature: 0 } },
      ],
    })
  ).id;
  // Two answers to one question that disagree, observed as a turn observes them: a drift flag.
  const observeSeats = async (traceId: string, claim: string, createdAt: string) =>
    observeAnswer(platform.deps, "acme", {
      agentId,
      agentVersion: 1,
      traceId,
      conversationId,
      question: "How many seats does the board have?",
      answer: `${claim} [1]`,
      abstained: false,
      citations: [
        {
          ref: "1",
          kbId,
          docId,
          docName: "secret.md",
          chunkId: `${docId}-v1-0`,
          quote: claim,
          claim,
          location: { startOffset: 0, endOffset: claim.length, headingPath: [] },
          score: 1,
        },
      ],
      createdAt,
    });
  await observeSeats("isolationDriftBefore", "The board has 7 seats.", "2026-01-01T00:00:00.000Z");
  const drift = await observeSeats(
    "isolationDriftAfter",
    "The board has 9 seats.",
    "2026-01-02T00:00:00.000Z",
  );
  expect(drift.flagId).not.toBeNull();
  const memoryAgentId = (
    await post("/v1/agents", {
      name: "Memory bot",
      knowledgeBaseIds: [kbId],
      longTermMemory: { enabled: true },
    })
  ).id;
  await post(`/v1/agents/${memoryAgentId}/publish`, {});
  const remembering = (
    await post(`/v1/agents/${memoryAgentId}/conversations`, { endUserRef: "isolation-end-user" })
  ).id;
  const learned = await body<{ message: { traceId: string } }>(
    await platform.fetch(`/v1/conversations/${remembering}/messages`, {
      method: "POST",
      json: { content: "My name is Dana." },
    }),
  );
  const learnedTrace = await body<{ memory: { written: { memoryId: string }[] } }>(
    await platform.fetch(`/v1/traces/${learned.message.traceId}`),
  );
  const endUserKey = endUserKeyOf("isolation-end-user");
  const flagId = "isolationConsistencyFlag";
  const source = { kbId, docId, docName: "secret.md", quote: "The board has 7 seats." };
  await platform.deps.store.create(consistencyFlagPath("acme", flagId), {
    endUserKey,
    agentId: memoryAgentId,
    conversationId: remembering,
    traceId: learned.message.traceId,
    createdAt: "2026-01-02T00:00:00.000Z",
    earlier: {
      statementId: "isolationStatement",
      claim: "The board has 7 seats.",
      traceId: learned.message.traceId,
      conversationId: remembering,
      at: "2026-01-01T00:00:00.000Z",
      sources: [source],
    },
    now: { claim: "The board has 9 seats.", sources: [{ ...source, quote: "The board has 9 seats." }] },
    reason: "states 9 where the source states 7",
    resolution: "corrected",
    status: "open",
    reviewedBy: null,
    reviewedAt: null,
  });
  ids = {
    kbId,
    docId,
    // The first passage of the document's first version (knowledge/schema.ts `chunkId`).
    chunkId: `${docId}-v1-0`,
    agentId,
    otherAgentId,
    conversationId,
    otherConversationId,
    traceId: answer.message.traceId,
    keyId,
    memberId,
    invitationId,
    responseId,
    otherResponseId,
    connectionId,
    widgetId,
    toolSetId,
    version: "1",
    toolName: "list_minutes",
    credentialId,
    confirmationId: "c0nf1rmat10n0000",
    messageId: answer.message.id,
    annotationId,
    promptId,
    label: "board-release",
    experimentId,
    driftFlagId: drift.flagId as string,
    endUserKey,
    memoryId: learnedTrace.memory.written[0]?.memoryId as string,
    flagId,
    channelId,
    ruleId,
    datasetId,
    itemId,
    runId,
    otherRunId,
    replayId,
    simulationId,
    exportId,
    jobId,
    file: "train",
    environment: "acme-qa",
  };
  const environments = [
    { name: "development", label: "Development" },
    { name: "acme-qa", label: "Acme QA" },
    { name: "production", label: "Production" },
  ];
  expect((await platform.fetch("/v1/environments", { method: "PUT", json: { environments } })).status).toBe(
    200,
  );
  await post(`/v1/agents/${agentId}/environments/acme-qa/promote`, { version: 1 });
}, 60_000);

afterAll(async () => {
  await platform?.close();
  await stripe?.close();
});

interface Case {
  /** The lowest role that may call it: the policy, written down independently of the route table. */
  readonly role: Role;
  /** A body that is valid for this tenant's ids (so a cross-tenant call reaches the lookup). */
  readonly body?: (ids: Ids) => unknown;
  /** What another tenant gets: 404, or `lists` for routes that only ever show the caller's own tenant. */
  readonly otherTenant: 404 | "own-data-only";
}

/** One entry per authenticated route, keyed "METHOD path". */
const cases: Record<string, Case> = {
  "POST /v1/knowledge-bases": {
    role: "editor",
    body: () => ({ name: "x" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/knowledge-bases": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "GET /v1/knowledge-bases/{kbId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/knowledge-bases/{kbId}/documents": {
    role: "editor",
    body: () => ({ name: "n.md", text: "hello world" }),
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/documents": {
    role: "viewer",
    otherTenant: 404,
  },
  "DELETE /v1/knowledge-bases/{kbId}/documents/{docId}": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/knowledge-bases/{kbId}/documents/{docId}/restore": {
    role: "editor",
    body: () => ({ version: 1 }),
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/documents/{docId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/documents/{docId}/text": {
    role: "viewer",
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/documents/{docId}/file": {
    role: "viewer",
    otherTenant: 404,
  },
  "GET /v1/knowledge-bases/{kbId}/chunks/{chunkId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/knowledge-bases/{kbId}/search": {
    role: "viewer",
    body: () => ({ query: "acquisition" }),
    otherTenant: 404,
  },
  "POST /v1/api-keys": {
    role: "admin",
    body: (i) => ({ name: "k", role: "viewer", agentId: i.agentId }),
    otherTenant: 404,
  },
  "GET /v1/api-keys": {
    role: "admin",
    otherTenant: "own-data-only",
  },
  "DELETE /v1/api-keys/{keyId}": {
    role: "admin",
    otherTenant: 404,
  },
  "GET /v1/agents": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "POST /v1/agents": {
    role: "editor",
    body: (i) => ({ name: "spy", knowledgeBaseIds: [i.kbId] }),
    otherTenant: 404,
  },
  // What the operator allows agents to use: the same for every tenant, nothing of this one.
  "GET /v1/agent-options": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "GET /v1/agents/{agentId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "PATCH /v1/agents/{agentId}": {
    role: "editor",
    body: () => ({ name: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/agents/{agentId}": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/publish": {
    role: "editor",
    body: () => ({}),
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/rollback": {
    role: "editor",
    body: () => ({ version: 1 }),
    otherTenant: 404,
  },
  "GET /v1/agents/{agentId}/versions": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/pause": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/resume": {
    role: "editor",
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/conversations": {
    role: "viewer",
    body: () => ({}),
    otherTenant: 404,
  },
  "GET /v1/conversations": {
    role: "editor",
    otherTenant: "own-data-only",
  },
  "GET /v1/conversations/{conversationId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/conversations/{conversationId}/messages": {
    role: "viewer",
    body: () => ({ content: "hello?" }),
    otherTenant: 404,
  },
  "POST /v1/conversations/{conversationId}/confirmations/{confirmationId}": {
    role: "viewer",
    body: () => ({ decision: "cancel" }),
    otherTenant: 404,
  },
  "GET /v1/conversations/{conversationId}/messages": {
    role: "viewer",
    otherTenant: 404,
  },
  "GET /v1/traces/{traceId}": {
    role: "editor",
    otherTenant: 404,
  },
  // Feedback: the starter of a conversation (any role) or conversations.view rates its answers; the list quotes
  // end users' comments. Annotations: changing them needs agents.manage, reading them conversations.view.
  "PUT /v1/conversations/{conversationId}/messages/{messageId}/feedback": {
    role: "viewer",
    body: () => ({ rating: "down", comment: "spy" }),
    otherTenant: 404,
  },
  "DELETE /v1/conversations/{conversationId}/messages/{messageId}/feedback": {
    role: "viewer",
    otherTenant: 404,
  },
  "GET /v1/feedback": { role: "editor", otherTenant: "own-data-only" },
  "POST /v1/annotations": {
    role: "editor",
    body: (i) => ({ traceId: i.traceId, corrected: "Spied." }),
    otherTenant: 404,
  },
  "GET /v1/annotations": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/annotations/{annotationId}": { role: "editor", otherTenant: 404 },
  "PATCH /v1/annotations/{annotationId}": {
    role: "editor",
    body: () => ({ serveAsReply: true }),
    otherTenant: 404,
  },
  "DELETE /v1/annotations/{annotationId}": { role: "editor", otherTenant: 404 },
  // Drift flags and canonical questions hold end users' questions and the answers given: reading them needs
  // what reading conversations needs; reviewing a flag is looking after an agent.
  "GET /v1/drift": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/drift/{driftFlagId}": { role: "editor", otherTenant: 404 },
  "PATCH /v1/drift/{driftFlagId}": {
    role: "editor",
    body: () => ({ status: "reviewed", note: "Seen." }),
    otherTenant: 404,
  },
  "GET /v1/canonical-questions": { role: "editor", otherTenant: "own-data-only" },
  // An end user's memories are read like their conversations; changing them is looking after an agent.
  "GET /v1/end-users": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/end-users/{endUserKey}": { role: "editor", otherTenant: 404 },
  "POST /v1/end-users/{endUserKey}/memories": {
    role: "editor",
    body: () => ({ agentId: null, kind: "preference", text: "You prefer short answers." }),
    otherTenant: 404,
  },
  "PATCH /v1/end-users/{endUserKey}/memories/{memoryId}": {
    role: "editor",
    body: () => ({ text: "Your name is Dana." }),
    otherTenant: 404,
  },
  "DELETE /v1/end-users/{endUserKey}/memories/{memoryId}": { role: "editor", otherTenant: 404 },
  "PATCH /v1/end-users/{endUserKey}/flags/{flagId}": {
    role: "editor",
    body: () => ({ status: "reviewed" }),
    otherTenant: 404,
  },
  // Summarizes end users' conversations, so it needs what reading them needs.
  "GET /v1/analytics": {
    role: "editor",
    otherTenant: "own-data-only",
  },
  "GET /v1/audit-log": { role: "admin", otherTenant: "own-data-only" },
  "POST /v1/privacy/export": {
    role: "admin",
    body: () => ({ endUserRef: "customer-1" }),
    otherTenant: "own-data-only",
  },
  "POST /v1/privacy/erase": {
    role: "admin",
    body: () => ({ endUserRef: "customer-1" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/settings": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/workspace": { role: "viewer", otherTenant: "own-data-only" },
  "GET /v1/environments": { role: "viewer", otherTenant: "own-data-only" },
  "PUT /v1/environments": {
    role: "admin",
    body: () => ({
      environments: [
        { name: "development", label: "Development" },
        { name: "staging", label: "Staging" },
        { name: "production", label: "Production" },
      ],
    }),
    otherTenant: "own-data-only",
  },
  "GET /v1/agents/{agentId}/environments": { role: "viewer", otherTenant: 404 },
  "POST /v1/agents/{agentId}/environments/{environment}/promote": {
    role: "editor",
    body: () => ({ from: "development" }),
    otherTenant: 404,
  },
  "POST /v1/agents/{agentId}/environments/{environment}/rollback": {
    role: "editor",
    body: () => ({ version: 1 }),
    otherTenant: 404,
  },
  "PATCH /v1/settings": { role: "admin", body: () => ({ retentionDays: 30 }), otherTenant: "own-data-only" },
  "GET /v1/members": { role: "admin", otherTenant: "own-data-only" },
  "PATCH /v1/members/{memberId}": { role: "admin", body: () => ({ role: "viewer" }), otherTenant: 404 },
  "DELETE /v1/members/{memberId}": { role: "admin", otherTenant: 404 },
  "POST /v1/invitations": {
    role: "admin",
    body: () => ({ email: "someone@example.com", role: "viewer" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/invitations": { role: "admin", otherTenant: "own-data-only" },
  "DELETE /v1/invitations/{invitationId}": { role: "admin", otherTenant: 404 },
  "GET /v1/models": {
    role: "viewer",
    otherTenant: "own-data-only",
  },
  "GET /v1/models/{model}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /v1/chat/completions": {
    role: "viewer",
    body: (i) => ({ model: i.agentId, messages: [{ role: "user", content: "When does it close?" }] }),
    otherTenant: 404,
  },
  "POST /v1/responses": {
    role: "viewer",
    body: (i) => ({ model: i.agentId, input: "When does it close?", previous_response_id: i.responseId }),
    otherTenant: 404,
  },
  "GET /v1/responses/{responseId}": {
    role: "viewer",
    otherTenant: 404,
  },
  "POST /mcp": {
    role: "viewer",
    body: () => ({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    otherTenant: "own-data-only",
  },
  "POST /mcp/agents/{agentId}": {
    role: "viewer",
    body: () => ({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    otherTenant: 404,
  },
  "POST /mcp/tool-sets/{toolSetId}": {
    role: "viewer",
    body: () => ({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }),
    otherTenant: 404,
  },
  "GET /v1/tool-sets/{toolSetId}/mcp-config": { role: "viewer", otherTenant: 404 },
  "GET /v1/whatsapp/connections": {
    role: "admin",
    otherTenant: "own-data-only",
  },
  "POST /v1/whatsapp/connections": {
    role: "admin",
    body: (i) => ({
      phoneNumberId: "1234567",
      wabaId: "7654321",
      agentId: i.agentId,
      accessToken: "token-token-token",
      appSecret: "secret-secret",
      verifyToken: "verify-verify",
    }),
    otherTenant: 404,
  },
  "GET /v1/whatsapp/connections/{connectionId}": {
    role: "admin",
    otherTenant: 404,
  },
  "PATCH /v1/whatsapp/connections/{connectionId}": {
    role: "admin",
    body: () => ({ label: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/whatsapp/connections/{connectionId}": {
    role: "admin",
    otherTenant: 404,
  },
  "GET /v1/tool-sets": { role: "viewer", otherTenant: "own-data-only" },
  "POST /v1/tool-sets": {
    role: "editor",
    body: (i) => ({ name: "x", baseUrl: "https://x.example.test", credentialId: i.credentialId }),
    otherTenant: 404,
  },
  "POST /v1/tool-sets/import": {
    role: "editor",
    body: (i) => ({
      spec: {
        openapi: "3.1.0",
        info: { title: "Board", version: "1" },
        servers: [{ url: "https://board-api.example.test" }],
        paths: {
          "/minutes": { get: { operationId: "listMinutes", responses: { "200": { description: "ok" } } } },
        },
      },
      credentialId: i.credentialId,
    }),
    otherTenant: 404,
  },
  "POST /v1/tool-sets/mcp": {
    role: "editor",
    // Another tenant's credential is not found before anything is sent to the server.
    body: (i) => ({ url: "https://mcp.board-api.example.test/mcp", credentialId: i.credentialId }),
    otherTenant: 404,
  },
  "POST /v1/tool-sets/{toolSetId}/refresh": { role: "editor", body: () => ({}), otherTenant: 404 },
  "GET /v1/tool-sets/{toolSetId}": { role: "viewer", otherTenant: 404 },
  "PATCH /v1/tool-sets/{toolSetId}": { role: "editor", body: () => ({ name: "renamed" }), otherTenant: 404 },
  "POST /v1/tool-sets/{toolSetId}/publish": { role: "editor", otherTenant: 404 },
  "GET /v1/tool-sets/{toolSetId}/versions": { role: "viewer", otherTenant: 404 },
  "GET /v1/tool-sets/{toolSetId}/versions/{version}": { role: "viewer", otherTenant: 404 },
  "POST /v1/tool-sets/{toolSetId}/tools/{toolName}/try": {
    role: "editor",
    body: () => ({ arguments: {} }),
    otherTenant: 404,
  },
  "GET /v1/tool-credentials": { role: "viewer", otherTenant: "own-data-only" },
  "POST /v1/tool-credentials": {
    role: "admin",
    body: () => ({ name: "k", kind: "bearer", secret: "a-secret-token" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/tool-credentials/{credentialId}": { role: "viewer", otherTenant: 404 },
  "PATCH /v1/tool-credentials/{credentialId}": {
    role: "admin",
    body: () => ({ name: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/tool-credentials/{credentialId}": { role: "admin", otherTenant: 404 },
  "GET /v1/widgets": {
    role: "admin",
    otherTenant: "own-data-only",
  },
  "POST /v1/widgets": {
    role: "admin",
    body: (i) => ({ agentId: i.agentId, allowedOrigins: ["https://shop.example"] }),
    otherTenant: 404,
  },
  "GET /v1/widgets/{widgetId}": {
    role: "admin",
    otherTenant: 404,
  },
  "PATCH /v1/widgets/{widgetId}": {
    role: "admin",
    body: () => ({ name: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/widgets/{widgetId}": {
    role: "admin",
    otherTenant: 404,
  },
  // Billing: every route reads or changes the caller's own workspace only (its account, rollups, ledger).
  "GET /v1/billing": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/billing/usage": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/billing/ledger": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/billing/catalog": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/billing/invoices": { role: "owner", otherTenant: "own-data-only" },
  "POST /v1/billing/checkout": {
    role: "owner",
    body: () => ({
      kind: "topup",
      amountMicros: 10_000_000,
      returnUrl: "http://localhost:0/settings/billing",
    }),
    otherTenant: "own-data-only",
  },
  "POST /v1/billing/portal": {
    role: "owner",
    body: () => ({ returnUrl: "http://localhost:0/settings/billing" }),
    otherTenant: "own-data-only",
  },
  // Monitor's alert channels, inbox and outbox: always the caller's own workspace.
  "GET /v1/monitor/channels": { role: "admin", otherTenant: "own-data-only" },
  "POST /v1/monitor/channels": {
    role: "admin",
    body: () => ({ type: "in-app", name: "Studio inbox" }),
    otherTenant: "own-data-only",
  },
  "DELETE /v1/monitor/channels/{channelId}": { role: "admin", otherTenant: 404 },
  "POST /v1/monitor/channels/{channelId}/test": { role: "admin", otherTenant: 404 },
  "POST /v1/monitor/channels/{channelId}/rotate-secret": { role: "admin", otherTenant: 404 },
  "GET /v1/monitor/outbox": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/monitor/inbox": { role: "admin", otherTenant: "own-data-only" },
  // Monitor's Health page: every figure, rule, alert, probe and SLA row is the caller's own workspace's.
  "GET /v1/monitor/overview": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/monitor/series": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/monitor/incidents": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/monitor/sla": { role: "admin", otherTenant: "own-data-only" },
  "GET /v1/monitor/rules": { role: "admin", otherTenant: "own-data-only" },
  "POST /v1/monitor/rules": {
    role: "admin",
    body: (i) => ({
      name: "Watch their agent",
      metric: "error-rate",
      filter: { agentId: i.agentId },
      condition: { type: "threshold", op: ">", value: 0.1 },
      windowMinutes: 5,
      severity: "warning",
      enabled: false,
    }),
    otherTenant: "own-data-only",
  },
  // A preview of a rule over another tenant's agent replays the caller's own minutes: it finds nothing.
  "POST /v1/monitor/rules/preview": {
    role: "admin",
    body: (i) => ({
      name: "Preview",
      metric: "error-rate",
      filter: { agentId: i.agentId },
      condition: { type: "threshold", op: ">", value: 0 },
      windowMinutes: 1,
      minSamples: 0,
      severity: "warning",
    }),
    otherTenant: "own-data-only",
  },
  "PATCH /v1/monitor/rules/{ruleId}": { role: "admin", body: () => ({ enabled: true }), otherTenant: 404 },
  "DELETE /v1/monitor/rules/{ruleId}": { role: "admin", otherTenant: 404 },
  "POST /v1/monitor/alerts/{ruleId}/acknowledge": { role: "admin", otherTenant: 404 },
  "POST /v1/monitor/alerts/{ruleId}/silence": {
    role: "admin",
    body: () => ({ minutes: 60 }),
    otherTenant: 404,
  },
  "GET /v1/monitor/probes": { role: "admin", otherTenant: "own-data-only" },
  "PUT /v1/monitor/probes/{agentId}": {
    role: "admin",
    body: () => ({ question: "When does the acquisition close?", expect: "answers", enabled: false }),
    otherTenant: 404,
  },
  "DELETE /v1/monitor/probes/{agentId}": { role: "admin", otherTenant: 404 },
  // Sandbox evaluations: datasets, items, runs and the publish gate. Reading needs conversations.view (items
  // and results hold questions and answers), changing and running agents.manage. Another tenant's dataset,
  // item, run, trace, conversation or agent is not found, whichever of them a request names.
  "GET /v1/eval/datasets": { role: "editor", otherTenant: "own-data-only" },
  "POST /v1/eval/datasets": {
    role: "editor",
    body: () => ({ name: "Spy set" }),
    otherTenant: "own-data-only",
  },
  "GET /v1/eval/datasets/{datasetId}": { role: "editor", otherTenant: 404 },
  "PATCH /v1/eval/datasets/{datasetId}": {
    role: "editor",
    body: () => ({ name: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/eval/datasets/{datasetId}": { role: "editor", otherTenant: 404 },
  "GET /v1/eval/datasets/{datasetId}/items": { role: "editor", otherTenant: 404 },
  "POST /v1/eval/datasets/{datasetId}/items": {
    role: "editor",
    body: () => ({ question: "Who signs?", shouldAbstain: true }),
    otherTenant: 404,
  },
  "GET /v1/eval/datasets/{datasetId}/items/{itemId}": { role: "editor", otherTenant: 404 },
  "PUT /v1/eval/datasets/{datasetId}/items/{itemId}": {
    role: "editor",
    body: () => ({ question: "Who signs?", shouldAbstain: true }),
    otherTenant: 404,
  },
  "DELETE /v1/eval/datasets/{datasetId}/items/{itemId}": { role: "editor", otherTenant: 404 },
  "POST /v1/eval/datasets/{datasetId}/upload": {
    role: "editor",
    body: () => ({ format: "jsonl", content: '{"question": "Who signs?", "shouldAbstain": true}' }),
    otherTenant: 404,
  },
  "POST /v1/eval/datasets/{datasetId}/from-trace": {
    role: "editor",
    body: (i) => ({ traceId: i.traceId }),
    otherTenant: 404,
  },
  "POST /v1/eval/datasets/{datasetId}/from-conversation": {
    role: "editor",
    body: (i) => ({ conversationId: i.conversationId }),
    otherTenant: 404,
  },
  "POST /v1/eval/runs": {
    role: "editor",
    body: (i) => ({ datasetId: i.datasetId, target: { agentId: i.agentId, version: 1 } }),
    otherTenant: 404,
  },
  "GET /v1/eval/runs": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/eval/runs/{runId}": { role: "editor", otherTenant: 404 },
  "POST /v1/eval/runs/{runId}/cancel": { role: "editor", otherTenant: 404 },
  "GET /v1/eval/runs/{runId}/results": { role: "editor", otherTenant: 404 },
  "GET /v1/eval/runs/{runId}/compare/{otherRunId}": { role: "editor", otherTenant: 404 },
  "PUT /v1/agents/{agentId}/publish-gate": {
    role: "editor",
    body: (i) => ({ datasetId: i.datasetId, maxDrop: 0.1 }),
    otherTenant: 404,
  },
  "DELETE /v1/agents/{agentId}/publish-gate": { role: "editor", otherTenant: 404 },
  // Sandbox replays and simulations: running needs agents.manage, reading conversations.view (they hold
  // questions and answers). Another tenant's trace, agent, replay or simulation is not found.
  "POST /v1/eval/replays": {
    role: "editor",
    body: (i) => ({ traceId: i.traceId, target: { version: 1 } }),
    otherTenant: 404,
  },
  "GET /v1/eval/replays": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/eval/replays/{replayId}": { role: "editor", otherTenant: 404 },
  "POST /v1/eval/simulations": {
    role: "editor",
    body: (i) => ({ agentId: i.agentId, steps: [{ message: "When does the acquisition close?" }] }),
    otherTenant: 404,
  },
  "GET /v1/eval/simulations": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/eval/simulations/{simulationId}": { role: "editor", otherTenant: 404 },
  // Agent Tuning: exports hold end users' conversations (redacted) and jobs train on them: agents.manage for
  // all. Another tenant's agent, export or job is not found, before any provider is asked for.
  "POST /v1/tuning/exports": { role: "editor", body: (i) => ({ agentId: i.agentId }), otherTenant: 404 },
  "GET /v1/tuning/exports": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/tuning/exports/{exportId}": { role: "editor", otherTenant: 404 },
  "GET /v1/tuning/exports/{exportId}/files/{file}": { role: "editor", otherTenant: 404 },
  "DELETE /v1/tuning/exports/{exportId}": { role: "editor", otherTenant: 404 },
  "POST /v1/tuning/jobs": {
    role: "editor",
    body: (i) => ({ exportId: i.exportId, baseModel: "gpt-4o-mini-2024-07-18" }),
    otherTenant: 404,
  },
  "GET /v1/tuning/jobs": { role: "editor", otherTenant: "own-data-only" },
  "GET /v1/tuning/jobs/{jobId}": { role: "editor", otherTenant: 404 },
  "POST /v1/tuning/jobs/{jobId}/cancel": { role: "editor", otherTenant: 404 },
  "GET /v1/tuning/models": { role: "editor", otherTenant: "own-data-only" },
  // Prompt Engine: reading templates and experiments is a viewer's, changing them an editor's. Another
  // tenant's template or experiment is not found, nor is an agent named in an experiment's body.
  "GET /v1/prompts": { role: "viewer", otherTenant: "own-data-only" },
  "POST /v1/prompts": {
    role: "editor",
    body: () => ({ name: "Spy voice", text: "Hello {{who}}", variables: [{ name: "who", type: "string" }] }),
    otherTenant: "own-data-only",
  },
  "GET /v1/prompts/{promptId}": { role: "viewer", otherTenant: 404 },
  "PATCH /v1/prompts/{promptId}": { role: "editor", body: () => ({ name: "renamed" }), otherTenant: 404 },
  "DELETE /v1/prompts/{promptId}": { role: "editor", otherTenant: 404 },
  "GET /v1/prompts/{promptId}/versions": { role: "viewer", otherTenant: 404 },
  "POST /v1/prompts/{promptId}/versions": {
    role: "editor",
    body: () => ({ text: "Speak softly for {{company}}.", variables: [{ name: "company", type: "string" }] }),
    otherTenant: 404,
  },
  "GET /v1/prompts/{promptId}/versions/{version}": { role: "viewer", otherTenant: 404 },
  "GET /v1/prompts/{promptId}/diff": { role: "viewer", otherTenant: 404 },
  "PUT /v1/prompts/{promptId}/labels/{label}": {
    role: "editor",
    body: () => ({ version: 1 }),
    otherTenant: 404,
  },
  "DELETE /v1/prompts/{promptId}/labels/{label}": { role: "editor", otherTenant: 404 },
  "POST /v1/prompts/{promptId}/rollback": { role: "editor", body: () => ({}), otherTenant: 404 },
  "POST /v1/prompts/{promptId}/render": {
    role: "viewer",
    body: () => ({ variables: { company: "Globex" } }),
    otherTenant: 404,
  },
  "GET /v1/experiments": { role: "viewer", otherTenant: "own-data-only" },
  "POST /v1/experiments": {
    role: "editor",
    body: (i) => ({
      agentId: i.agentId,
      name: "Spy test",
      variants: [
        { name: "a", share: 0.5 },
        { name: "b", share: 0.5, overrides: { temperature: 1 } },
      ],
    }),
    otherTenant: 404,
  },
  "GET /v1/experiments/{experimentId}": { role: "viewer", otherTenant: 404 },
  "PATCH /v1/experiments/{experimentId}": {
    role: "editor",
    body: () => ({ name: "renamed" }),
    otherTenant: 404,
  },
  "DELETE /v1/experiments/{experimentId}": { role: "editor", otherTenant: 404 },
  "POST /v1/experiments/{experimentId}/start": { role: "editor", otherTenant: 404 },
  "POST /v1/experiments/{experimentId}/stop": { role: "editor", otherTenant: 404 },
  "GET /v1/experiments/{experimentId}/results": { role: "viewer", otherTenant: 404 },
  "POST /v1/experiments/{experimentId}/promote": {
    role: "editor",
    body: () => ({ variantId: "b" }),
    otherTenant: 404,
  },
};

const paramValue = (name: string, i: Ids): string => {
  const value = name === "model" ? i.agentId : (i as unknown as Record<string, string>)[name];
  if (!value) throw new Error(`no fixture id for path parameter ${name}`);
  return value;
};

const fill = (path: string, i: Ids, override?: string): string =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => override ?? encodeURIComponent(paramValue(name, i)));

const authenticated = routes.filter((r) => r.permission !== null);
const keyOf = (r: (typeof routes)[number]): string => `${r.method} ${r.path}`;

/** A key of each role for tenant acme (the test platform's keys). */
const keyFor = (role: Role): string => platform.keys[role];

describe("the isolation suite covers every route", () => {
  it("has a case for every authenticated route, and no case for a route that does not exist", () => {
    expect(authenticated.map(keyOf).filter((k) => !(k in cases))).toEqual([]);
    expect(Object.keys(cases).filter((k) => !authenticated.some((r) => keyOf(r) === k))).toEqual([]);
  });
});

describe.each(authenticated.map((r) => [keyOf(r), r] as const))("%s", (_name, r) => {
  const c = cases[keyOf(r)];
  const needed = c?.role ?? "viewer";
  const below = roles.slice(0, roles.indexOf(needed));

  it(`needs the ${needed} role, as the permission it declares says`, () => {
    expect(permissionTable[r.permission as keyof typeof permissionTable]).toBe(needed);
  });

  it.each(below.length > 0 ? below : ["(none)"])("is refused with 403 for the %s role", async (role) => {
    if (role === "(none)") return; // every role may call it
    const res = await platform.fetch(fill(r.path, ids), {
      method: r.method,
      key: keyFor(role as Role),
      ...(c?.body ? { json: c.body(ids) } : {}),
    });
    expect(res.status, await res.clone().text()).toBe(403);
  });

  it("shows another tenant nothing of this one", async () => {
    const json = c?.body ? c.body(ids) : undefined;
    const res = await platform.fetch(fill(r.path, ids), {
      method: r.method,
      key: platform.keys.otherTenantOwner,
      ...(json !== undefined ? { json } : {}),
    });
    // An error may repeat an id the caller sent ("Agent X not found"); it must not add any other.
    const sent = `${fill(r.path, ids)} ${JSON.stringify(json ?? null)}`;
    const text = await res.text();
    if (c?.otherTenant === 404) {
      expect(res.status, text).toBe(404);
    } else {
      expect(res.status, text).toBeLessThan(300);
    }
    for (const value of Object.values(ids)) if (!sent.includes(value)) expect(text).not.toContain(value);
    expect(text).not.toMatch(/Initech|Board bot|Other bot|acquisition closes/);
  });

  if (r.path.includes("{")) {
    it.each(["..%2F..%2Ftenants%2Fglobex", "a%2Fb", "%2E%2E", "x".repeat(300)])(
      "refuses the id %s cleanly",
      async (bad) => {
        const res = await platform.fetch(fill(r.path, ids, bad), {
          method: r.method,
          ...(c?.body ? { json: c.body(ids) } : {}),
        });
        // The client itself resolves "%2E%2E" to "..": the request then lands on another route (one level up),
        // which refuses the method (405) or, if it takes it, answers as that route. Either way the id never
        // reached this one.
        const sent = fill(r.path, ids, bad);
        if (new URL(sent, platform.url).pathname !== sent) {
          expect(res.status).toBeLessThan(500);
          return;
        }
        expect([400, 404]).toContain(res.status);
        const error = await body<{ error?: { code: string } }>(res);
        expect(error.error?.code).toBeDefined();
      },
    );
  }
});

/**
 * The operator's routes (`/v1/operator/monitor/...`, the monitor's workspace routes over the whole
 * installation) are public in the router's sense (`permission: null`): the operator token opens them, not a
 * workspace's credential. Without it they answer exactly as a route that does not exist, whoever asks; with
 * it they show the installation's scope, never a workspace's ids or names. `/metrics` and `/health?deep=1`
 * are the operator's too.
 */
const operatorRoutes = routes.filter((r) => r.path.startsWith("/v1/operator/"));
/** The fixture's ids (not the tool set's version number, "1", which any figure may contain). */
const fixtureIds = (): string[] => Object.values(ids).filter((v) => v !== ids.version);
const workspaceKeyOf = (r: (typeof routes)[number]): string =>
  `${r.method} ${r.path.replace(/^\/v1\/operator\/monitor\//, "/v1/monitor/")}`;

describe("the operator's routes", () => {
  it("are each a workspace monitor route with a case, public to the router, under the operator's prefix", () => {
    expect(operatorRoutes.length).toBeGreaterThan(10);
    for (const r of operatorRoutes) {
      expect(r.permission, keyOf(r)).toBeNull();
      expect(cases[workspaceKeyOf(r)], keyOf(r)).toBeDefined();
    }
  });

  const strangers = {
    "no credential": () => null,
    "acme's owner": () => platform.keys.owner,
    "another tenant's owner": () => platform.keys.otherTenantOwner,
    "a token one character off": () => `${operatorToken.slice(0, -1)}X`,
    "a workspace key sent as the token's prefix": () => `${platform.keys.owner}${operatorToken}`,
  } as const;

  describe.each(operatorRoutes.map((r) => [keyOf(r), r] as const))("%s", (_name, r) => {
    const c = cases[workspaceKeyOf(r)];
    const path = () => fill(r.path, ids);
    const json = () => (c?.body ? { json: c.body(ids) } : {});

    it.each(Object.keys(strangers) as (keyof typeof strangers)[])("is no route for %s", async (who) => {
      const res = await platform.fetch(path(), { method: r.method, key: strangers[who](), ...json() });
      expect(await body(res)).toEqual({
        error: { code: "not-found", message: `No route for ${r.method} ${path()}` },
      });
      expect(res.status).toBe(404);
    });

    it("shows the operator the installation's scope, nothing of a workspace", async () => {
      const sent = `${path()} ${JSON.stringify(c?.body?.(ids) ?? null)}`;
      const res = await platform.fetch(path(), { method: r.method, key: operatorToken, ...json() });
      const text = await res.text();
      // A workspace's rule or channel id names nothing in the installation's scope.
      if (c?.otherTenant === 404) expect(res.status, text).toBe(404);
      else expect(res.status, text).toBeLessThan(300);
      for (const value of fixtureIds()) if (!sent.includes(value)) expect(text).not.toContain(value);
      expect(text).not.toMatch(/Initech|Board bot|Other bot|acquisition closes|Board pager/);
    });
  });

  it.each(["/metrics", "/health?deep=1"])(
    "%s is no route without the token, and names no workspace with it",
    async (url) => {
      const pathname = url.split("?")[0] as string;
      for (const who of Object.keys(strangers) as (keyof typeof strangers)[]) {
        const res = await platform.fetch(url, { key: strangers[who]() });
        expect(await body(res), who).toEqual({
          error: { code: "not-found", message: `No route for GET ${pathname}` },
        });
      }
      const res = await platform.fetch(url, { key: operatorToken });
      expect(res.status).toBe(200);
      const text = await res.text();
      for (const value of fixtureIds()) expect(text).not.toContain(value);
      expect(text).not.toMatch(/acme|globex|Initech|Board bot|Other bot/);
    },
  );
});

/**
 * The platform operator's console (`/v1/admin/...`): public to the router, opened only by an operator's
 * credential or the operator token; to anyone else, whatever they send, exactly no route.
 */
describe("the operator's console", () => {
  const adminRoutes = routes.filter((r) => r.path.startsWith("/v1/admin/"));
  const strangers: Record<string, () => string | null> = {
    "no credential": () => null,
    ...Object.fromEntries(roles.map((role) => [`acme's ${role}`, () => platform.keys[role]])),
    "another tenant's owner": () => platform.keys.otherTenantOwner,
    "a token one character off": () => `${operatorToken.slice(0, -1)}X`,
  };

  it("are all operator routes", () => {
    expect(adminRoutes.length).toBeGreaterThan(10);
    for (const r of adminRoutes) expect(r.operator, keyOf(r)).toBe(true);
  });

  describe.each(adminRoutes.map((r) => [keyOf(r), r] as const))("%s", (_name, r) => {
    const path = () => r.path.replace(/\{tenantId\}/, "acme");
    it.each(Object.keys(strangers))("is no route for %s", async (who) => {
      const res = await platform.fetch(path(), {
        method: r.method,
        key: (strangers[who] as () => string | null)(),
        ...(r.method === "GET" ? {} : { json: { reason: "x", plan: "free", flags: { mcp: false } } }),
      });
      expect(await body(res)).toEqual({
        error: { code: "not-found", message: `No route for ${r.method} ${path()}` },
      });
    });
  });

  it("leaves acme as it was", async () => {
    const res = await platform.fetch("/v1/workspace");
    expect(await body(res)).toMatchObject({ status: "active", features: { mcp: true } });
  });
});

describe("keys scoped to one agent", () => {
  let scoped: string;
  beforeAll(async () => {
    const res = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "widget", role: "editor", agentId: ids.agentId },
    });
    expect(res.status).toBe(201);
    scoped = (await body<{ key: string }>(res)).key;
  });

  it("talks to its agent, in new and existing conversations", async () => {
    const started = await platform.fetch(`/v1/agents/${ids.agentId}/conversations`, {
      method: "POST",
      json: {},
      key: scoped,
    });
    expect(started.status).toBe(201);
    const { id } = await body<{ id: string }>(started);
    const answered = await platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "When does the acquisition close?" },
      key: scoped,
    });
    expect(answered.status).toBe(200);
    expect((await platform.fetch(`/v1/conversations/${id}/messages`, { key: scoped })).status).toBe(200);
  });

  it("cannot reach another agent of the same tenant, which reads as not found", async () => {
    for (const [method, path, json] of [
      ["POST", `/v1/agents/${ids.otherAgentId}/conversations`, {}],
      ["POST", `/v1/conversations/${ids.otherConversationId}/messages`, { content: "hi there" }],
      ["GET", `/v1/conversations/${ids.otherConversationId}/messages`, undefined],
      [
        "PUT",
        `/v1/conversations/${ids.otherConversationId}/messages/${ids.messageId}/feedback`,
        { rating: "up" },
      ],
      [
        "POST",
        "/v1/chat/completions",
        { model: ids.otherAgentId, messages: [{ role: "user", content: "hi" }] },
      ],
      ["POST", "/v1/responses", { model: ids.otherAgentId, input: "hi" }],
      ["GET", `/v1/responses/${ids.otherResponseId}`, undefined],
    ] as const) {
      const res = await platform.fetch(path, { method, key: scoped, ...(json ? { json } : {}) });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const models = await body<{ data: { id: string }[] }>(
      await platform.fetch("/v1/models", { key: scoped }),
    );
    expect(models.data.map((m) => m.id)).toEqual([ids.agentId]);
  });

  it("holds no other permission, whatever its role", async () => {
    for (const path of [
      "/v1/agents",
      `/v1/agents/${ids.agentId}`,
      `/v1/knowledge-bases/${ids.kbId}`,
      "/v1/knowledge-bases",
      "/v1/conversations",
      "/v1/analytics",
      `/v1/analytics?agentId=${ids.agentId}`,
    ]) {
      expect((await platform.fetch(path, { key: scoped })).status, path).toBe(403);
    }
    const draft = await platform.fetch(`/v1/agents/${ids.agentId}/conversations`, {
      method: "POST",
      json: { version: "draft" },
      key: scoped,
    });
    expect(draft.status).toBe(403);
  });

  it("cannot be created for another tenant's agent, nor above the creator's role", async () => {
    const foreign = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "x", role: "viewer", agentId: ids.agentId },
      key: platform.keys.otherTenantOwner,
    });
    expect(foreign.status).toBe(404);
    const escalate = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "x", role: "owner" },
      key: platform.keys.admin,
    });
    expect(escalate.status).toBe(403);
  });
});

describe("credentials and bodies cannot choose the tenant or the role", () => {
  it("ignores a tenant or role named in a body", async () => {
    const res = await platform.fetch("/v1/agents", {
      method: "POST",
      json: { name: "Mine", tenantId: "globex", role: "owner", status: "published" },
      key: platform.keys.editor,
    });
    expect(res.status).toBe(201);
    const { id } = await body<{ id: string }>(res);
    expect((await platform.fetch(`/v1/agents/${id}`, { key: platform.keys.otherTenantOwner })).status).toBe(
      404,
    );
    expect((await body<{ status: string }>(await platform.fetch(`/v1/agents/${id}`))).status).toBe("draft");
  });

  it("refuses the keys of a deleted tenant", async () => {
    await createTenant(platform.deps, "initech", "Initech");
    const { key } = await createApiKey(platform.deps, "initech", { name: "owner", role: "owner" });
    expect((await platform.fetch("/v1/agents", { key })).status).toBe(200);
    await platform.deps.store.delete("tenants/initech");
    const res = await platform.fetch("/v1/agents", { key });
    expect(res.status).toBe(401);
  });

  it("refuses forged, malformed and revoked keys alike", async () => {
    const revoked = await body<{ id: string; key: string }>(
      await platform.fetch("/v1/api-keys", { method: "POST", json: { name: "old", role: "viewer" } }),
    );
    expect((await platform.fetch(`/v1/api-keys/${revoked.id}`, { method: "DELETE" })).status).toBe(200);
    for (const key of [
      revoked.key,
      `${platform.keys.owner}x`,
      "alk_forged_key_that_is_long_enough",
      "not a key",
    ]) {
      const res = await platform.fetch("/v1/agents", { key });
      expect(res.status, key).toBe(401);
      expect((await body<{ error: { message: string } }>(res)).error.message).not.toContain(key);
    }
    const listed = await body<{ keys: { id: string; revokedAt: string | null; hash?: string }[] }>(
      await platform.fetch("/v1/api-keys"),
    );
    expect(listed.keys.find((k) => k.id === revoked.id)?.revokedAt).not.toBeNull();
    expect(listed.keys.every((k) => k.hash === undefined)).toBe(true);
    // Both the creation and the revocation are in the audit log, with who did it.
    const audit = await body<{ entries: { action: string; actor: string; target: { id: string } }[] }>(
      await platform.fetch("/v1/audit-log?targetType=apiKey"),
    );
    const about = audit.entries.filter((e) => e.target.id === revoked.id).map((e) => e.action);
    expect(about).toEqual(["apikey.revoke", "apikey.create"]);
    expect(audit.entries.find((e) => e.target.id === revoked.id)?.actor).toMatch(/^apikey:/);
  });
});

describe("conversations belong to the credential that started them", () => {
  /** A fresh key of `role` (optionally scoped), and its conversation with the published agent. */
  const keyOfRole = async (role: Role, agentId?: string): Promise<string> =>
    (await createApiKey(platform.deps, "acme", { name: `${role}-conv`, role, agentId: agentId ?? null })).key;
  const start = async (key: string, json: unknown = {}): Promise<string> => {
    const res = await platform.fetch(`/v1/agents/${ids.agentId}/conversations`, {
      method: "POST",
      json,
      key,
    });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await body<{ id: string }>(res)).id;
  };
  const read = (id: string, key: string) => platform.fetch(`/v1/conversations/${id}`, { key });
  const messages = (id: string, key: string) => platform.fetch(`/v1/conversations/${id}/messages`, { key });
  const say = (id: string, key: string) =>
    platform.fetch(`/v1/conversations/${id}/messages`, {
      method: "POST",
      json: { content: "And then?" },
      key,
    });

  it("lets the starter read and continue, and hides the conversation from other viewers and scoped keys", async () => {
    const mine = await keyOfRole("viewer");
    const id = await start(mine);
    expect((await say(id, mine)).status).toBe(200);
    expect((await read(id, mine)).status).toBe(200);
    expect((await messages(id, mine)).status).toBe(200);
    expect(await body<{ startedBy: string }>(await read(id, mine))).toMatchObject({
      startedBy: expect.stringMatching(/^apikey:/) as unknown,
    });

    for (const other of [await keyOfRole("viewer"), await keyOfRole("owner", ids.agentId)]) {
      for (const res of [await read(id, other), await messages(id, other), await say(id, other)]) {
        expect(res.status, await res.clone().text()).toBe(404);
        // Nothing of the end user's words comes back in the refusal.
        expect(await res.text()).not.toContain("And then?");
      }
    }
  });

  it("lets editors read anyone's conversation but nobody continue it", async () => {
    const id = await start(await keyOfRole("viewer"));
    for (const role of ["editor", "admin", "owner"] as const) {
      expect((await read(id, keyFor(role))).status, role).toBe(200);
      expect((await messages(id, keyFor(role))).status, role).toBe(200);
      const refused = await say(id, keyFor(role));
      expect(refused.status, role).toBe(403);
      expect((await body<{ error: { message: string } }>(refused)).error.message).toContain(
        "started by another credential",
      );
    }
  });

  it("needs agents.manage to continue a conversation with a draft, even its own", async () => {
    // A viewer's own draft conversation (its starter lost the editor role since).
    const viewer = await keyOfRole("viewer");
    const id = await start(viewer);
    const path = `tenants/acme/conversations/${id}`;
    await platform.deps.store.update(path, { agentVersion: "draft", channel: "studio" });
    expect((await say(id, viewer)).status).toBe(403);
    expect((await read(id, viewer)).status).toBe(200);
  });

  it("treats conversations from before the starter was recorded as readable and continuable by editors only", async () => {
    const viewer = await keyOfRole("viewer");
    const id = await start(viewer);
    await platform.deps.store.update(`tenants/acme/conversations/${id}`, { startedBy: null });
    expect((await read(id, viewer)).status).toBe(404);
    expect((await say(id, viewer)).status).toBe(404);
    expect((await say(id, keyFor("editor"))).status).toBe(200);
  });
});

describe("every entry point decides the same", () => {
  const callable = (key: string, data: Record<string, unknown>) =>
    platform.fetch(`/${platform.deps.config.projectId}/us-central1/agents-converse`, {
      method: "POST",
      json: { data: { content: "When does the acquisition close?", ...data } },
      key,
    });
  const rest = async (key: string, data: { agentId: string; version?: string; conversationId?: string }) => {
    let conversationId = data.conversationId;
    if (!conversationId) {
      const started = await platform.fetch(`/v1/agents/${data.agentId}/conversations`, {
        method: "POST",
        json: data.version ? { version: data.version } : {},
        key,
      });
      if (started.status !== 201) return started;
      conversationId = (await body<{ id: string }>(started)).id;
    }
    return platform.fetch(`/v1/conversations/${conversationId}/messages`, {
      method: "POST",
      json: { content: "When does the acquisition close?" },
      key,
    });
  };
  const openai = (key: string, model: string) =>
    platform.fetch("/v1/chat/completions", {
      method: "POST",
      json: { model, messages: [{ role: "user", content: "When does the acquisition close?" }] },
      key,
    });

  it("answers a credential the same way through REST, the callable and the OpenAI-compatible API", async () => {
    const scoped = (
      await createApiKey(platform.deps, "acme", { name: "parity", role: "editor", agentId: ids.agentId })
    ).key;
    const revoked = await createApiKey(platform.deps, "acme", { name: "gone", role: "owner" });
    await platform.deps.store.update(`tenants/acme/apiKeys/${revoked.id}`, {
      revokedAt: new Date().toISOString(),
    });
    const someoneElses = ids.conversationId; // started by the owner key in beforeAll

    const scenarios: {
      name: string;
      key: string;
      agentId: string;
      version?: string;
      conversationId?: string;
      expected: number;
    }[] = [
      { name: "scoped key, its agent", key: scoped, agentId: ids.agentId, expected: 200 },
      { name: "scoped key, another agent", key: scoped, agentId: ids.otherAgentId, expected: 404 },
      {
        name: "scoped key, its agent's draft",
        key: scoped,
        agentId: ids.agentId,
        version: "draft",
        expected: 403,
      },
      {
        name: "viewer, the draft",
        key: keyFor("viewer"),
        agentId: ids.agentId,
        version: "draft",
        expected: 403,
      },
      {
        name: "another tenant's owner",
        key: platform.keys.otherTenantOwner,
        agentId: ids.agentId,
        expected: 404,
      },
      { name: "a revoked key", key: revoked.key, agentId: ids.agentId, expected: 401 },
      {
        name: "viewer, someone else's conversation",
        key: keyFor("viewer"),
        agentId: ids.agentId,
        conversationId: someoneElses,
        expected: 404,
      },
      {
        name: "editor, someone else's conversation",
        key: keyFor("editor"),
        agentId: ids.agentId,
        conversationId: someoneElses,
        expected: 403,
      },
    ];
    for (const s of scenarios) {
      const viaRest = await rest(s.key, s);
      expect(viaRest.status, `REST: ${s.name}: ${await viaRest.clone().text()}`).toBe(s.expected);
      const viaCallable = await callable(s.key, {
        agentId: s.agentId,
        ...(s.version ? { version: s.version } : {}),
        ...(s.conversationId ? { conversationId: s.conversationId } : {}),
      });
      expect(viaCallable.status, `callable: ${s.name}: ${await viaCallable.clone().text()}`).toBe(s.expected);
      // The OpenAI-compatible API starts a new conversation with a published agent per request.
      if (!s.version && !s.conversationId) {
        const viaOpenAI = await openai(s.key, s.agentId);
        expect(viaOpenAI.status, `OpenAI-compatible: ${s.name}: ${await viaOpenAI.clone().text()}`).toBe(
          s.expected,
        );
      }
    }
  });
});
