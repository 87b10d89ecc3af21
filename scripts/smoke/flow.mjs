// The Firebase-mode smoke flow, written once: `npm run test:firebase` drives it against the Functions
// emulator (and local mode, to compare), and a deploy runs it against the deployed project
// (`npm run smoke -- --help`). It uses the public surface only, as a client would: HTTP to the API, the
// identity callables, and Firebase Auth's REST API (accounts.mjs).
//
// Every step has a name. A step the caller lists in `notRun` (with the reason) is reported as not run and
// skipped, and so is every step that needs it; any other failure fails the step and the steps after it that
// need what it made. Each HTTP exchange is recorded with its status and the shape of its body (names and
// types, never values), so two runs can be compared: the same flow must answer alike in both modes.

import { createHmac } from "node:crypto";
import { HttpFailure } from "./accounts.mjs";

/** The steps, in order, each with the steps it needs. */
export const steps = [
  { name: "health", needs: [] },
  { name: "sign-up", needs: [] },
  { name: "unauthenticated", needs: [] },
  { name: "accept-invitation", needs: ["sign-up"] },
  { name: "switch-tenant", needs: ["accept-invitation"] },
  { name: "knowledge-base", needs: ["sign-up"] },
  { name: "agent-publish", needs: ["knowledge-base"] },
  { name: "conversation", needs: ["agent-publish"] },
  { name: "conversation-streamed", needs: ["conversation"] },
  { name: "openai-chat", needs: ["agent-publish"] },
  { name: "openai-responses", needs: ["agent-publish"] },
  { name: "mcp", needs: ["agent-publish"] },
  { name: "widget", needs: ["agent-publish"] },
  { name: "whatsapp", needs: ["agent-publish"] },
  { name: "tool-forge", needs: ["sign-up"] },
  { name: "cross-tenant", needs: ["conversation"] },
  { name: "malformed-body", needs: ["sign-up"] },
  { name: "oversized-body", needs: ["sign-up"] },
  { name: "api-keys", needs: ["sign-up"] },
  { name: "billing", needs: ["conversation"] },
  { name: "monitor", needs: ["conversation"] },
  { name: "document-ingest", needs: ["knowledge-base"] },
  { name: "grounded-answer", needs: ["document-ingest", "agent-publish"] },
  { name: "long-term-memory", needs: ["sign-up"] },
  { name: "environments", needs: ["sign-up"] },
  { name: "operator-console", needs: ["sign-up"] },
  { name: "improve", needs: ["sign-up"] },
];

const policy = `# Remote work policy

## Eligibility

Employees may work remotely up to three days per week. Fully remote arrangements need written approval from the People team.

## Equipment

Each remote employee may claim up to 500 euros every two years for home-office equipment such as a chair or a monitor.
`;

/** The shape of a JSON value: its keys and their types, never its values. Arrays show their items' shapes. */
export function shapeOf(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) {
    const items = [...new Set(value.map((item) => JSON.stringify(shapeOf(item))))].sort();
    return items.length === 0 ? "[]" : items.map((item) => JSON.parse(item));
  }
  if (typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, shapeOf(value[key])]),
    );
  }
  return typeof value;
}

class StepFailure extends Error {}

function check(condition, message) {
  if (!condition) throw new StepFailure(message);
}

/**
 * Runs the flow. `api` is the API's base URL (a Hosting site, the Functions emulator's `…/PROJECT/REGION/api`,
 * or the local runtime); `accounts` a driver from accounts.mjs; `notRun` maps a step's name to why it is not
 * run here. `expectMode` is what /health must say. Returns the steps' outcomes and the recorded exchanges.
 */
