/**
 * The Sandbox's evaluation routes: datasets and their items (by hand, uploaded as CSV or JSONL, or taken
 * from a trace or a conversation), runs (start, progress, results, cancel, compare) and an agent's publish
 * gate. Reading needs `conversations.view` (results hold answers and trace ids); changing and running needs
 * `agents.manage`. Replays and simulations are simulation-routes.ts.
 */
import { z } from "zod";
import { AppError } from "../platform/errors.js";
import { route, type Route } from "../platform/http/router.js";
import { requirePermission } from "../platform/permissions.js";
import { idSchema } from "../platform/validation.js";
import {
  addItem,
  addItemFromConversation,
  addItemFromTrace,
  createDataset,
  createDatasetInput,
  deleteDataset,
  deleteItem,
  fromAnswerOverrides,
  getDataset,
  getItem,
  importItems,
  listDatasets,
  listItems,
  updateDataset,
  updateDatasetInput,
  updateItem,
} from "./datasets.js";
import { publishGateInput, removePublishGate, setPublishGate } from "./gate.js";
import { cancelRun, compareRuns, getRun, listResults, listRuns, startRun, startRunInput } from "./runs.js";
import { itemInputSchema } from "./schema.js";
import { uploadFormats, type UploadFormat } from "./uploads.js";

const tag = "Evaluations";
const datasetParams = z.object({ datasetId: idSchema });
const itemParams = z.object({ datasetId: idSchema, itemId: idSchema });
const runParams = z.object({ runId: idSchema });
const query = (params: URLSearchParams): Record<string, string> => Object.fromEntries(params);

const uploadInput = z
  .object({
    format: z.enum(uploadFormats, { error: 'format must be "csv" or "jsonl"' }),
    /** The file's text. */
    content: z.string({ error: "content must be the file's text" }),
  })
  .strict();

const fromTraceInput = fromAnswerOverrides.extend({ traceId: idSchema }).strict();
const fromConversationInput = z
  .object({
    conversationId: idSchema,
    /** The answer to take as the reference; the conversation's latest by default. */
    throughMessageId: idSchema.optional(),
    overrides: fromAnswerOverrides.optional(),
  })
  .strict();

/** The format of an uploaded file: the form's `format` field, or its name's extension. */
function formatOf(fileName: string, field: string | undefined): UploadFormat {
  const named = field?.trim().toLowerCase();
  if (named) {
    if ((uploadFormats as readonly string[]).includes(named)) return named as UploadFormat;
    throw new AppError("invalid-argument", `format must be "csv" or "jsonl", not "${named.slice(0, 20)}"`);
  }
  const extension = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (extension === "csv") return "csv";
  if (extension === "jsonl" || extension === "ndjson") return "jsonl";
  throw new AppError(
    "invalid-argument",
    `Cannot tell the format of "${fileName.slice(0, 80)}": name it .csv or .jsonl, or send a 'format' field`,
  );
}

function utf8(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new AppError("invalid-argument", "The file is not UTF-8 text");
  }
}

