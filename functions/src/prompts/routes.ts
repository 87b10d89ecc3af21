/**
 * The Prompt Engine's REST routes: prompt templates (`/v1/prompts...`) and experiments (`/v1/experiments...`).
 * Reads need `workspace.read`, changes `agents.manage`. Experiments need the Agent Engine (an agent's versions,
 * publishing the winner), which this service may not import: `experimentRoutes` takes those functions, and
 * channels/api/routes.ts composes them in.
 */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { idSchema, validate } from "../platform/validation.js";
import {
  createExperiment,
  createExperimentInput,
  deleteExperiment,
  experimentListQuery,
  getExperiment,
  listExperiments,
  promoteExperiment,
  promoteInput,
  startExperiment,
  stopExperiment,
  updateExperiment,
  updateExperimentInput,
  type AgentLookup,
  type PublishVariant,
} from "./experiments.js";
import { experimentResults, type EvalScoreReader } from "./results.js";
import { labelSchema } from "./schema.js";
import {
  archivePrompt,
  createPrompt,
  createPromptInput,
  diffPromptVersions,
  getPrompt,
  getPromptVersion,
  listPrompts,
  listPromptVersions,
  removePromptLabel,
  renderInput,
  renderPreview,
  rollbackInput,
  rollbackPromptLabel,
  savePromptVersion,
  saveVersionInput,
  setLabelInput,
  setPromptLabel,
  updatePrompt,
  updatePromptInput,
  versionPageQuery,
} from "./templates.js";

const tag = "Prompts";
const promptParams = z.object({ promptId: idSchema });
const versionNumber = z.coerce.number().int("must be a version number").min(1, "must be a version number");
const versionParams = z.object({ promptId: idSchema, version: versionNumber });
const labelParams = z.object({ promptId: idSchema, label: labelSchema });
const diffQuery = z.object({ from: versionNumber.optional(), to: versionNumber.optional() }).strict();
const listQuery = z.object({ includeArchived: z.enum(["true", "false"]).optional() }).strict();

/** A query string validated like a body: a clear 400 naming the parameter. */
const query = <T>(schema: z.ZodType<T>, q: URLSearchParams): T =>
  validate(schema, Object.fromEntries(q), "query parameter");