export async function runFlow({
  api,
  accounts,
  expectMode,
  notRun = {},
  log = console.log,
  runId = Date.now().toString(36),
  bank,
}) {
  const exchanges = [];
  const outcomes = [];
  const state = {};
  let current = "";

  /** One request to the API; recorded under the running step. */
  async function request(label, method, path, { session, json, body, headers = {}, expect } = {}) {
    const sent = { ...headers };
    if (session) sent.authorization = accounts.authorization(session);
    if (json !== undefined) sent["content-type"] = "application/json";
    const response = await fetch(`${api}${path}`, {
      method,
      headers: sent,
      body: json !== undefined ? JSON.stringify(json) : body,
    });
    const type = response.headers.get("content-type") ?? "";
    const text = await response.text();
    let parsed = text;
    if (type.includes("json")) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    } else if (type.includes("text/event-stream")) parsed = parseEvents(text);
    exchanges.push({ step: current, label, method, status: response.status, shape: shapeOf(parsed) });
    if (expect !== undefined && response.status !== expect) {
      throw new HttpFailure(`${label}: expected ${expect}, got`, response.status, parsed);
    }
    return { status: response.status, body: parsed, type };
  }

  const email = (who) => `smoke-${runId}-${who}@example.com`;
  const password = `Smoke-${runId}-password`;

  const bodies = {
    async health() {
      const { body } = await request("health", "GET", "/health", { expect: 200 });
      check(body.mode === expectMode, `/health says mode ${body.mode}, expected ${expectMode}`);
      check(body.status !== "down", `/health says the platform is down: ${JSON.stringify(body.checks)}`);
    },
    async "sign-up"() {
      state.owner = await accounts.signUpWithWorkspace(email("owner"), password, `Smoke ${runId} A`);
      state.other = await accounts.signUpWithWorkspace(email("other"), password, `Smoke ${runId} B`);
      check(
        state.owner.tenantId && state.other.tenantId !== state.owner.tenantId,
        "two sign-ups, two tenants",
      );
      check(
        state.owner.role === "owner",
        `the new workspace's creator is its owner (got ${state.owner.role})`,
      );
      // Signing in again with the password gives a session in the same workspace, as its owner.
      const again = await accounts.signIn(email("owner"), password);
      check(
        again.tenantId === state.owner.tenantId && again.role === "owner",
        `signing in again lands in the owner's workspace (got ${again.tenantId} as ${again.role})`,
      );
      state.owner = { ...state.owner, ...again };
      await request("list agents of a new workspace", "GET", "/v1/agents", {
        session: state.owner,
        expect: 200,
      });
    },
    async unauthenticated() {
      const { body } = await request("no credentials", "GET", "/v1/agents", { expect: 401 });
      check(body?.error?.code === "unauthenticated", "401 names the error");
      await request("a forged token", "GET", "/v1/agents", {
        headers: { authorization: "Bearer forged.token.value" },
        expect: 401,
      });
    },
    async "accept-invitation"() {
      const { body: invitation } = await request("invite", "POST", "/v1/invitations", {
        session: state.other,
        json: { email: email("owner"), role: "editor" },
        expect: 201,
      });
      const verified = await accounts.verifyEmail(state.owner);
      state.ownerInB = await accounts.acceptInvitation(verified, invitation.token);
      check(
        state.ownerInB.tenantId === state.other.tenantId,
        "after accepting, the session is in the inviting tenant",
      );
      check(state.ownerInB.role === "editor", `the invited role is granted (got ${state.ownerInB.role})`);
      await request("read the new tenant", "GET", "/v1/agents", { session: state.ownerInB, expect: 200 });
      await request("members need members.manage", "GET", "/v1/members", {
        session: state.ownerInB,
        expect: 403,
      });
    },
    async "switch-tenant"() {
      const back = await accounts.switchWorkspace(state.ownerInB, state.owner.tenantId);
      check(back.tenantId === state.owner.tenantId && back.role === "owner", "switched back, as owner");
      await request("members, as owner again", "GET", "/v1/members", { session: back, expect: 200 });
      state.owner = back;
    },
    async "knowledge-base"() {
      const { body } = await request("create a knowledge base", "POST", "/v1/knowledge-bases", {
        session: state.owner,
        json: { name: "Smoke handbook" },
        expect: 201,
      });
      state.kbId = body.id;
      await request("read it", "GET", `/v1/knowledge-bases/${state.kbId}`, {
        session: state.owner,
        expect: 200,
      });
    },
    async "agent-publish"() {
      const { body } = await request("create an agent", "POST", "/v1/agents", {
        session: state.owner,
        json: { name: "Smoke agent", knowledgeBaseIds: [state.kbId] },
        expect: 201,
      });
      state.agentId = body.id;
      const { body: published } = await request("publish", "POST", `/v1/agents/${state.agentId}/publish`, {
        session: state.owner,
        expect: 200,
      });
      check(published.latestVersion === 1, `the first publish is version 1 (got ${published.latestVersion})`);
      await request("read the agent", "GET", `/v1/agents/${state.agentId}`, {
        session: state.owner,
        expect: 200,
      });
    },
    async conversation() {
      const { body } = await request(
        "start a conversation",
        "POST",
        `/v1/agents/${state.agentId}/conversations`,
        {
          session: state.owner,
          expect: 201,
        },
      );
      state.conversationId = body.id;
      const { body: answer } = await request(
        "ask",
        "POST",
        `/v1/conversations/${state.conversationId}/messages`,
        {
          session: state.owner,
          json: { content: "How many days a week may I work from home?" },
          expect: 200,
        },
      );
      const message = answer.message;
      check(typeof message?.traceId === "string", "the answer names its trace");
      check(
        typeof message.confidence === "number" && typeof message.explanation === "string",
        "confidence and explanation",
      );
      state.traceId = message.traceId;
      await request("its decision trace", "GET", `/v1/traces/${state.traceId}`, {
        session: state.owner,
        expect: 200,
      });
      await request("the conversation", "GET", `/v1/conversations/${state.conversationId}`, {
        session: state.owner,
        expect: 200,
      });
    },
    async "conversation-streamed"() {
      const { body, type } = await request(
        "ask, streamed",
        "POST",
        `/v1/conversations/${state.conversationId}/messages`,
        {
          session: state.owner,
          json: { content: "And how much for a chair?", stream: true },
          expect: 200,
        },
      );
      check(type.includes("text/event-stream"), `a stream is sent as text/event-stream (got ${type})`);
      const names = body.map((e) => e.event);
      check(
        names.at(-1) === "message",
        `the stream ends with the checked message (events: ${names.join(", ")})`,
      );
      check(
        names.slice(0, -1).every((n) => n === "delta"),
        `only deltas come before it (events: ${names.join(", ")})`,
      );
      check(typeof body.at(-1).data?.message?.traceId === "string", "the streamed message names its trace");
    },
    async "openai-chat"() {
      const { body } = await request("chat completion", "POST", "/v1/chat/completions", {
        session: state.owner,
        json: {
          model: state.agentId,
          messages: [{ role: "user", content: "How many days a week may I work from home?" }],
        },
        expect: 200,
      });
      check(body.object === "chat.completion", "an OpenAI chat completion");
      check(typeof body.choices?.[0]?.message?.content === "string", "with the answer's text");
      check(typeof body.alchemist?.traceId === "string", "and its accountability in `alchemist`");
    },
    async "openai-responses"() {
      const question = "How many days a week may I work from home?";
      const { body: first } = await request("a response", "POST", "/v1/responses", {
        session: state.owner,
        json: { model: state.agentId, input: question },
        expect: 200,
      });
      check(first.object === "response" && first.status === "completed", "an Open Responses response");
      check(typeof first.output?.[0]?.content?.[0]?.text === "string", "with the answer's text");
      check(typeof first.alchemist?.traceId === "string", "and its accountability in `alchemist`");
      const { body: next } = await request("a response that continues it", "POST", "/v1/responses", {
        session: state.owner,
        json: { model: state.agentId, input: "And fully remote?", previous_response_id: first.id },
        expect: 200,
      });
      check(next.previous_response_id === first.id, "continuing the same conversation");
      check(
        next.alchemist?.conversationId === first.alchemist?.conversationId,
        "the two answers share their conversation",
      );
      const { body: again } = await request("the response, read back", "GET", `/v1/responses/${first.id}`, {
        session: state.owner,
        expect: 200,
      });
      check(again.id === first.id && again.output?.[0]?.id === first.output?.[0]?.id, "read back as created");
      await request("branching from an answer already continued", "POST", "/v1/responses", {
        session: state.owner,
        json: { model: state.agentId, input: question, previous_response_id: first.id },
        expect: 409,
      });
      const { body: foreign } = await request("another tenant reads it", "GET", `/v1/responses/${first.id}`, {
        session: state.other,
        expect: 404,
      });
      check(foreign?.error?.code === "response_not_found", "as if it did not exist");
    },
    async mcp() {
      // The 2025-11-25 revision, as a stateless client sends it (each answer is one SSE message).
      const rpc = (label, method, params, session = state.owner) =>
        request(label, "POST", "/mcp", {
          session,
          json: { jsonrpc: "2.0", id: 1, method, params },
          headers: { accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-11-25" },
          expect: 200,
        });
      const resultOf = (body) => (Array.isArray(body) ? body.at(-1)?.data?.result : body?.result);
      const listed = resultOf((await rpc("MCP tools/list", "tools/list", {})).body);
      const ask = listed?.tools?.find((t) => t.name.startsWith("ask_"));
      check(ask !== undefined, "an ask_ tool for the published agent");
      const called = resultOf(
        (
          await rpc("MCP tools/call", "tools/call", {
            name: ask?.name,
            arguments: { question: "How many days a week may I work from home?" },
          })
        ).body,
      );
      check(typeof called?.structuredContent?.answer === "string", "an answer in structured content");
      check(typeof called?.structuredContent?.traceId === "string", "with its trace id");
      const other = resultOf(
        (await rpc("MCP tools/list, another tenant", "tools/list", {}, state.other)).body,
      );
      check(
        !(other?.tools ?? []).some((t) => t.name === ask?.name),
        "another tenant does not see the agent as a tool",
      );
      await request("MCP without a credential", "POST", "/mcp", {
        json: { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
        expect: 401,
      });
    },
    async widget() {
      const site = "https://smoke.example.com";
      const { body: widget } = await request("create a web chat widget", "POST", "/v1/widgets", {
        session: state.owner,
        json: { agentId: state.agentId, allowedOrigins: [site] },
        expect: 201,
      });
      check(/^wk_/.test(widget.key ?? ""), "a publishable key");
      const visitor = `smoke-visitor-${runId}`.padEnd(22, "0");
      const asPage = (origin = site) => ({ origin, "x-widget-visitor": visitor });
      const config = await request(
        "the widget's config, from the site",
        "GET",
        `/widget/v1/${widget.key}/config`,
        {
          headers: asPage(),
          expect: 200,
        },
      );
      check(config.body?.theme?.title !== undefined, "its theme");
      await request("the widget from another site", "GET", `/widget/v1/${widget.key}/config`, {
        headers: asPage("https://elsewhere.example.com"),
        expect: 403,
      });
      const question = "How many days a week may I work from home?";
      const { body: events } = await request(
        "a streamed answer in the widget",
        "POST",
        `/widget/v1/${widget.key}/messages`,
        {
          headers: { ...asPage(), accept: "text/event-stream" },
          json: { content: question, clientMessageId: `smoke-${runId}-1` },
          expect: 200,
        },
      );
      const answer = Array.isArray(events) ? events.at(-1)?.data?.message : undefined;
      check(
        typeof answer?.content === "string" && Array.isArray(answer?.citations),
        "an answer with its sources",
      );
      const { body: replayed } = await request(
        "the same message again",
        "POST",
        `/widget/v1/${widget.key}/messages`,
        {
          headers: asPage(),
          json: { content: question, clientMessageId: `smoke-${runId}-1` },
          expect: 200,
        },
      );
      check(replayed?.message?.id === answer?.id, "a replay gets the first answer, not a second turn");
      const { body: history } = await request(
        "the visitor's conversation",
        "GET",
        `/widget/v1/${widget.key}/conversation`,
        {
          headers: asPage(),
          expect: 200,
        },
      );
      check(history?.messages?.length === 2, `one question, one answer (got ${history?.messages?.length})`);
      await request("another tenant reads the widget", "GET", `/v1/widgets/${widget.id}`, {
        session: state.other,
        expect: 404,
      });
      await request("delete the widget", "DELETE", `/v1/widgets/${widget.id}`, {
        session: state.owner,
        expect: 204,
      });
      await request("its key, after", "GET", `/widget/v1/${widget.key}/config`, {
        headers: asPage(),
        expect: 404,
      });
    },
    async whatsapp() {
      const appSecret = `smoke-app-secret-${runId}`;
      const verifyToken = `smoke-verify-${runId}`;
      const phoneNumberId = String(Date.now()).slice(-12);
      const { body: connection } = await request(
        "connect a WhatsApp number",
        "POST",
        "/v1/whatsapp/connections",
        {
          session: state.owner,
          json: {
            phoneNumberId,
            wabaId: "1000000001",
            agentId: state.agentId,
            accessToken: `smoke-token-${runId}`,
            appSecret,
            verifyToken,
          },
          expect: 201,
        },
      );
      const hook = connection.webhookPath;
      const { body: challenge } = await request(
        "Meta's handshake",
        "GET",
        `${hook}?hub.mode=subscribe&hub.verify_token=${verifyToken}&hub.challenge=4242`,
        { expect: 200 },
      );
      check(String(challenge) === "4242", "the challenge back");
      const from = "31600000001";
      const delivery = JSON.stringify({
        object: "whatsapp_business_account",
        entry: [
          {
            id: "1000000001",
            changes: [
              {
                field: "messages",
                value: {
                  messaging_product: "whatsapp",
                  metadata: { phone_number_id: phoneNumberId },
                  contacts: [{ wa_id: from }],
                  messages: [
                    {
                      from,
                      id: `wamid.smoke.${runId}`,
                      timestamp: String(Math.floor(Date.now() / 1000)),
                      type: "text",
                      text: { body: "How many days a week may I work from home?" },
                    },
                  ],
                },
              },
            ],
          },
        ],
      });
      const signed = {
        "content-type": "application/json",
        "x-hub-signature-256": `sha256=${createHmac("sha256", appSecret).update(delivery).digest("hex")}`,
      };
      const { body: first } = await request("a signed delivery", "POST", hook, {
        body: delivery,
        headers: signed,
        expect: 200,
      });
      check(first?.received?.messages === 1, "recorded once");
      const { body: again } = await request("the same delivery, replayed", "POST", hook, {
        body: delivery,
        headers: signed,
        expect: 200,
      });
      check(again?.received?.duplicates === 1, "a replay is a duplicate");
      await request("an unsigned delivery", "POST", hook, {
        body: delivery,
        headers: { "content-type": "application/json" },
        expect: 401,
      });
      // Answered in the background (a task): the conversation appears with the question and its answer.
      // Waited for unrecorded (the number of polls differs from run to run), then read once on the record.
      const listing = `/v1/conversations?channel=whatsapp&agentId=${state.agentId}`;
      const answered = (body) => body?.conversations?.find((c) => c.messageCount >= 2);
      for (let i = 0; i < 60; i++) {
        const response = await fetch(`${api}${listing}`, {
          headers: { authorization: accounts.authorization(state.owner) },
        });
        if (response.ok && answered(await response.json())) break;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
      const { body: listed } = await request("the WhatsApp conversation", "GET", listing, {
        session: state.owner,
        expect: 200,
      });
      check(answered(listed) !== undefined, "the message was answered in its conversation");
      await request("disconnect the number", "DELETE", `/v1/whatsapp/connections/${connection.id}`, {
        session: state.owner,
        expect: 204,
      });
    },
    async "cross-tenant"() {
      const other = { session: state.other };
      const refused = [
        ["another tenant's agent", "GET", `/v1/agents/${state.agentId}`],
        ["a conversation with it", "POST", `/v1/agents/${state.agentId}/conversations`],
        ["another tenant's conversation", "GET", `/v1/conversations/${state.conversationId}`],
        [
          "a message into it",
          "POST",
          `/v1/conversations/${state.conversationId}/messages`,
          { content: "hello" },
        ],
        ["another tenant's trace", "GET", `/v1/traces/${state.traceId}`],
        ["another tenant's knowledge base", "GET", `/v1/knowledge-bases/${state.kbId}`],
        [
          "its agent as a chat model",
          "POST",
          "/v1/chat/completions",
          { model: state.agentId, messages: [{ role: "user", content: "hi" }] },
        ],
      ];
      for (const [label, method, path, json] of refused) {
        const { body } = await request(label, method, path, { ...other, json, expect: 404 });
        // The OpenAI-compatible endpoint answers in OpenAI's error shape (code `model_not_found`).
        const expected = path === "/v1/chat/completions" ? "model_not_found" : "not-found";
        check(
          body?.error?.code === expected,
          `${label}: 404 ${expected}, as if it did not exist (got ${body?.error?.code})`,
        );
      }
      // And the owner still sees it all: nothing of the other tenant's attempts changed it.
      await request("the owner's agent, still there", "GET", `/v1/agents/${state.agentId}`, {
        session: state.owner,
        expect: 200,
      });
    },
    async "malformed-body"() {
      const { body } = await request("malformed JSON", "POST", "/v1/agents", {
        session: state.owner,
        body: '{"name": "broken',
        headers: { "content-type": "application/json" },
        expect: 400,
      });
      // Cloud Functions parses a JSON body before any function runs, and refuses malformed JSON itself with
      // Express's own 400 page: the platform never sees the request (README, "Firebase mode").
      if (accounts.mode !== "firebase")
        check(body?.error?.code === "invalid-argument", "400 invalid-argument");
      const { body: invalid } = await request("a wrong field", "POST", "/v1/agents", {
        session: state.owner,
        json: { name: 42 },
        expect: 400,
      });
      check(
        typeof invalid?.error?.message === "string" && invalid.error.message.includes("name"),
        "the error names the field",
      );
    },
    async "oversized-body"() {
      const { body } = await request("a 2 MiB JSON body", "POST", "/v1/agents", {
        session: state.owner,
        json: { name: "big", instructions: "x".repeat(2 * 1024 * 1024) },
        expect: 413,
      });
      check(body?.error?.code === "payload-too-large", "413 payload-too-large");
      await request("the next request is served", "GET", "/v1/agents", { session: state.owner, expect: 200 });
    },
    async billing() {
      // A workspace signed up for is on the free plan, its limits listed with their use; usage reads rollups.
      const { body: overview } = await request("the billing overview", "GET", "/v1/billing", {
        session: state.owner,
        expect: 200,
      });
      check(overview.plan?.id === "free", `a new workspace is on the free plan, not ${overview.plan?.id}`);
      check(Number.isInteger(overview.account?.balanceMicros), "the balance is whole micros");
      check(Array.isArray(overview.limits) && overview.limits.length > 0, "the plan's limits are listed");
      const { body: usage } = await request("30 days of usage", "GET", "/v1/billing/usage", {
        session: state.owner,
        expect: 200,
      });
      check(Array.isArray(usage.days) && usage.days.length === 30, "one entry per day of the window");
      // Unsigned (or Stripe not connected): refused before anything is stored.
      await request("an unsigned Stripe webhook", "POST", "/webhooks/stripe", {
        json: { id: "evt_smoke", type: "checkout.session.completed", data: { object: {} } },
        expect: 400,
      });
    },

    async monitor() {
      // The workspace's alert rules start as the shipped defaults; its turns are in the metric series.
      const { body: rules } = await request("the alert rules", "GET", "/v1/monitor/rules", {
        session: state.owner,
        expect: 200,
      });
      const ids = (rules.rules ?? []).map((r) => r.id);
      check(ids.includes("error-rate") && ids.includes("probe-failing"), "the default rules are listed");
      const { body: series } = await request("an hour of turns per minute", "GET", "/v1/monitor/series", {
        session: state.owner,
        expect: 200,
      });
      check(Array.isArray(series.points) && series.points.length === 60, "60 points for the last hour");
      const { body: created } = await request("add a rule", "POST", "/v1/monitor/rules", {
        session: state.owner,
        json: {
          name: "smoke",
          metric: "error-rate",
          condition: { type: "threshold", op: ">", value: 0.5 },
          windowMinutes: 5,
          severity: "warning",
        },
        expect: 201,
      });
      await request("delete it", "DELETE", `/v1/monitor/rules/${created.id}`, {
        session: state.owner,
        expect: 204,
      });
      await request("the SLA report", "GET", "/v1/monitor/sla", { session: state.owner, expect: 200 });
      // The operator's surface does not exist for anyone without the operator token.
      await request("metrics without the operator token", "GET", "/metrics", {
        session: state.owner,
        expect: 404,
      });
    },

    async environments() {
      // A version published to development serves there only, until it is promoted to production.
      const { body: agent } = await request("create an agent", "POST", "/v1/agents", {
        session: state.owner,
        json: { name: "Smoke releases" },
        expect: 201,
      });
      await request("publish to development", "POST", `/v1/agents/${agent.id}/publish`, {
        session: state.owner,
        json: { environment: "development" },
        expect: 200,
      });
      // As the studio does (API keys bound to an environment are checked in agents/environments.test.ts: the
      // small Firestore server cannot find keys, see api-keys).
      const start = (label, version, expect) =>
        request(label, "POST", `/v1/agents/${agent.id}/conversations`, {
          session: state.owner,
          json: { version },
          expect,
        });
      const { body: started } = await start("talk to development", { environment: "development" }, 201);
      check(started.agentVersion === 1, `development serves version 1 (got ${started.agentVersion})`);
      await start("production has nothing published yet", "published", 400);
      await request("promote to staging", "POST", `/v1/agents/${agent.id}/environments/staging/promote`, {
        session: state.owner,
        json: {},
        expect: 200,
      });
      const { body: view } = await request(
        "promote to production",
        "POST",
        `/v1/agents/${agent.id}/environments/production/promote`,
        { session: state.owner, json: {}, expect: 200 },
      );
      check(
        view.environments.every((e) => e.version === 1) && view.history.length === 3,
        "every environment serves version 1, after a publish and two promotions",
      );
      await start("production answers now", "published", 201);
      await request("another tenant cannot see the releases", "GET", `/v1/agents/${agent.id}/environments`, {
        session: state.other,
        expect: 404,
      });
    },

    async "operator-console"() {
      // The operator's console does not exist for a workspace owner; the workspace's standing does.
      for (const path of ["/v1/admin/me", "/v1/admin/workspaces", "/v1/operator/monitor/overview"]) {
        const { body } = await request(`${path} as an owner`, "GET", path, {
          session: state.owner,
          expect: 404,
        });
        check(body.error?.message === `No route for GET ${path}`, `${path} answers as no route at all`);
      }
      await request("an admin route without credentials", "POST", "/v1/admin/workspaces/x/suspend", {
        json: { reason: "x" },
        expect: 404,
      });
      const { body: workspace } = await request("the workspace's standing", "GET", "/v1/workspace", {
        session: state.owner,
        expect: 200,
      });
      check(
        workspace.status === "active" && workspace.features.whatsapp === true,
        "active, every feature on",
      );
      check(workspace.environments.at(-1)?.name === "production", "production is the last environment");
    },

    async "api-keys"() {
      const { body: created } = await request("create a viewer key", "POST", "/v1/api-keys", {
        session: state.owner,
        json: { name: "smoke", role: "viewer" },
        expect: 201,
      });
      const keySession = { token: created.key };
      const viaKey = { session: keySession };
      await request("list agents with the key", "GET", "/v1/agents", { ...viaKey, expect: 200 });
      await request("a viewer key cannot create", "POST", "/v1/agents", {
        ...viaKey,
        json: { name: "no" },
        expect: 403,
      });
      await request("revoke it", "DELETE", `/v1/api-keys/${created.id}`, {
        session: state.owner,
        expect: 200,
      });
      await request("a revoked key", "GET", "/v1/agents", { ...viaKey, expect: 401 });
    },
    async "document-ingest"() {
      const { body } = await request(
        "add a document",
        "POST",
        `/v1/knowledge-bases/${state.kbId}/documents`,
        {
          session: state.owner,
          json: { name: "remote-work.md", text: policy },
          expect: 202,
        },
      );
      const docId = body.id ?? body.documentId;
      check(typeof docId === "string", "the document's id");
      // Ingestion runs on the task queues (knowledge-ingestDocument, then knowledge-embedChunks).
      const deadline = Date.now() + 60_000;
      for (;;) {
        const { body: doc } = await request(
          "document status",
          "GET",
          `/v1/knowledge-bases/${state.kbId}/documents/${docId}`,
          {
            session: state.owner,
            expect: 200,
          },
        );
        if (doc.status === "ready") break;
        check(doc.status !== "failed", `ingestion failed: ${JSON.stringify(doc.error ?? doc)}`);
        check(
          Date.now() < deadline,
          `the document is still ${doc.status} after 60 s: are the task queues dispatching?`,
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // Polls differ in number between runs: keep one record of them.
      const polls = exchanges.filter((e) => e.step === current && e.label === "document status");
      for (const poll of polls.slice(0, -1)) exchanges.splice(exchanges.indexOf(poll), 1);
    },
    async "long-term-memory"() {
      // An agent that remembers: what the end user says in one conversation is recalled and cited in the next,
      // shown on their page, and gone after an erasure.
      const { body: created } = await request("create an agent with memory", "POST", "/v1/agents", {
        session: state.owner,
        // No knowledge base: what it answers from is the end user's memory (and the small Firestore server
        // runs no vector search).
        json: { name: "Smoke concierge", longTermMemory: { enabled: true } },
        expect: 201,
      });
      await request("publish it", "POST", `/v1/agents/${created.id}/publish`, {
        session: state.owner,
        expect: 200,
      });
      const endUserRef = `smoke-end-user-${Date.now()}`;
      const converse = async (label, content) => {
        const { body: conversation } = await request(
          `${label}: a conversation`,
          "POST",
          `/v1/agents/${created.id}/conversations`,
          { session: state.owner, json: { endUserRef }, expect: 201 },
        );
        const { body } = await request(label, "POST", `/v1/conversations/${conversation.id}/messages`, {
          session: state.owner,
          json: { content },
          expect: 200,
        });
        return body.message;
      };
      await converse("tell it a name", "Hi, my name is Dana.");
      const recalled = await converse("ask for it later", "What is my name?");
      check(recalled.content.includes("Dana"), `the name is recalled (got "${recalled.content}")`);
      check(
        recalled.citations.some((c) => c.ref === "M1" && typeof c.memoryId === "string"),
        "the answer cites the memory as [M1]",
      );
      const { body: list } = await request("the end users", "GET", "/v1/end-users", {
        session: state.owner,
        expect: 200,
      });
      const endUser = list.endUsers.find((u) => u.endUserRef === endUserRef);
      check(endUser?.memoryCount === 1, "the end user is listed with one memory");
      const { body: page } = await request("their page", "GET", `/v1/end-users/${endUser.endUserKey}`, {
        session: state.owner,
        expect: 200,
      });
      check(page.memories[0]?.text === "Your name is Dana.", "their page shows the memory");
      const { body: erased } = await request("erase them", "POST", "/v1/privacy/erase", {
        session: state.owner,
        json: { endUserRef },
        expect: 200,
      });
      check(erased.deleted.memory.memories === 1, "the erasure deletes the memory");
      await request("their page after it", "GET", `/v1/end-users/${endUser.endUserKey}`, {
        session: state.owner,
        expect: 404,
      });
    },
    async improve() {
      // The improvement loop: a prompt template an agent uses, a rated answer, an eval run on the sandbox-runEval
      // task queue, a fine-tuning export of the rated answer, and the export withdrawing it when its end user is
      // erased. No knowledge base: the agent answers from memory and abstains otherwise (the small Firestore
      // server runs no vector search).
      const { body: template } = await request("create a prompt template", "POST", "/v1/prompts", {
        session: state.owner,
        json: {
          name: "Smoke concierge voice",
          text: "You are the concierge of {{company}}. Answer briefly.",
          variables: [{ name: "company", type: "string" }],
          labels: ["production"],
        },
        expect: 201,
      });
      const { body: agent } = await request("an agent using it", "POST", "/v1/agents", {
        session: state.owner,
        json: {
          name: "Smoke improved concierge",
          prompt: { templateId: template.id, label: "production", variables: { company: "Smoke Inc" } },
          longTermMemory: { enabled: true },
        },
        expect: 201,
      });
      await request("publish it", "POST", `/v1/agents/${agent.id}/publish`, {
        session: state.owner,
        expect: 200,
      });
      const endUserRef = `smoke-improve-${Date.now()}`;
      const converse = async (label, content) => {
        const { body: conversation } = await request(
          `${label}: a conversation`,
          "POST",
          `/v1/agents/${agent.id}/conversations`,
          { session: state.owner, json: { endUserRef }, expect: 201 },
        );
        const { body } = await request(label, "POST", `/v1/conversations/${conversation.id}/messages`, {
          session: state.owner,
          json: { content },
          expect: 200,
        });
        return { conversationId: conversation.id, message: body.message };
      };
      await converse("tell it a name", "Hi, my name is Dana.");
      const answer = await converse("ask for it later", "What is my name?");
      check(
        answer.message.content.includes("Dana"),
        `the name is recalled (got "${answer.message.content}")`,
      );
      const { body: trace } = await request(
        "the answer's trace",
        "GET",
        `/v1/traces/${answer.message.traceId}`,
        {
          session: state.owner,
          expect: 200,
        },
      );
      check(
        trace.prompt?.templateId === template.id && trace.prompt?.version === 1,
        `the trace names the template and its version (got ${JSON.stringify(trace.prompt)})`,
      );
      await request(
        "rate the answer up",
        "PUT",
        `/v1/conversations/${answer.conversationId}/messages/${answer.message.id}/feedback`,
        { session: state.owner, json: { rating: "up", comment: "Right" }, expect: 200 },
      );

      // An eval run: questions the agent cannot answer, which it should abstain on.
      const { body: dataset } = await request("create an eval dataset", "POST", "/v1/eval/datasets", {
        session: state.owner,
        json: { name: "Smoke abstentions" },
        expect: 201,
      });
      for (const question of ["What is the code name of project Lark?", "Who audits the Lark budget?"]) {
        await request("add an item", "POST", `/v1/eval/datasets/${dataset.id}/items`, {
          session: state.owner,
          json: { question, shouldAbstain: true },
          expect: 201,
        });
      }
      const { body: started } = await request("start a run", "POST", "/v1/eval/runs", {
        session: state.owner,
        json: { datasetId: dataset.id, target: { agentId: agent.id, version: 1 } },
        expect: 202,
      });
      const deadline = Date.now() + 60_000;
      let run;
      for (;;) {
        ({ body: run } = await request("run status", "GET", `/v1/eval/runs/${started.id}`, {
          session: state.owner,
          expect: 200,
        }));
        if (!["queued", "running"].includes(run.status)) break;
        check(
          Date.now() < deadline,
          `the run is still ${run.status} after 60 s: is sandbox-runEval dispatching?`,
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // Polls differ in number between runs: keep one record of them.
      const polls = exchanges.filter((e) => e.step === current && e.label === "run status");
      for (const poll of polls.slice(0, -1)) exchanges.splice(exchanges.indexOf(poll), 1);
      check(
        run.status === "completed",
        `the run completed (got ${run.status}: ${JSON.stringify(run.error)})`,
      );
      check(
        run.scores?.items === 2 && run.scores?.accuracy === 1,
        `both items scored, both abstentions right (got ${JSON.stringify(run.scores)})`,
      );

      // The rated answer as fine-tuning data, then withdrawn when its end user is erased.
      const { body: exported } = await request("export the rated answer", "POST", "/v1/tuning/exports", {
        session: state.owner,
        json: { agentId: agent.id, validationShare: 0 },
        expect: 201,
      });
      check(exported.counts?.train === 1, `one training example (got ${JSON.stringify(exported.counts)})`);
      // JSONL: one line parses as JSON (the content type says json), more lines stay text.
      const train = async (label) => {
        const { body } = await request(label, "GET", `/v1/tuning/exports/${exported.id}/files/train`, {
          session: state.owner,
          expect: 200,
        });
        return typeof body === "string" ? body : JSON.stringify(body);
      };
      check((await train("the training file")).includes("Dana"), "the training file holds the answer");
      await request("erase the end user", "POST", "/v1/privacy/erase", {
        session: state.owner,
        json: { endUserRef },
        expect: 200,
      });
      const { body: after } = await request(
        "the export after it",
        "GET",
        `/v1/tuning/exports/${exported.id}`,
        {
          session: state.owner,
          expect: 200,
        },
      );
      check(
        after.counts?.train === 0 && after.withdrawn?.examples === 1,
        `the example is withdrawn (got ${JSON.stringify({ counts: after.counts, withdrawn: after.withdrawn })})`,
      );
      check(
        !String(await train("the training file after it")).includes("Dana"),
        "the file no longer holds it",
      );
    },
    async "grounded-answer"() {
      const { body } = await request(
        "start another conversation",
        "POST",
        `/v1/agents/${state.agentId}/conversations`,
        {
          session: state.owner,
          expect: 201,
        },
      );
      const { body: answer } = await request(
        "ask what the document says",
        "POST",
        `/v1/conversations/${body.id}/messages`,
        {
          session: state.owner,
          json: { content: "How many days per week may employees work remotely?" },
          expect: 200,
        },
      );
      const message = answer.message;
      check(!message.abstained, `the agent answers from the document (it abstained: ${message.explanation})`);
      check(/three/i.test(message.content), `the answer says three days (got: ${message.content})`);
      check(
        message.citations?.some((c) => c.docName === "remote-work.md"),
        "and cites the document",
      );
    },
    // Tool Forge against the Banking API example: a sealed OAuth credential, the bank's document imported from its
    // URL through the egress guard, a published version, a read tried (its token fetched, masked in the request
    // shown), a write refused without a person's confirmation, and nothing of it visible to another tenant.
    async "tool-forge"() {
      const { body: credential } = await request("a credential", "POST", "/v1/tool-credentials", {
        session: state.owner,
        json: {
          name: "Smoke bank",
          kind: "oauth2-client-credentials",
          secret: bank.clientSecret,
          oauth: { tokenUrl: `${bank.url}/oauth/token`, clientId: bank.clientId, scopes: ["accounts:read"] },
        },
        expect: 201,
      });
      check(!JSON.stringify(credential).includes(bank.clientSecret), "the secret is never returned");
      const { body: set } = await request(
        "import the bank's document from its URL",
        "POST",
        "/v1/tool-sets/import",
        {
          session: state.owner,
          json: {
            url: `${bank.url}/openapi.json`,
            baseUrl: bank.url,
            credentialId: credential.id,
            enable: "read",
          },
          expect: 201,
        },
      );
      check(
        set.tools.some((t) => t.name === "listAccounts" && t.enabled),
        "its reads are tools, switched on",
      );
      await request("publish it", "POST", `/v1/tool-sets/${set.id}/publish`, {
        session: state.owner,
        expect: 201,
      });
      const { body: tried } = await request(
        "try a read",
        "POST",
        `/v1/tool-sets/${set.id}/tools/listAccounts/try`,
        {
          session: state.owner,
          json: { arguments: {} },
          expect: 200,
        },
      );
      check(tried.ok === true && tried.status === 200, `the bank answered the read (got ${tried.status})`);
      check(tried.request?.headers?.authorization === "Bearer ***", "the request shown masks the token");
      const { body: refused } = await request(
        "a write without confirmation",
        "POST",
        `/v1/tool-sets/${set.id}/tools/createTransfer/try`,
        { session: state.owner, json: { arguments: {} }, expect: 400 },
      );
      check(/confirm/.test(refused?.error?.message ?? ""), "the write is refused until a person confirms it");
      await request("another tenant's view of it", "GET", `/v1/tool-sets/${set.id}`, {
        session: state.other,
        expect: 404,
      });
    },
  };

  const skipped = {
    ...(bank
      ? {}
      : {
          "tool-forge": "no demo bank to import (the Banking API example; pass its URL and client to run it)",
        }),
    ...(accounts.canVerifyEmail
      ? {}
      : {
          "accept-invitation":
            "accepting needs a verified email address, which only the Auth emulator lets a script set",
        }),
    ...notRun,
  };
  const passed = new Set();
  for (const step of steps) {
    current = step.name;
    const missing = step.needs.filter((need) => !passed.has(need));
    if (skipped[step.name] !== undefined) {
      outcomes.push({ name: step.name, result: "not run", reason: skipped[step.name] });
      log(`  -  ${step.name}: not run here: ${skipped[step.name]}`);
      continue;
    }
    if (missing.length > 0) {
      const reason = `needs ${missing.join(", ")}`;
      outcomes.push({ name: step.name, result: "not run", reason });
      log(`  -  ${step.name}: not run: ${reason}`);
      continue;
    }
    const started = Date.now();
    try {
      await bodies[step.name]();
      passed.add(step.name);
      outcomes.push({ name: step.name, result: "passed", ms: Date.now() - started });
      log(`  ✓  ${step.name} (${Date.now() - started} ms)`);
    } catch (e) {
      outcomes.push({ name: step.name, result: "failed", reason: e.message });
      log(`  ✗  ${step.name}: ${e.message}`);
    }
  }

  // The throwaway accounts go; their workspaces stay (a workspace's data is removed by its owner).
  for (const session of [state.owner, state.other]) {
    if (session)
      await accounts.remove(session).catch((e) => log(`  !  could not remove a smoke account: ${e.message}`));
  }
  return { outcomes, exchanges };
}

/** Server-sent events as `{event, data}`, data parsed when it is JSON. */
function parseEvents(text) {
  return text
    .split(/\n\n+/)
    .filter((block) => block.trim() !== "" && !block.startsWith(":"))
    .map((block) => {
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).trimStart());
      }
      const joined = data.join("\n");
      try {
        return { event, data: JSON.parse(joined) };
      } catch {
        return { event, data: joined };
      }
    });
}
