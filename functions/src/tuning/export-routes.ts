/**
 * Agent Tuning's export routes: build an export of rated and corrected answers as fine-tuning JSONL, read it, list
 * them, download its files and delete it. They need `agents.manage` (editors and up): exports hold end users'
 * conversations, redacted of contact details and credentials but still their words, so they are as sensitive as
 * the conversations themselves; a file is only ever read through these routes (storage.rules let no client read it).
 */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema } from "../platform/validation.js";
import {
  createExportInput,
  createTuningExport,
  deleteTuningExport,
  getTuningExport,
  listTuningExports,
  readTuningExportFile,
} from "./export.js";
import { exportFiles, tuningExportSchema } from "./schema.js";

const exportResponse = tuningExportSchema.extend({ id: z.string() });
const exportParams = z.object({ exportId: idSchema });
const fileParams = z.object({
  exportId: idSchema,
  file: z.enum(exportFiles, { error: "file is train, validation or manifest" }),
});

export const tuningExportRoutes: Route<unknown, unknown>[] = [
  route({
    method: "POST",
    path: "/v1/tuning/exports",
    summary:
      "Export answers as OpenAI fine-tuning JSONL (chat format): answers rated thumbs-up and corrected answers " +
      "(annotations), as multi-turn examples under the instructions of the version that answered, emails, phone " +
      "numbers and credentials redacted, split by conversation into training and validation. Body: {agentId?, " +
      "from?, to? (when the answers were given), minConfidence?, validationShare? (0-0.5, default 0.1), seed?, " +
      "include?: {rated, annotations}}. Answers with counts, what was left out and why, token counts, a cost " +
      "estimate per epoch and the format validator's report. At most 50,000 examples",
    tag: "Tuning",
    permission: "agents.manage",
    body: { kind: "json", schema: createExportInput },
    status: 201,
    response: exportResponse,
    handle: ({ deps, caller, body }) => createTuningExport(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/tuning/exports",
    summary: "The workspace's exports, newest first (at most 50)",
    tag: "Tuning",
    permission: "agents.manage",
    response: z.object({ exports: z.array(exportResponse) }),
    handle: async ({ deps, caller }) => ({ exports: await listTuningExports(deps, caller.tenantId) }),
  }),
  route({
    method: "GET",
    path: "/v1/tuning/exports/{exportId}",
    summary: "An export: counts, exclusions, tokens, cost estimate, validation report and its files",
    tag: "Tuning",
    permission: "agents.manage",
    params: exportParams,
    response: exportResponse,
    handle: ({ deps, caller, params }) => getTuningExport(deps, caller.tenantId, params.exportId),
  }),
  route({
    method: "GET",
    path: "/v1/tuning/exports/{exportId}/files/{file}",
    summary:
      "Download an export's file as JSONL: train, validation (the fine-tuning files) or manifest (one line per " +
      "example: its file and line, conversation, message, trace, source and token count)",
    tag: "Tuning",
    permission: "agents.manage",
    params: fileParams,
    fileResponse: true,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      const { data } = await readTuningExportFile(deps, caller.tenantId, params.exportId, params.file);
      return {
        status: 200,
        headers: {
          "content-type": "application/jsonl; charset=utf-8",
          "content-disposition": `attachment; filename="${params.exportId}-${params.file}.jsonl"`,
          "cache-control": "no-store",
        },
        body: data,
      };
    },
  }),
  route({
    method: "DELETE",
    path: "/v1/tuning/exports/{exportId}",
    summary: "Delete an export and its files (jobs already created from it keep their files at the provider)",
    tag: "Tuning",
    permission: "agents.manage",
    params: exportParams,
    status: 204,
    handle: async ({ deps, caller, params }) => {
      await deleteTuningExport(deps, caller.tenantId, params.exportId);
      return undefined;
    },
  }),
];
