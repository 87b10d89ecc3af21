/**
 * Prompt templates and experiments as the platform answers them (shapes of functions/src/prompts/routes.ts:
 * `GET /v1/prompts`, `…/versions`, `GET /v1/experiments/{id}`, `…/results`).
 */

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

const tone = {
  name: "tone",
  type: "enum",
  required: true,
  default: "friendly",
  description: "How the assistant sounds",
  values: ["friendly", "formal"],
  maxLength: null,
};
const company = {
  name: "company",
  type: "string",
  required: true,
  default: null,
  description: "",
  values: [],
  maxLength: 2000,
};

/** The HR assistant's instructions as a template: production on version 2, staging on version 3. */
export const hrPrompt = {
  id: "prm_hr",
  name: "HR assistant instructions",
  description: "What the HR assistant is told before every question.",
  labels: { production: 2, staging: 3 },
  latestVersion: 3,
  labelLog: [],
  status: "active",
  createdBy: "acc_ann",
  createdAt: minutesAgo(3 * 24 * 60),
  updatedAt: minutesAgo(30),
};

/** Newest first, as `GET /v1/prompts/{id}/versions` lists them. */
export const hrPromptVersions = [
  {
    templateId: "prm_hr",
    version: 3,
    text: [
      "You are the HR assistant of {{company}}.",
      "Answer in a {{tone}} tone, in at most three sentences.",
      "Cite the handbook for every claim.",
    ].join("\n"),
    variables: [company, tone],
    note: "Shorter answers",
    createdBy: "acc_ann",
    createdAt: minutesAgo(30),
  },
  {
    templateId: "prm_hr",
    version: 2,
    text: [
      "You are the HR assistant of {{company}}.",
      "Answer in a {{tone}} tone.",
      "Cite the handbook for every claim.",
    ].join("\n"),
    variables: [company, tone],
    note: "A tone to choose",
    createdBy: "acc_ann",
    createdAt: minutesAgo(2 * 24 * 60),
  },
  {
    templateId: "prm_hr",
    version: 1,
    text: "You are the HR assistant of {{company}}.\nCite the handbook for every claim.",
    variables: [company],
    note: "",
    createdBy: "acc_bob",
    createdAt: minutesAgo(3 * 24 * 60),
  },
];

/** A template with one version and no labels. */
export const travelPrompt = {
  ...hrPrompt,
  id: "prm_travel",
  name: "Travel desk",
  description: "",
  labels: {},
  latestVersion: 1,
  updatedAt: minutesAgo(3 * 60),
};

// ----- experiments -------------------------------------------------------------------------------------

/** A running experiment on the HR assistant: production prompt against staging, half and half. */
export const shorterAnswers = {
  id: "exp_short",
  agentId: "agt_hr",
  name: "Shorter answers",
  description: "Does the staging prompt answer as often, with better feedback?",
  status: "running",
  metric: "feedbackScore",
  variants: [
    {
      id: "a",
      name: "Control",
      share: 0.5,
      overrides: {},
      resolvedPrompt: null,
    },
    {
      id: "b",
      name: "Staging prompt",
      share: 0.5,
      overrides: { prompt: { templateId: "prm_hr", label: "staging" }, temperature: 0.1 },
      resolvedPrompt: { templateId: "prm_hr", version: 3, label: "staging", variables: {} },
    },
  ],
  startedAt: minutesAgo(3 * 24 * 60),
  stoppedAt: null,
  periods: [{ startedAt: minutesAgo(3 * 24 * 60), stoppedAt: null }],
  baseVersion: 2,
  promotedVariantId: null,
  promotedVersion: null,
  promotedAt: null,
  promotedBy: null,
  createdBy: "acc_ann",
  createdAt: minutesAgo(4 * 24 * 60),
  updatedAt: minutesAgo(3 * 24 * 60),
};

const method =
  "two-proportion z-test (pooled standard error), two-sided; 95% Wald confidence interval of the difference";