export const promptRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/prompts",
    summary: "List prompt templates, most recently changed first (archived ones with ?includeArchived=true)",
    tag,
    permission: "workspace.read",
    handle: async ({ deps, caller, request }) => ({
      prompts: await listPrompts(deps, caller.tenantId, {
        includeArchived: query(listQuery, request.query).includeArchived === "true",
      }),
    }),
  }),
  route({
    method: "POST",
    path: "/v1/prompts",
    summary:
      "Create a prompt template and its version 1: text with {{variable}} placeholders ({{{{ for a literal {{) and " +
      "typed variables (string, number, boolean, enum; required, default, description, values, maxLength). A " +
      "placeholder without a declaration, a malformed placeholder or a default of the wrong type is a 400 naming " +
      "it (and its line); a declared variable the text never uses is answered as a warning",
    tag,
    permission: "agents.manage",
    body: { kind: "json", schema: createPromptInput },
    status: 201,
    handle: ({ deps, caller, body }) => createPrompt(deps, caller.tenantId, body, caller.uid),
  }),
  route({
    method: "GET",
    path: "/v1/prompts/{promptId}",
    summary: "Get a prompt template: its labels, latest version number and the latest version (`latest`)",
    tag,
    permission: "workspace.read",
    params: promptParams,
    handle: ({ deps, caller, params }) => getPrompt(deps, caller.tenantId, params.promptId),
  }),
  route({
    method: "PATCH",
    path: "/v1/prompts/{promptId}",
    summary: "Rename a template or change its description (its text changes by saving a version)",
    tag,
    permission: "agents.manage",
    params: promptParams,
    body: { kind: "json", schema: updatePromptInput },
    handle: ({ deps, caller, params, body }) =>
      updatePrompt(deps, caller.tenantId, params.promptId, body, caller.uid),
  }),
  route({
    method: "DELETE",
    path: "/v1/prompts/{promptId}",
    summary:
      "Archive a template: it leaves the list and can no longer be newly referenced; agent versions published " +
      "with it keep rendering their pinned version",
    tag,
    permission: "agents.manage",
    params: promptParams,
    status: 204,
    raw: true,
    handle: async ({ deps, caller, params }) => {
      await archivePrompt(deps, caller.tenantId, params.promptId, caller.uid);
      return { status: 204 };
    },
  }),
  route({
    method: "GET",
    path: "/v1/prompts/{promptId}/versions",
    summary:
      "List a template's versions, newest first (?limit= 1-200, default 50; ?before= the previous page's nextBefore)",
    tag,
    permission: "workspace.read",
    params: promptParams,
    handle: ({ deps, caller, params, request }) =>
      listPromptVersions(deps, caller.tenantId, params.promptId, query(versionPageQuery, request.query)),
  }),
  route({
    method: "POST",
    path: "/v1/prompts/{promptId}/versions",
    summary:
      "Save the next version (versions never change). `labels` moves those labels to it in the same write; " +
      "`baseVersion` refuses the save (409) when a newer version was saved since. The same text and variables " +
      "as the latest version save nothing (200, unchanged: true)",
    tag,
    permission: "agents.manage",
    params: promptParams,
    body: { kind: "json", schema: saveVersionInput },
    status: 201,
    raw: true,
    handle: async ({ deps, caller, params, body }) => {
      const saved = await savePromptVersion(deps, caller.tenantId, params.promptId, body, caller.uid);
      return { status: saved.unchanged ? 200 : 201, body: saved };
    },
  }),
  route({
    method: "GET",
    path: "/v1/prompts/{promptId}/versions/{version}",
    summary: "Get one version of a template: its text, variables, author and note",
    tag,
    permission: "workspace.read",
    params: versionParams,
    handle: ({ deps, caller, params }) =>
      getPromptVersion(deps, caller.tenantId, params.promptId, params.version),
  }),
  route({
    method: "GET",
    path: "/v1/prompts/{promptId}/diff",
    summary:
      "Line diff between two versions (?from=&to=; by default the latest version against the one before): each " +
      "line with its op (' ', '-', '+') and line numbers, the variables added, removed and changed, and both notes",
    tag,
    permission: "workspace.read",
    params: promptParams,
    handle: ({ deps, caller, params, request }) => {
      const { from, to } = query(diffQuery, request.query);
      return diffPromptVersions(deps, caller.tenantId, params.promptId, { from, to });
    },
  }),
  route({
    method: "PUT",
    path: "/v1/prompts/{promptId}/labels/{label}",
    summary:
      "Point a label (production, staging, or a custom [a-z0-9-]{1,40}) at a version, creating it if needed. " +
      "Agent drafts that follow the label use it at once; published agent versions keep the version pinned when " +
      "they were published (publish again to serve it)",
    tag,
    permission: "agents.manage",
    params: labelParams,
    body: { kind: "json", schema: setLabelInput },
    handle: ({ deps, caller, params, body }) =>
      setPromptLabel(deps, caller.tenantId, params.promptId, params.label, body.version, caller.uid),
  }),
  route({
    method: "DELETE",
    path: "/v1/prompts/{promptId}/labels/{label}",
    summary: "Remove a label from a template",
    tag,
    permission: "agents.manage",
    params: labelParams,
    handle: ({ deps, caller, params }) =>
      removePromptLabel(deps, caller.tenantId, params.promptId, params.label, caller.uid),
  }),
  route({
    method: "POST",
    path: "/v1/prompts/{promptId}/rollback",
    summary:
      "Roll a label (default production) back to an older version: `version`, or without one the label's most " +
      "recent earlier version. No version is created; the move is kept in the template's labelLog",
    tag,
    permission: "agents.manage",
    params: promptParams,
    body: { kind: "json", schema: rollbackInput },
    handle: ({ deps, caller, params, body }) =>
      rollbackPromptLabel(deps, caller.tenantId, params.promptId, body, caller.uid),
  }),
  route({
    method: "POST",
    path: "/v1/prompts/{promptId}/render",
    summary:
      "Render a version (`version`, a `label`'s, or the latest) with values for its variables: the text an agent " +
      "would be given. Missing, mistyped or undeclared values are a 400 naming the variable",
    tag,
    permission: "workspace.read",
    params: promptParams,
    body: { kind: "json", schema: renderInput },
    handle: ({ deps, caller, params, body }) => renderPreview(deps, caller.tenantId, params.promptId, body),
  }),
];

/** What the experiments' routes need from services above the Prompt Engine. */
export interface ExperimentHooks {
  /** The agent (agents/agents.ts `experimentAgent`). */
  readonly agent: AgentLookup;
  /** Publishes the winning variant (agents/agents.ts `publishVariant`). */
  readonly publish: PublishVariant;
  /** The Sandbox's eval score of a variant, when there is a reader; results show null without one. */
  readonly evalScore?: EvalScoreReader;
}

const experimentTag = "Experiments";
const experimentParams = z.object({ experimentId: idSchema });

