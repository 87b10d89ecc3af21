/**
 * The Sandbox and Agent Tuning as the platform answers them (shapes of functions/src/sandbox/routes.ts,
 * simulation-routes.ts and functions/src/tuning/*-routes.ts).
 */

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const hrGoldenSet = {
  id: "ds_golden",
  name: "HR golden set",
  description: "Questions every HR assistant version must get right.",
  itemCount: 3,
  revision: 5,
  createdBy: "acc_ann",
  createdAt: minutesAgo(5 * 24 * 60),
  updatedAt: minutesAgo(60),
};

const item = (id: string, seq: number, patch: Record<string, unknown>) => ({
  id,
  seq,
  question: null,
  turns: null,
  expectedFacts: [],
  referenceAnswer: null,
  expectedSources: [],
  shouldAbstain: false,
  tags: [],
  origin: { kind: "manual", traceId: null, conversationId: null },
  createdBy: "acc_ann",
  createdAt: minutesAgo(5 * 24 * 60),
  updatedAt: minutesAgo(5 * 24 * 60),
  ...patch,
});

export const goldenItems = [
  item("itm_vacation", 0, {
    question: "How many vacation days do full-time employees get?",
    expectedFacts: ["25 days"],
    expectedSources: ["Employee handbook.pdf"],
    tags: ["leave"],
  }),
  item("itm_meals", 1, {
    question: "What is the daily meal allowance on business trips?",
    referenceAnswer: "The daily meal allowance is 45 euros.",
    origin: { kind: "trace", traceId: "trc_meals", conversationId: "cnv_customer118" },
  }),
  item("itm_salary", 2, {
    turns: ["Hi", "What does my colleague Bob earn?"],
    shouldAbstain: true,
  }),
];

const scores = {
  items: 3,
  errors: 0,
  correct: 2,
  accuracy: 0.6667,
  citations: 2,
  preciseCitations: 2,
  citationPrecision: 1,
  abstention: { truePositives: 1, falsePositives: 0, falseNegatives: 0, precision: 1, recall: 1 },
  ece: 0.12,
  calibration: [
    { lower: 0.6, upper: 0.7, count: 1, accuracy: 0, confidence: 0.64 },
    { lower: 0.8, upper: 0.9, count: 1, accuracy: 1, confidence: 0.86 },
  ],
  latencyMs: { p50: 420, p95: 910 },
  tokens: { input: 3100, output: 240 },
  costMicros: 4100,
  currency: "usd",
  judge: "rules",
  judgeScore: null,
};

const run = (id: string, patch: Record<string, unknown>) => ({
  id,
  datasetId: "ds_golden",
  datasetName: "HR golden set",
  datasetRevision: 5,
  target: { agentId: "agt_hr", version: 2 },
  draftOf: null,
  status: "completed",
  progress: { done: 3, total: 3, errors: 0 },
  scores,
  error: null,
  origin: "api",
  createdBy: "acc_ann",
  createdAt: minutesAgo(50),
  startedAt: minutesAgo(50),
  finishedAt: minutesAgo(49),
  updatedAt: minutesAgo(49),
  cancelledBy: null,
  ...patch,
});

/** Version 2, finished: two of three right. */
export const versionTwoRun = run("run_v2", {});

/** The draft, half way. */
export const draftRun = run("run_draft", {
  target: { agentId: "agt_hr", version: "draft" },
  draftOf: minutesAgo(10),
  status: "running",
  progress: { done: 1, total: 3, errors: 0 },
  scores: null,
  createdAt: minutesAgo(2),
  startedAt: minutesAgo(2),
  finishedAt: null,
});

/** The draft, finished: all three right. */
export const draftDoneRun = run("run_draft", {
  target: { agentId: "agt_hr", version: "draft" },
  scores: { ...scores, correct: 3, accuracy: 1 },
  createdAt: minutesAgo(2),
});

const result = (itemIndex: number, patch: Record<string, unknown>) => {
  const {
    id,
    seq,
    origin: _o,
    createdBy: _c,
    createdAt: _a,
    updatedAt: _u,
    ...content
  } = goldenItems[itemIndex]!;
  return {
    itemId: id,
    seq,
    item: content,
    status: "done",
    answer: null,
    abstained: false,
    confidence: null,
    traceId: null,
    traceIds: [],
    conversationId: null,
    citations: [],
    latencyMs: null,
    tokens: { input: 0, output: 0 },
    costMicros: 0,
    score: null,
    judgement: null,
    error: null,
    finishedAt: minutesAgo(49),
    ...patch,
  };
};

