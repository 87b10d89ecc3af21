/**
 * The Sandbox's replay and simulation routes: replay a stored trace against another agent version and read
 * the replays back; run a scenario with a scripted or model-driven end user and read the simulations back.
 * Running needs `agents.manage` (it talks to drafts and pinned versions and spends credits); reading needs
 * `conversations.view`, since replays and simulations hold questions and answers as transcripts do.
 */
import { z } from "zod";
import { requirePermission } from "../platform/permissions.js";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import { getReplay, listReplays, replayInput, replayTrace, replaySchema } from "./replay.js";
import {
  getSimulation,
  listSimulations,
  runSimulation,
  simulationInput,
  simulationSchema,
} from "./simulations.js";

const tag = "Sandbox";

const replayView = replaySchema.extend({ id: z.string() });
const simulationView = simulationSchema.extend({ id: z.string() });

export const replayRoutes: Route<unknown, unknown>[] = [
  route({
    method: "POST",
    path: "/v1/eval/replays",
    summary:
      "Replay a stored trace's question (with its conversation's earlier messages as history) against another " +
      "version, the draft, or another agent, as a sandbox turn; stores both answers and their diff (words, " +
      "citations, confidence, abstention). A turn that fails is stored as a failed replay with the reason",
    tag,
    permission: "agents.manage",
    body: { kind: "json", schema: replayInput },
    status: 201,
    response: replayView,
    handle: ({ deps, caller, body }) => {
      // The replay shows the trace's question and answer: what reading traces needs.
      requirePermission(caller, "conversations.view");
      return replayTrace(deps, caller, body);
    },
  }),
  route({
    method: "GET",
    path: "/v1/eval/replays",
    summary: "List replays, newest first (?traceId= for one trace's; ?limit=1-100, ?cursor= from nextCursor)",
    tag,
    permission: "conversations.view",
    response: z.object({ replays: z.array(replayView), nextCursor: z.string().nullable() }),
    handle: ({ deps, caller, request }) =>
      listReplays(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/eval/replays/{replayId}",
    summary: "Get a replay: both answers, both traces' ids and the diff",
    tag,
    permission: "conversations.view",
    params: z.object({ replayId: idSchema }),
    response: replayView,
    handle: ({ deps, caller, params }) => getReplay(deps, caller.tenantId, params.replayId),
  }),
];

export const simulationRoutes: Route<unknown, unknown>[] = [
  route({
    method: "POST",
    path: "/v1/eval/simulations",
    summary:
      "Run a simulation: scripted end-user steps (each with checks on the answer: mustContain, " +
      "mustNotContain, shouldAbstain, mustCite), or a model-driven end user (persona and goal; needs a model " +
      `provider), against an agent version or the draft, as sandbox turns; at most 30 steps`,
    tag,
    permission: "agents.manage",
    body: { kind: "json", schema: simulationInput },
    status: 201,
    response: simulationView,
    handle: ({ deps, caller, body }) => {
      // The stored transcript is read back with conversations.view; whoever runs one sees it.
      requirePermission(caller, "conversations.view");
      return runSimulation(deps, caller, body);
    },
  }),
  route({
    method: "GET",
    path: "/v1/eval/simulations",
    summary:
      "List simulations, newest first (?agentId= for one agent's; ?limit=1-100, ?cursor= from nextCursor)",
    tag,
    permission: "conversations.view",
    response: z.object({ simulations: z.array(simulationView), nextCursor: z.string().nullable() }),
    handle: ({ deps, caller, request }) =>
      listSimulations(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/eval/simulations/{simulationId}",
    summary: "Get a simulation: its transcript, each step's checks and trace, pass or fail, and timings",
    tag,
    permission: "conversations.view",
    params: z.object({ simulationId: idSchema }),
    response: simulationView,
    handle: ({ deps, caller, params }) => getSimulation(deps, caller.tenantId, params.simulationId),
  }),
];