export function experimentRoutes(hooks: ExperimentHooks): Route<unknown, unknown>[] {
  return [
    route({
      method: "GET",
      path: "/v1/experiments",
      summary: "List experiments, newest first (?agentId=, ?status= draft, running, stopped or promoted)",
      tag: experimentTag,
      permission: "workspace.read",
      handle: async ({ deps, caller, request }) => ({
        experiments: await listExperiments(deps, caller.tenantId, query(experimentListQuery, request.query)),
      }),
    }),
    route({
      method: "POST",
      path: "/v1/experiments",
      summary:
        "Create an experiment (a draft) on an agent: 2-5 variants, each a name, a traffic share (the shares sum " +
        "to 1) and overrides of the agent's configuration (prompt: a template's label or version; modelName; " +
        "temperature; knowledgeBaseIds; agentVersion), and the metric it is decided on",
      tag: experimentTag,
      permission: "agents.manage",
      body: { kind: "json", schema: createExperimentInput },
      status: 201,
      handle: ({ deps, caller, body }) =>
        createExperiment(deps, caller.tenantId, body, caller.uid, hooks.agent),
    }),
    route({
      method: "GET",
      path: "/v1/experiments/{experimentId}",
      summary:
        "Get an experiment: its variants (with the prompt each pinned at the start), status and periods",
      tag: experimentTag,
      permission: "workspace.read",
      params: experimentParams,
      handle: ({ deps, caller, params }) => getExperiment(deps, caller.tenantId, params.experimentId),
    }),
    route({
      method: "PATCH",
      path: "/v1/experiments/{experimentId}",
      summary:
        "Change an experiment's name or description; its variants, shares and metric only while it is a draft " +
        "(they are locked once it has started)",
      tag: experimentTag,
      permission: "agents.manage",
      params: experimentParams,
      body: { kind: "json", schema: updateExperimentInput },
      handle: ({ deps, caller, params, body }) =>
        updateExperiment(deps, caller.tenantId, params.experimentId, body, caller.uid, hooks.agent),
    }),
    route({
      method: "DELETE",
      path: "/v1/experiments/{experimentId}",
      summary: "Delete a draft or stopped experiment (a running one must be stopped; a promoted one is kept)",
      tag: experimentTag,
      permission: "agents.manage",
      params: experimentParams,
      status: 204,
      raw: true,
      handle: async ({ deps, caller, params }) => {
        await deleteExperiment(deps, caller.tenantId, params.experimentId, caller.uid);
        return { status: 204 };
      },
    }),
    route({
      method: "POST",
      path: "/v1/experiments/{experimentId}/start",
      summary:
        "Start (or restart) an experiment: the agent's published traffic is split between the variants, each end " +
        "user sticking to one. 409 while another experiment runs on the agent",
      tag: experimentTag,
      permission: "agents.manage",
      params: experimentParams,
      handle: ({ deps, caller, params }) =>
        startExperiment(deps, caller.tenantId, params.experimentId, caller.uid, hooks.agent),
    }),
    route({
      method: "POST",
      path: "/v1/experiments/{experimentId}/stop",
      summary: "Stop an experiment: the agent's traffic goes back to its published version",
      tag: experimentTag,
      permission: "agents.manage",
      params: experimentParams,
      handle: ({ deps, caller, params }) =>
        stopExperiment(deps, caller.tenantId, params.experimentId, caller.uid),
    }),
    route({
      method: "GET",
      path: "/v1/experiments/{experimentId}/results",
      summary:
        "Per-variant figures (turns, answer, abstention and failure rates, feedback score, latency p50/p95, " +
        "tokens, estimated cost, eval score) and each variant against the first by a two-proportion z-test " +
        "(z, two-sided p-value, 95% CI of the difference; 'not enough data' below 30 observations per variant)",
      tag: experimentTag,
      permission: "workspace.read",
      params: experimentParams,
      handle: ({ deps, caller, params }) =>
        experimentResults(deps, caller.tenantId, params.experimentId, hooks.evalScore),
    }),
    route({
      method: "POST",
      path: "/v1/experiments/{experimentId}/promote",
      summary:
        "Promote a variant: publish a new agent version with its overrides (the draft takes them too), and mark " +
        "the experiment promoted and stopped, in one transaction. Promoting the same variant again answers the " +
        "same version (replayed: true); another variant is a 409",
      tag: experimentTag,
      permission: "agents.manage",
      params: experimentParams,
      body: { kind: "json", schema: promoteInput },
      handle: ({ deps, caller, params, body }) =>
        promoteExperiment(deps, caller.tenantId, params.experimentId, body, caller.uid, hooks.publish),
    }),
  ];
}