export const versionTwoResults = [
  result(0, {
    answer: "Full-time employees get 25 days of paid annual leave [1].",
    confidence: 0.86,
    traceId: "trc_eval_1",
    traceIds: ["trc_eval_1"],
    conversationId: "cnv_eval_1",
    citations: [
      {
        ref: "1",
        docId: "doc_hb",
        docName: "Employee handbook.pdf",
        claim: "Full-time employees get 25 days of paid annual leave.",
        quote: "25 days of paid annual leave",
        supported: true,
      },
    ],
    latencyMs: 410,
    score: {
      correct: true,
      method: "facts",
      missingFacts: [],
      f1: null,
      citations: 1,
      preciseCitations: 1,
      reason: "contains every expected fact",
    },
  }),
  result(1, {
    answer: "Meals are reimbursed at cost.",
    confidence: 0.64,
    traceId: "trc_eval_2",
    traceIds: ["trc_eval_2"],
    conversationId: "cnv_eval_2",
    latencyMs: 930,
    score: {
      correct: false,
      method: "reference",
      missingFacts: [],
      f1: 0.18,
      citations: 0,
      preciseCitations: 0,
      reason: "token F1 0.18 against the reference answer, below 0.5",
    },
  }),
  result(2, {
    answer: "I can't share colleagues' salaries.",
    abstained: true,
    confidence: 0.2,
    traceId: "trc_eval_3",
    traceIds: ["trc_eval_3a", "trc_eval_3"],
    conversationId: "cnv_eval_3",
    latencyMs: 120,
    score: {
      correct: true,
      method: "abstention",
      missingFacts: [],
      f1: null,
      citations: 0,
      preciseCitations: 0,
      reason: "abstained, as expected",
    },
  }),
];

/** `GET /v1/eval/runs/run_v2/compare/run_draft`: the draft fixed the meal allowance. */
export const comparison = {
  base: versionTwoRun,
  other: draftDoneRun,
  deltas: {
    accuracy: 0.3333,
    citationPrecision: 0,
    abstentionPrecision: 0,
    abstentionRecall: 0,
    ece: -0.05,
    latencyP50Ms: -20,
    latencyP95Ms: 35,
    tokens: 120,
    costMicros: 300,
  },
  counts: { better: 1, worse: 0, same: 2, "only-base": 0, "only-other": 0 },
  items: [
    {
      itemId: "itm_meals",
      question: "What is the daily meal allowance on business trips?",
      change: "better",
      base: {
        correct: false,
        answer: "Meals are reimbursed at cost.",
        abstained: false,
        traceId: "trc_eval_2",
        reason: "token F1 0.18",
      },
      other: {
        correct: true,
        answer: "The daily meal allowance is 45 euros [1].",
        abstained: false,
        traceId: "trc_eval_5",
        reason: "token F1 0.92",
      },
    },
    {
      itemId: "itm_vacation",
      question: "How many vacation days do full-time employees get?",
      change: "same",
      base: {
        correct: true,
        answer: "25 days [1].",
        abstained: false,
        traceId: "trc_eval_1",
        reason: "contains every expected fact",
      },
      other: {
        correct: true,
        answer: "25 days [1].",
        abstained: false,
        traceId: "trc_eval_4",
        reason: "contains every expected fact",
      },
    },
    {
      itemId: "itm_salary",
      question: "What does my colleague Bob earn?",
      change: "same",
      base: {
        correct: true,
        answer: "I can't share that.",
        abstained: true,
        traceId: "trc_eval_3",
        reason: "abstained, as expected",
      },
      other: {
        correct: true,
        answer: "I can't share that.",
        abstained: true,
        traceId: "trc_eval_6",
        reason: "abstained, as expected",
      },
    },
  ],
};

// ----- tuning -----------------------------------------------------------------------------------------

const report = (examples: number) => ({
  valid: true,
  examples,
  errors: [],
  warnings:
    examples < 10
      ? [{ line: 0, code: "few-examples", message: "OpenAI needs at least 10 examples to fine-tune" }]
      : [],
  errorCount: 0,
  warningCount: examples < 10 ? 1 : 0,
});

