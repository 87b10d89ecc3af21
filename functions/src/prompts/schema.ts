/**
 * Prompt Engine collections (schemas + paths):
 *   tenants/{t}/prompts/{promptId}                 a template: name, labels → versions, the latest version number
 *   tenants/{t}/prompts/{promptId}/versions/{v}    one immutable version: text, typed variables, author, note
 *   tenants/{t}/experiments/{experimentId}         an A/B experiment on one agent's live traffic
 *   tenants/{t}/runningExperiments/{agentId}       which experiment runs on an agent (at most one): the lock
 *                                                  that concurrent starts contend on, and what a turn reads
 */
import { z } from "zod";
import { checkId, tenantPath } from "../platform/caller.js";
import { idPattern } from "../platform/ids.js";
import { nameSchema } from "../platform/validation.js";

// ----- limits ------------------------------------------------------------------------------------------

export const promptLimits = {
  /** Characters of a version's text: what an agent's own instructions may hold. */
  text: 20_000,
  variables: 50,
  variableName: 64,
  enumValues: 50,
  enumValueChars: 100,
  /** A string variable's `maxLength` may not exceed this; without one, 2,000. */
  stringValueChars: 10_000,
  defaultStringMaxLength: 2000,
  /** A rendered prompt (text with values) longer than this is refused. */
  renderedChars: 60_000,
  labels: 20,
  note: 500,
  description: 2000,
  /** Templates per workspace (archived ones included). */
  templates: 500,
  /** Versions per template. */
  versions: 1000,
  /** Label moves kept on the template for rollback and the studio's history. */
  labelLog: 100,
} as const;

export const experimentLimits = { minVariants: 2, maxVariants: 5, experimentsPerAgent: 100 } as const;

// ----- templates ---------------------------------------------------------------------------------------

/** `{{name}}`: a letter or `_`, then letters, digits and `_` (the placeholder syntax in render.ts). */
export const variableNamePattern = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
/** `production`, `staging`, or a custom name. */
export const labelPattern = /^[a-z0-9-]{1,40}$/;
export const standardLabels = ["production", "staging"] as const;

export const variableTypes = ["string", "number", "boolean", "enum"] as const;
export type VariableType = (typeof variableTypes)[number];

export const labelSchema = z
  .string()
  .regex(
    labelPattern,
    "a label is 1-40 lowercase letters, digits or '-' (e.g. production, staging, eu-launch)",
  );
export const variableNameSchema = z
  .string()
  .regex(variableNamePattern, "a variable name is a letter or '_' then up to 63 letters, digits or '_'");

export const variableValueSchema = z.union([
  z.string().max(promptLimits.stringValueChars),
  z.number(),
  z.boolean(),
]);
export type VariableValue = z.infer<typeof variableValueSchema>;

/** One declared variable: what `{{name}}` in the text stands for, and what values it takes. */
export const variableSchema = z
  .object({
    name: variableNameSchema,
    type: z.enum(variableTypes),
    /** A required variable without a default must get a value from every agent that uses the template. */
    required: z.boolean().default(true),
    /** Used when no value is given; `null`: none (an optional variable then renders as ""). */
    default: variableValueSchema.nullable().default(null),
    description: z.string().max(500).default(""),
    /** The values an `enum` may take (empty for the other types). */
    values: z
      .array(z.string().min(1).max(promptLimits.enumValueChars))
      .max(promptLimits.enumValues)
      .default([]),
    /** The longest value a `string` may take (null for the other types). */
    maxLength: z.number().int().min(1).max(promptLimits.stringValueChars).nullable().default(null),
  })
  .strict();
export type PromptVariable = z.infer<typeof variableSchema>;

export const labelMoveSchema = z.object({
  label: z.string(),
  /** `null` when the label was created by this move (from) or removed (to). */
  from: z.number().int().nullable(),
  to: z.number().int().nullable(),
  by: z.string(),
  at: z.string(),
});
export type LabelMove = z.infer<typeof labelMoveSchema>;

