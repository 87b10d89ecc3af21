/**
 * The new-experiment form: what is typed (strings and choices, as inputs hold them), turned into what the
 * platform is sent, and the problems shown under each field before sending. The platform checks again (the
 * shares' sum, the prompt reference, the model) and its refusals name the same fields (`variants.1.share`).
 */
import {
  evenShares,
  experimentLimits,
  sharesProblem,
  type ExperimentInput,
  type ExperimentMetric,
  type VariantInput,
  type VariantOverrides,
} from "../../data/experiments";

/** Keep the agent's model, use the platform's default, or name one. */
export const keepModel = "";
export const platformDefaultModel = "__default__";

export interface VariantDraft {
  readonly key: string;
  readonly name: string;
  /** Whole or decimal percent, as typed. */
  readonly sharePercent: string;
  readonly promptMode: "keep" | "label" | "version";
  readonly promptTemplateId: string;
  readonly promptLabel: string;
  readonly promptVersion: string;
  /** `keepModel`, `platformDefaultModel`, or a model name. */
  readonly modelName: string;
  /** Empty: the agent's. */
  readonly temperature: string;
  readonly replaceKnowledge: boolean;
  readonly knowledgeBaseIds: readonly string[];
  /** Empty: the served version. */
  readonly agentVersion: string;
}

export interface ExperimentDraft {
  readonly agentId: string;
  readonly name: string;
  readonly description: string;
  readonly metric: ExperimentMetric;
  readonly variants: readonly VariantDraft[];
}

let nextKey = 0;

export function variantDraft(name: string, sharePercent: string): VariantDraft {
  return {
    key: `variant-${nextKey++}`,
    name,
    sharePercent,
    promptMode: "keep",
    promptTemplateId: "",
    promptLabel: "production",
    promptVersion: "",
    modelName: keepModel,
    temperature: "",
    replaceKnowledge: false,
    knowledgeBaseIds: [],
    agentVersion: "",
  };
}

const letters = "ABCDE";

export function newExperimentDraft(agentId = ""): ExperimentDraft {
  return {
    agentId,
    name: "",
    description: "",
    metric: "answerRate",
    variants: [variantDraft("Control", "50"), variantDraft("Variant B", "50")],
  };
}

/** Adds a variant and spreads the traffic evenly again. */
export function withVariant(draft: ExperimentDraft): ExperimentDraft {
  if (draft.variants.length >= experimentLimits.maxVariants) return draft;
  const count = draft.variants.length + 1;
  const shares = evenShares(count);
  const added = variantDraft(`Variant ${letters[count - 1] ?? count}`, "0");
  return {
    ...draft,
    variants: [...draft.variants, added].map((v, i) => ({ ...v, sharePercent: percentText(shares[i] ?? 0) })),
  };
}

export function withoutVariant(draft: ExperimentDraft, index: number): ExperimentDraft {
  if (draft.variants.length <= experimentLimits.minVariants) return draft;
  const remaining = draft.variants.filter((_, i) => i !== index);
  const shares = evenShares(remaining.length);
  return {
    ...draft,
    variants: remaining.map((v, i) => ({ ...v, sharePercent: percentText(shares[i] ?? 0) })),
  };
}

const percentText = (share: number) => String(Math.round(share * 10_000) / 100);

/** A percent as typed, as a share (0..1); NaN when it is not a number. */
export function shareOf(percent: string): number {
  const text = percent.trim().replace(/%$/, "");
  if (!/^\d+(\.\d+)?$/.test(text)) return Number.NaN;
  // Hundredths of a percent exactly, so shares typed to add up to 100 add up to 1.
  return Math.round(Number(text) * 100) / 10_000;
}

function overridesOf(v: VariantDraft): VariantOverrides {
  const overrides: { -readonly [K in keyof VariantOverrides]: VariantOverrides[K] } = {};
  if (v.promptMode !== "keep" && v.promptTemplateId !== "") {
    overrides.prompt =
      v.promptMode === "label"
        ? { templateId: v.promptTemplateId, label: v.promptLabel.trim() }
        : { templateId: v.promptTemplateId, version: Number(v.promptVersion) };
  }
  if (v.modelName === platformDefaultModel) overrides.modelName = null;
  else if (v.modelName !== keepModel) overrides.modelName = v.modelName;
  if (v.temperature.trim() !== "") overrides.temperature = Number(v.temperature);
  if (v.replaceKnowledge) overrides.knowledgeBaseIds = [...v.knowledgeBaseIds];
  if (v.agentVersion !== "") overrides.agentVersion = Number(v.agentVersion);
  return overrides;
}

export function inputOf(draft: ExperimentDraft): ExperimentInput {
  return {
    agentId: draft.agentId,
    name: draft.name.trim(),
    description: draft.description.trim(),
    metric: draft.metric,
    variants: draft.variants.map((v): VariantInput => ({
      name: v.name.trim(),
      share: shareOf(v.sharePercent),
      overrides: overridesOf(v),
    })),
  };
}

/** Problems by field path, as the platform names them (`variants.0.share`), plus `shares` for their sum. */
export function draftProblems(draft: ExperimentDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  if (draft.agentId === "") problems.agentId = "Choose the agent whose traffic is split.";
  if (draft.name.trim() === "") problems.name = "Give the experiment a name.";
  draft.variants.forEach((v, i) => {
    const at = (field: string) => `variants.${i}.${field}`;
    if (v.name.trim() === "") problems[at("name")] = "Name the variant.";
    const share = shareOf(v.sharePercent);
    if (Number.isNaN(share) || share <= 0 || share > 1)
      problems[at("share")] = "A share is a percent above 0 and at most 100.";
    if (v.promptMode !== "keep") {
      if (v.promptTemplateId === "") problems[at("overrides.prompt.templateId")] = "Choose a template.";
      if (v.promptMode === "label" && !/^[a-z0-9-]{1,40}$/.test(v.promptLabel.trim()))
        problems[at("overrides.prompt.label")] = "Choose a label.";
      if (v.promptMode === "version" && !/^[1-9]\d*$/.test(v.promptVersion))
        problems[at("overrides.prompt.version")] = "Choose a version.";
    }
    if (v.temperature.trim() !== "") {
      const t = Number(v.temperature);
      if (!Number.isFinite(t) || t < 0 || t > 2) problems[at("overrides.temperature")] = "From 0 to 2.";
    }
  });
  const shares = draft.variants.map((v) => shareOf(v.sharePercent));
  if (!shares.some(Number.isNaN)) {
    const problem = sharesProblem(shares);
    if (problem) problems.shares = problem;
  }
  return problems;
}