export const sandboxRoutes: Route<unknown, unknown>[] = [
  // ----- Datasets -----
  route({
    method: "GET",
    path: "/v1/eval/datasets",
    summary: "List the workspace's eval datasets, most recently changed first",
    tag,
    permission: "conversations.view",
    handle: async ({ deps, caller }) => ({ datasets: await listDatasets(deps, caller.tenantId) }),
  }),
  route({
    method: "POST",
    path: "/v1/eval/datasets",
    summary: "Create an eval dataset {name, description?} (at most 500 per workspace)",
    tag,
    permission: "agents.manage",
    body: { kind: "json", schema: createDatasetInput },
    status: 201,
    handle: ({ deps, caller, body }) => createDataset(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/eval/datasets/{datasetId}",
    summary: "Get an eval dataset: name, description, item count and revision",
    tag,
    permission: "conversations.view",
    params: datasetParams,
    handle: ({ deps, caller, params }) => getDataset(deps, caller.tenantId, params.datasetId),
  }),
  route({
    method: "PATCH",
    path: "/v1/eval/datasets/{datasetId}",
    summary: "Rename an eval dataset or change its description",
    tag,
    permission: "agents.manage",
    params: datasetParams,
    body: { kind: "json", schema: updateDatasetInput },
    handle: ({ deps, caller, params, body }) => updateDataset(deps, caller.tenantId, params.datasetId, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/eval/datasets/{datasetId}",
    summary: "Delete an eval dataset and its items (runs keep the items they ran)",
    tag,
    permission: "agents.manage",
    params: datasetParams,
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await deleteDataset(deps, caller.tenantId, params.datasetId);
      return { status: 204 };
    },
  }),

  // ----- Items -----
  route({
    method: "GET",
    path: "/v1/eval/datasets/{datasetId}/items",
    summary: "List a dataset's items in the order they were added: ?limit= (1-500, default 100), ?cursor=",
    tag,
    permission: "conversations.view",
    params: datasetParams,
    handle: ({ deps, caller, params, request }) =>
      listItems(deps, caller.tenantId, params.datasetId, query(request.query)),
  }),
  route({
    method: "POST",
    path: "/v1/eval/datasets/{datasetId}/items",
    summary:
      "Add an item: a question (or turns, a multi-turn script whose last answer is scored), and expectedFacts " +
      "(strings the answer must contain), a referenceAnswer, expectedSources, shouldAbstain, tags",
    tag,
    permission: "agents.manage",
    params: datasetParams,
    body: { kind: "json", schema: itemInputSchema },
    status: 201,
    handle: ({ deps, caller, params, body }) =>
      addItem(deps, caller.tenantId, params.datasetId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/eval/datasets/{datasetId}/items/{itemId}",
    summary: "Get an item of a dataset",
    tag,
    permission: "conversations.view",
    params: itemParams,
    handle: ({ deps, caller, params }) => getItem(deps, caller.tenantId, params.datasetId, params.itemId),
  }),
  route({
    method: "PUT",
    path: "/v1/eval/datasets/{datasetId}/items/{itemId}",
    summary: "Replace an item's content (as when adding one)",
    tag,
    permission: "agents.manage",
    params: itemParams,
    body: { kind: "json", schema: itemInputSchema },
    handle: ({ deps, caller, params, body }) =>
      updateItem(deps, caller.tenantId, params.datasetId, params.itemId, body),
  }),
  route({
    method: "DELETE",
    path: "/v1/eval/datasets/{datasetId}/items/{itemId}",
    summary: "Delete an item of a dataset",
    tag,
    permission: "agents.manage",
    params: itemParams,
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await deleteItem(deps, caller.tenantId, params.datasetId, params.itemId);
      return { status: 204 };
    },
  }),
  route({
    method: "POST",
    path: "/v1/eval/datasets/{datasetId}/upload",
    summary:
      "Add items from a CSV or JSONL file (at most 5 MB): multipart field 'file' (.csv or .jsonl, or a " +
      "'format' field), or JSON {format, content}. CSV has a header row naming its columns: question, " +
      "expected_facts, reference_answer, expected_sources, should_abstain, tags (lists separated by '|'); JSONL " +
      "one item per line as POST .../items takes it. All or nothing: any invalid line is refused with every " +
      "problem's line and field in details.errors, and nothing is added",
    tag,
    permission: "agents.manage",
    params: datasetParams,
    body: { kind: "upload", jsonAlternative: uploadInput },
    handle: async ({ deps, caller, params, body, upload }) => {
      if (!upload) return importItems(deps, caller.tenantId, params.datasetId, body, caller.uid);
      const [file, ...more] = upload.files;
      if (!file || more.length > 0 || file.field !== "file") {
        throw new AppError("invalid-argument", "Send exactly one file, in the multipart field 'file'");
      }
      const format = formatOf(file.fileName, upload.fields.format);
      return importItems(
        deps,
        caller.tenantId,
        params.datasetId,
        { format, content: utf8(file.bytes) },
        caller.uid,
      );
    },
  }),
  route({
    method: "POST",
    path: "/v1/eval/datasets/{datasetId}/from-trace",
    summary:
      "Add an item from a real answer's trace {traceId}: its question, and the answer's supported sentences as " +
      "the reference answer (an abstention: an item expecting one); expectedFacts, tags and the rest may be " +
      "given to adjust it",
    tag,
    permission: "agents.manage",
    params: datasetParams,
    body: { kind: "json", schema: fromTraceInput },
    status: 201,
    handle: ({ deps, caller, params, body }) => {
      // The item copies the end user's question and the answer: reading them needs conversations.view too.
      requirePermission(caller, "conversations.view");
      const { traceId, ...overrides } = body;
      return addItemFromTrace(deps, caller, params.datasetId, traceId, overrides);
    },
  }),
  route({
    method: "POST",
    path: "/v1/eval/datasets/{datasetId}/from-conversation",
    summary:
      "Add a multi-turn item from a conversation {conversationId, throughMessageId?}: the end user's messages " +
      "up to that answer (the latest by default) as the script, the answer as the reference",
    tag,
    permission: "agents.manage",
    params: datasetParams,
    body: { kind: "json", schema: fromConversationInput },
    status: 201,
    handle: ({ deps, caller, params, body }) => {
      requirePermission(caller, "conversations.view");
      return addItemFromConversation(deps, caller, params.datasetId, body.conversationId, {
        ...(body.throughMessageId ? { throughMessageId: body.throughMessageId } : {}),
        ...(body.overrides ? { overrides: body.overrides } : {}),
      });
    },
  }),

  // ----- Runs -----
  route({
    method: "POST",
    path: "/v1/eval/runs",
    summary:
      "Run a dataset against an agent version or the draft {datasetId, target: {agentId, version}}: queued, " +
      "then run item by item as Sandbox conversations (billed as sandbox usage, left out of analytics). " +
      "Answers 202 with the run; an Idempotency-Key header (or idempotencyKey) makes a retried start answer the " +
      "same run (200). A run of the same items against the same target already going is refused (409)",
    tag,
    permission: "agents.manage",
    body: { kind: "json", schema: startRunInput },
    raw: true,
    handle: async ({ deps, caller, body, request }) => {
      const header = request.headers["idempotency-key"]?.trim();
      if (header && body.idempotencyKey && header !== body.idempotencyKey) {
        throw new AppError(
          "invalid-argument",
          "The Idempotency-Key header and idempotencyKey differ; send one",
        );
      }
      const { run, replayed } = await startRun(
        deps,
        caller.tenantId,
        { ...body, ...(header ? { idempotencyKey: header } : {}) },
        caller.uid,
      );
      return { status: replayed ? 200 : 202, body: { ...run, replayed } };
    },
  }),
  route({
    method: "GET",
    path: "/v1/eval/runs",
    summary: "List eval runs, newest first: ?datasetId= or ?agentId=, ?limit= (1-100, default 20), ?cursor=",
    tag,
    permission: "conversations.view",
    handle: ({ deps, caller, request }) => listRuns(deps, caller.tenantId, query(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/eval/runs/{runId}",
    summary: "Get a run: its status, progress {done, total, errors}, scores once finished, and why it failed",
    tag,
    permission: "conversations.view",
    params: runParams,
    handle: ({ deps, caller, params }) => getRun(deps, caller.tenantId, params.runId),
  }),
  route({
    method: "POST",
    path: "/v1/eval/runs/{runId}/cancel",
    summary: "Cancel a queued or running run: nothing more starts; the items done are kept and scored",
    tag,
    permission: "agents.manage",
    params: runParams,
    handle: ({ deps, caller, params }) => cancelRun(deps, caller.tenantId, params.runId, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/eval/runs/{runId}/results",
    summary:
      "A run's results in the dataset's order, each with the answer, its score and why, and the trace: " +
      "?limit= (1-500, default 100), ?cursor=",
    tag,
    permission: "conversations.view",
    params: runParams,
    handle: ({ deps, caller, params, request }) =>
      listResults(deps, caller.tenantId, params.runId, query(request.query)),
  }),
  route({
    method: "GET",
    path: "/v1/eval/runs/{runId}/compare/{otherRunId}",
    summary:
      "Compare two finished runs: the deltas of their scores (other − this) and item by item which got better " +
      "or worse, with both answers and trace ids. ?changes=worse,better to keep only those, ?limit= (default 200)",
    tag,
    permission: "conversations.view",
    params: z.object({ runId: idSchema, otherRunId: idSchema }),
    handle: ({ deps, caller, params, request }) =>
      compareRuns(deps, caller.tenantId, params.runId, params.otherRunId, query(request.query)),
  }),

  // ----- The publish gate -----
  route({
    method: "PUT",
    path: "/v1/agents/{agentId}/publish-gate",
    summary:
      "Set the agent's publish gate {datasetId, maxDrop (0..1), enabled?, timeoutSeconds? (10-240, default " +
      "120)}: publishing then runs the dataset against the draft and the published version and refuses a draft " +
      "whose accuracy is lower by more than maxDrop",
    tag,
    permission: "agents.manage",
    params: z.object({ agentId: idSchema }),
    body: { kind: "json", schema: publishGateInput },
    handle: async ({ deps, caller, params, body }) => ({
      publishGate: (await setPublishGate(deps, caller, params.agentId, body)).publishGate,
    }),
  }),
  route({
    method: "DELETE",
    path: "/v1/agents/{agentId}/publish-gate",
    summary: "Remove the agent's publish gate",
    tag,
    permission: "agents.manage",
    params: z.object({ agentId: idSchema }),
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await removePublishGate(deps, caller, params.agentId);
      return { status: 204 };
    },
  }),
];
