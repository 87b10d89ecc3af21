/** Monitor's REST routes: platform health and conversation analytics. */
import { route, type Route } from "../platform/http/router.js";
import { analyticsResponseSchema, loadAnalytics } from "./analytics.js";
import { checkHealth } from "./health.js";

export const monitorRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/health",
    summary: "Platform health: run mode, version, store checks and the models in use",
    tag: "Platform",
    permission: null,
    raw: true,
    handle: async ({ deps }) => {
      const report = await checkHealth(deps);
      return { status: report.status === "down" ? 503 : 200, body: report };
    },
  }),
  route({
    method: "GET",
    path: "/v1/analytics",
    summary:
      "Conversation analytics per UTC day, in total and by channel: conversations, turns, abstention rate, " +
      "declined and failed turns, average confidence, latency p50/p95/p99 and tokens (?agentId=, " +
      "?from= and ?to= as ISO dates, to exclusive, default the last 30 days, at most 90; ?bucket=day), " +
      "from the usage rollups of every whole UTC day the window overlaps; and the knowledge gaps, from the " +
      "newest 2,000 abstained turns at most ('truncated' says when the window held more)",
    tag: "Accountability",
    permission: "conversations.view",
    response: analyticsResponseSchema,
    handle: ({ deps, caller, request }) =>
      loadAnalytics(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
];