export const promptTemplateSchema = z.object({
  name: z.string(),
  description: z.string().default(""),
  /** Label → version, e.g. `{ production: 3, staging: 4 }`. */
  labels: z.record(z.string(), z.number().int().min(1)).default({}),
  /** The newest version's number (versions are 1, 2, ... and never change). */
  latestVersion: z.number().int().min(1),
  /** Label moves, oldest first, the last `promptLimits.labelLog` kept: what a rollback goes back to. */
  labelLog: z.array(labelMoveSchema).default([]),
  /** Archived templates are hidden and cannot be newly referenced; pinned versions keep rendering. */
  status: z.enum(["active", "archived"]).default("active"),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PromptTemplate = z.infer<typeof promptTemplateSchema>;

export const promptVersionSchema = z.object({
  version: z.number().int().min(1),
  text: z.string(),
  variables: z.array(variableSchema),
  /** What changed, in the author's words. */
  note: z.string().default(""),
  /** The author: the caller's uid (an account, a Firebase uid or `apikey:<id>`). */
  createdBy: z.string(),
  createdAt: z.string(),
});
export type PromptVersion = z.infer<typeof promptVersionSchema>;

// ----- what an agent (or an experiment's variant) references -------------------------------------------

const variablesSchema = z
  .record(variableNameSchema, variableValueSchema)
  .refine((v) => Object.keys(v).length <= promptLimits.variables, {
    message: `at most ${promptLimits.variables} variables`,
  });

const promptRefShape = z
  .object({
    templateId: z.string().regex(idPattern, "must be a prompt template id"),
    label: labelSchema.optional(),
    version: z.number().int().min(1).optional(),
    variables: variablesSchema.default({}),
  })
  .strict();

/**
 * An agent's prompt as stored. A draft names a label or a version; a published agent version names both: the
 * label the draft followed and the version it pointed at when publishing (templates.ts `pinPromptRef`), which
 * is the one rendered from then on.
 */
export const promptRefSchema = promptRefShape.refine(
  (r) => r.label !== undefined || r.version !== undefined,
  {
    message: "name the template's label or version",
    path: ["label"],
  },
);
export type PromptRef = z.infer<typeof promptRefSchema>;

/** What an editor sets: a label or a version, exactly one. */
export const promptRefInputSchema = promptRefShape.refine(
  (r) => (r.label === undefined) !== (r.version === undefined),
  { message: "name exactly one of label or version", path: ["label"] },
);

/** What the trace records of the template that made a turn's instructions. */
export interface PromptUse {
  readonly templateId: string;
  readonly version: number;
  readonly label: string | null;
}

// ----- experiments -------------------------------------------------------------------------------------

export const experimentStatuses = ["draft", "running", "stopped", "promoted"] as const;
export type ExperimentStatus = (typeof experimentStatuses)[number];

/** The metric an experiment is decided on (every one is computed and tested). */
export const experimentMetrics = ["answerRate", "feedbackScore", "abstentionRate"] as const;
export type ExperimentMetric = (typeof experimentMetrics)[number];

export const variantOverridesSchema = z
  .object({
    /** Another template, label or version; `variables` default to the agent's own for the same template. */
    prompt: promptRefShape
      .extend({ variables: variablesSchema.optional() })
      .refine((r) => (r.label === undefined) !== (r.version === undefined), {
        message: "name exactly one of label or version",
        path: ["label"],
      })
      .optional(),
    /** A chat model the platform offers (GET /v1/agent-options); `null`: the platform's default model. */
    modelName: z.string().min(1).max(200).nullable().optional(),
    temperature: z.number().min(0).max(2).optional(),
    knowledgeBaseIds: z.array(z.string().regex(idPattern, "invalid knowledge base id")).max(20).optional(),
    /** One of the agent's published versions instead of the served one (the other overrides apply on top). */
    agentVersion: z.number().int().min(1).optional(),
  })
  .strict();
export type VariantOverrides = z.infer<typeof variantOverridesSchema>;

export const variantIdPattern = /^[a-z0-9-]{1,40}$/;

export const variantInputSchema = z
  .object({
    /** Short and stable (it is what traces and feedback record); `a`, `b`, ... when omitted. */
    id: z
      .string()
      .regex(variantIdPattern, "a variant id is 1-40 lowercase letters, digits or '-'")
      .optional(),
    name: nameSchema("variant name", 120),
    share: z.number().gt(0, "a share is above 0").max(1, "a share is at most 1"),
    overrides: variantOverridesSchema.default({}),
  })
  .strict();

/** A variant's prompt as it is served: the version pinned and the values, fixed when the experiment starts. */
export const resolvedPromptSchema = z.object({
  templateId: z.string(),
  version: z.number().int().min(1),
  label: z.string().nullable(),
  variables: z.record(z.string(), variableValueSchema),
});

export const variantSchema = z.object({
  id: z.string(),
  name: z.string(),
  share: z.number(),
  overrides: variantOverridesSchema,
  /** Set at the first start: what the variant serves from then on, whatever labels do later. */
  resolvedPrompt: resolvedPromptSchema.nullable().default(null),
});
export type Variant = z.infer<typeof variantSchema>;

export const experimentSchema = z.object({
  agentId: z.string(),
  name: z.string(),
  description: z.string().default(""),
  status: z.enum(experimentStatuses),
  metric: z.enum(experimentMetrics),
  variants: z.array(variantSchema),
  /** The first start (null while a draft) and the latest stop (null while running or a draft). */
  startedAt: z.string().nullable().default(null),
  stoppedAt: z.string().nullable().default(null),
  /** Each period it ran, oldest first. */
  periods: z.array(z.object({ startedAt: z.string(), stoppedAt: z.string().nullable() })).default([]),
  /** The agent's published version when it first started (the control's configuration then). */
  baseVersion: z.number().int().nullable().default(null),
  promotedVariantId: z.string().nullable().default(null),
  promotedVersion: z.number().int().nullable().default(null),
  promotedAt: z.string().nullable().default(null),
  promotedBy: z.string().nullable().default(null),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Experiment = z.infer<typeof experimentSchema>;

export const runningExperimentSchema = z.object({ experimentId: z.string(), startedAt: z.string() });

// ----- paths -------------------------------------------------------------------------------------------

export const promptsPath = (tenantId: string): string => `${tenantPath(tenantId)}/prompts`;
export const promptPath = (tenantId: string, promptId: string): string =>
  `${promptsPath(tenantId)}/${checkId(promptId, "prompt template id")}`;
export const promptVersionsPath = (tenantId: string, promptId: string): string =>
  `${promptPath(tenantId, promptId)}/versions`;
export const promptVersionPath = (tenantId: string, promptId: string, version: number): string =>
  `${promptVersionsPath(tenantId, promptId)}/v${String(version).padStart(6, "0")}`;

export const experimentsPath = (tenantId: string): string => `${tenantPath(tenantId)}/experiments`;
export const experimentPath = (tenantId: string, experimentId: string): string =>
  `${experimentsPath(tenantId)}/${checkId(experimentId, "experiment id")}`;
export const runningExperimentPath = (tenantId: string, agentId: string): string =>
  `${tenantPath(tenantId)}/runningExperiments/${checkId(agentId, "agent id")}`;
