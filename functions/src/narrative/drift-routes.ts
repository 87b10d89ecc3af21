/**
 * Drift's REST routes: the flags raised where an agent's answer to a question changed (`/v1/drift...`) and the
 * canonical questions it keeps (`/v1/canonical-questions`). Both hold end users' questions and the answers they
 * were given, so reading them needs what reading conversations needs (`conversations.view`); reviewing a flag is
 * part of looking after an agent (`agents.manage`).
 */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import {
  getDriftFlag,
  listCanonicalQuestions,
  listDriftFlags,
  reviewDriftFlag,
  reviewDriftInput,
} from "./drift.js";

const tag = "Drift";
/** Named apart from the consistency flags' `flagId` (end users' routes): another kind of record. */
const flagParams = z.object({ driftFlagId: idSchema });

export const driftRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/drift",
    summary:
      "List drift flags, newest first: questions whose answer changed materially (answered ↔ abstained, a " +
      "contradicted fact, other sources), with both answers and what changed between them (?agentId=, " +
      "?status=open|reviewed|dismissed, ?limit= 1-100, ?cursor= the previous page's nextCursor)",
    tag,
    permission: "conversations.view",
    handle: ({ deps, caller, request }) =>
      listDriftFlags(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/drift/{driftFlagId}",
    summary: "Get a drift flag: both answers with their sources, the causes and the difference in one line",
    tag,
    permission: "conversations.view",
    params: flagParams,
    handle: ({ deps, caller, params }) => getDriftFlag(deps, caller.tenantId, params.driftFlagId),
  }),
  route({
    method: "PATCH",
    path: "/v1/drift/{driftFlagId}",
    summary:
      "Review a drift flag: status open, reviewed or dismissed, and an optional note (at most 2,000 characters)",
    tag,
    permission: "agents.manage",
    params: flagParams,
    body: { kind: "json", schema: reviewDriftInput },
    handle: ({ deps, caller, params, body }) => reviewDriftFlag(deps, caller, params.driftFlagId, body),
  }),
  route({
    method: "GET",
    path: "/v1/canonical-questions",
    summary:
      "List the canonical questions agents were asked (near-identical phrasings as one), most recently asked " +
      "first, with how often, how many phrasings and the last answer (?agentId=, ?limit= 1-100, ?cursor=)",
    tag,
    permission: "conversations.view",
    handle: ({ deps, caller, request }) =>
      listCanonicalQuestions(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
];