/** `GET /v1/experiments/exp_short/results`: the staging prompt is significantly better on feedback. */
export const shorterAnswersResults = {
  experimentId: "exp_short",
  experiment: shorterAnswers,
  generatedAt: minutesAgo(1),
  tracesRead: 1240,
  truncated: false,
  variants: [
    {
      variantId: "a",
      name: "Control",
      share: 0.5,
      turns: 612,
      answered: 520,
      abstained: 88,
      failed: 4,
      answerRate: 0.8497,
      abstentionRate: 0.1438,
      failureRate: 0.0065,
      feedbackScore: 0.62,
      ratings: 150,
      ratingsUp: 93,
      latencyP50Ms: 840,
      latencyP95Ms: 2100,
      inputTokens: 250_000,
      outputTokens: 41_000,
      tokens: 291_000,
      costMicros: 1_530_000,
      costPerTurnMicros: 2500,
      evalScore: null,
      evalRunId: null,
    },
    {
      variantId: "b",
      name: "Staging prompt",
      share: 0.5,
      turns: 628,
      answered: 540,
      abstained: 86,
      failed: 2,
      answerRate: 0.8599,
      abstentionRate: 0.1369,
      failureRate: 0.0032,
      feedbackScore: 0.78,
      ratings: 160,
      ratingsUp: 125,
      latencyP50Ms: 760,
      latencyP95Ms: 1900,
      inputTokens: 240_000,
      outputTokens: 30_000,
      tokens: 270_000,
      costMicros: 1_256_000,
      costPerTurnMicros: 2000,
      evalScore: 0.84,
      evalRunId: "run_b",
    },
  ],
  significance: [
    {
      method,
      enoughData: true,
      reason: "",
      baseline: { successes: 520, n: 612, rate: 0.8497 },
      variant: { successes: 540, n: 628, rate: 0.8599 },
      difference: 0.0102,
      z: 0.51,
      pValue: 0.61,
      ci: [-0.029, 0.049],
      confidenceLevel: 0.95,
      metric: "answerRate",
      baselineVariantId: "a",
      variantId: "b",
      pValueAdjusted: 0.61,
      significant: false,
      higherIsBetter: true,
    },
    {
      method,
      enoughData: true,
      reason: "",
      baseline: { successes: 93, n: 150, rate: 0.62 },
      variant: { successes: 125, n: 160, rate: 0.78125 },
      difference: 0.16125,
      z: 3.13,
      pValue: 0.0017,
      ci: [0.0612, 0.2613],
      confidenceLevel: 0.95,
      metric: "feedbackScore",
      baselineVariantId: "a",
      variantId: "b",
      pValueAdjusted: 0.0017,
      significant: true,
      higherIsBetter: true,
    },
    {
      method,
      enoughData: true,
      reason: "",
      baseline: { successes: 88, n: 612, rate: 0.1438 },
      variant: { successes: 86, n: 628, rate: 0.1369 },
      difference: -0.0069,
      z: -0.35,
      pValue: 0.73,
      ci: [-0.045, 0.032],
      confidenceLevel: 0.95,
      metric: "abstentionRate",
      baselineVariantId: "a",
      variantId: "b",
      pValueAdjusted: 0.73,
      significant: false,
      higherIsBetter: false,
    },
  ],
  winnerVariantId: "b",
};

/** The same experiment a day in: 12 turns per variant, too few for the test. */
export const earlyResults = {
  ...shorterAnswersResults,
  tracesRead: 24,
  variants: shorterAnswersResults.variants.map((v) => ({ ...v, turns: 12, ratings: 3, ratingsUp: 2 })),
  significance: shorterAnswersResults.significance.map((s) => ({
    ...s,
    enoughData: false,
    reason:
      "not enough data: the baseline has 12 observations (needs 30); the variant has 12 observations (needs 30)",
    difference: null,
    z: null,
    pValue: null,
    pValueAdjusted: null,
    ci: null,
    significant: false,
  })),
  winnerVariantId: null,
};
