/** Accountability's REST routes: the immutable decision trace of an answer. */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import { getTrace } from "./traces.js";

const traceParams = z.object({ traceId: idSchema });

export const accountabilityRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/traces/{traceId}",
    summary: "Get the immutable decision trace of one answer",
    tag: "Accountability",
    permission: "conversations.view",
    params: traceParams,
    handle: ({ deps, caller, params }) => getTrace(deps, caller.tenantId, params.traceId),
  }),
];