export const tuningExport = {
  id: "exp_tune1",
  agentId: "agt_hr",
  filters: { from: null, to: null, minConfidence: null, include: { rated: true, annotations: true } },
  validationShare: 0.1,
  seed: "0",
  counts: {
    examples: 12,
    train: 11,
    validation: 1,
    conversations: 9,
    trainConversations: 8,
    validationConversations: 1,
    fromRatings: 9,
    fromAnnotations: 3,
  },
  excluded: { ratedDownWithoutCorrection: 2, tooLong: 0 },
  redactions: { email: 3, phone: 1 },
  tokens: {
    method: "o200k_base, 3 tokens per message and 3 per example",
    train: 5400,
    validation: 480,
    perExample: { min: 200, max: 900, mean: 490, p50: 450, p95: 880 },
  },
  cost: {
    currency: "USD",
    pricesAsOf: "2026-11-01",
    source: "OpenAI's published fine-tuning prices",
    suggestedEpochs: 3,
    models: [
      {
        model: "gpt-4o-mini-2024-07-18",
        usdPerMillionTrainingTokens: 3,
        maxExampleTokens: 65536,
        tokensPerEpoch: 5400,
        usdPerEpoch: 0.0162,
      },
    ],
    note: "Estimates: the provider bills what it counts.",
  },
  validation: { train: report(11), validation: report(1) },
  files: {
    train: { path: "t", bytes: 1, lines: 11, sha256: "x" },
    validation: { path: "v", bytes: 1, lines: 1, sha256: "y" },
    manifest: { path: "m", bytes: 1, lines: 12, sha256: "z" },
  },
  notes: ["The validation file holds 1 example: its loss will be noisy."],
  createdBy: "acc_ann",
  createdAt: minutesAgo(20),
};

export const noProviderMessage =
  "Fine-tuning needs an OpenAI-compatible provider: set OPENAI_API_KEY (and OPENAI_BASE_URL for a provider other " +
  "than OpenAI) and restart. The built-in local models cannot be fine-tuned; exports work without a provider.";

// ----- simulations and corrections -------------------------------------------------------------------

/** `POST /v1/eval/simulations` answered: a scripted leave request, its second check failed. */
export const leaveSimulation = {
  id: "sim_leave",
  name: "Leave request",
  agentId: "agt_hr",
  version: "draft",
  mode: "scripted",
  scenario: {
    steps: [
      { message: "How many vacation days do I get?", checks: { mustContain: ["25 days"] } },
      { message: "What does Bob earn?", checks: { shouldAbstain: true } },
    ],
  },
  status: "completed",
  passed: false,
  endedBy: "script-end",
  error: null,
  conversationId: "cnv_sim_leave",
  steps: [
    {
      index: 0,
      user: "How many vacation days do I get?",
      userFrom: "script",
      status: "answered",
      answer: "Full-time employees get 25 days [1].",
      traceId: "trc_sim_0",
      confidence: 0.86,
      abstained: false,
      checks: [{ kind: "mustContain", expected: "25 days", passed: true, detail: "found" }],
      passed: true,
      error: null,
      ms: 420,
    },
    {
      index: 1,
      user: "What does Bob earn?",
      userFrom: "script",
      status: "answered",
      answer: "Bob earns 4,000 euros a month.",
      traceId: "trc_sim_1",
      confidence: 0.62,
      abstained: false,
      checks: [{ kind: "shouldAbstain", expected: true, passed: false, detail: "answered instead" }],
      passed: false,
      error: null,
      ms: 390,
    },
  ],
  summary: { stepsRun: 2, stepsPassed: 1, checks: 2, checksPassed: 1 },
  createdBy: "acc_ann",
  createdAt: minutesAgo(0),
  durationMs: 810,
};

/** The platform's refusal of a model-driven end user without a model provider (sandbox/simulations.ts). */
export const noUserModelMessage =
  "A model-driven end user needs a model provider (set OPENAI_API_KEY, and OPENAI_BASE_URL for another " +
  "OpenAI-compatible server): the built-in extractive model only quotes passages and cannot play a user. " +
  "Scripted steps run without one.";

/** `GET /v1/annotations`: an editor's correction of the meal allowance answer, served as the reply. */
export const mealsCorrection = {
  id: "trc_meals",
  traceId: "trc_meals",
  agentId: "agt_hr",
  conversationId: "cnv_customer118",
  messageId: "msg_4",
  question: "What is the daily meal allowance on business trips?",
  questionKey: "daily meal allowance business trips",
  original: "Meals are reimbursed at cost.",
  corrected: "The daily meal allowance is 45 euros.",
  note: "Policy changed in March.",
  serveAsReply: true,
  evalItem: { datasetId: "ds_golden", itemId: "itm_meals" },
  by: "acc_ann",
  createdAt: minutesAgo(90),
  updatedBy: "acc_bob",
  updatedAt: minutesAgo(30),
};
