/**
 * Annotation routes: an editor corrects an answer (by its trace id), reads, changes and deletes corrections.
 * Changing them needs `agents.manage` (a correction served as a reply changes what the agent answers); reading
 * them needs `conversations.view`, since they quote end users' questions and the answers they got.
 */
import { z } from "zod";
import { annotationSchema } from "../accountability/annotations.js";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import {
  annotationInput,
  annotationPatch,
  createAnnotation,
  deleteAnnotation,
  getAnnotation,
  listAnnotations,
  updateAnnotation,
} from "./annotations.js";

const tag = "Tuning";
const params = z.object({ annotationId: idSchema });

const annotationResponse = annotationSchema.extend({ id: z.string() });

export const annotationRoutes: Route<unknown, unknown>[] = [
  route({
    method: "POST",
    path: "/v1/annotations",
    summary:
      "Correct an answer: {traceId, corrected (up to 8,000 characters), note?, serveAsReply?, datasetId?}. Keeps " +
      "the question and the original answer, adds an item to the agent's 'Annotations' eval dataset (or to " +
      "datasetId), and, with serveAsReply, answers near-identical questions to the agent with the correction " +
      "(the trace records it as annotationReply). One annotation per answer: a second is a 409, change it instead",
    tag,
    permission: "agents.manage",
    body: { kind: "json", schema: annotationInput },
    status: 201,
    response: annotationResponse,
    handle: ({ deps, caller, body }) => createAnnotation(deps, caller, body),
  }),
  route({
    method: "GET",
    path: "/v1/annotations",
    summary:
      "List corrections, newest first; ?agentId= for one agent's. Pages: ?limit= (1-200, default 50) and " +
      "?cursor= (the previous page's nextCursor; null on the last page)",
    tag,
    permission: "conversations.view",
    response: z.object({ annotations: z.array(annotationResponse), nextCursor: z.string().nullable() }),
    handle: ({ deps, caller, request }) =>
      listAnnotations(deps, caller.tenantId, Object.fromEntries(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/annotations/{annotationId}",
    summary: "Get a correction (its id is the corrected answer's trace id)",
    tag,
    permission: "conversations.view",
    params,
    response: annotationResponse,
    handle: ({ deps, caller, params: p }) => getAnnotation(deps, caller.tenantId, p.annotationId),
  }),
  route({
    method: "PATCH",
    path: "/v1/annotations/{annotationId}",
    summary:
      "Change a correction's text, note or serveAsReply (takes effect on the next turn). Its eval item, a copy " +
      "taken when it was made, is not changed",
    tag,
    permission: "agents.manage",
    params,
    body: { kind: "json", schema: annotationPatch },
    response: annotationResponse,
    handle: ({ deps, caller, params: p, body }) => updateAnnotation(deps, caller, p.annotationId, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/annotations/{annotationId}",
    summary: "Delete a correction: it is no longer served as a reply; its eval item stays in its dataset",
    tag,
    permission: "agents.manage",
    params,
    status: 204,
    handle: async ({ deps, caller, params: p }) => {
      await deleteAnnotation(deps, caller, p.annotationId);
      return undefined;
    },
  }),
];
