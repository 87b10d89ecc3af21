/**
 * The confidence of an answer: the probability that it is right, from signals the checks measure:
 * - retrieval: the best search score among the cited passages (0..1);
 * - support: how much of the answer survived the claim checks, and how strongly;
 * - unknown: the share of the question's weight in terms the knowledge bases never mention;
 * - answerCoverage: the share of the question's weight the answer's own sentences state;
 * - typeMatch: 1 when the answer holds the kind of answer the question asks for (a number for "how many",
 *   a command or option for "how do I", a name for "who"), or the question asks for no particular kind
 *   (an answer without it is withheld whatever its confidence, see assess.ts);
 * - topCited: 1 / the rank of the best-ranked passage the answer cites: an answer quoted from the search's
 *   first passage is right far more often than one drawn from the fifth.
 * None depends on a corpus's vocabulary or size. (The coverage of the question by the whole cited passages
 * is recorded with the confidence but left out of the model: it says what answerCoverage says, less sharply.)
 * A logistic model maps them to log-odds, fitted with the built-in extractive responder on the fixture corpus
 * and the tuning half of the held-out corpus (real documents); a Platt map fitted on out-of-fold log-odds
 * (each question scored by a model fitted on the other fold) turns them into the probability. The test half
 * of the held-out corpus is never fitted on. `npm run calibrate` prints a fresh fit after the corpus or the
 * engine changes, and the test half's calibration error with
 * them. With another chat model the signals mean the same but the fit has not been checked: calibrate on
 * that provider before trusting the numbers.
 */

/** The signals, in the order the model's weights are kept. */
export const SIGNALS = [
  "retrieval",
  "support",
  "unknown",
  "answerCoverage",
  "typeMatch",
  "topCited",
] as const;
export type Signal = (typeof SIGNALS)[number];

export type ConfidenceSignals = Readonly<Record<Signal, number>>;

export interface LogisticFit {
  readonly bias: number;
  readonly weights: Readonly<Record<Signal, number>>;
}

/**
 * Platt scaling: the probability is sigmoid(scale × z + shift), where z is the model's log-odds. Fitted on
 * answers the model was not fitted on, it corrects a model that is over- or under-confident elsewhere.
 */
export interface PlattMap {
  readonly scale: number;
  readonly shift: number;
}

/**
 * Fitted by `npm run calibrate` (see the module comment): the model on the fixture corpus, the map on the
 * tuning half of the held-out corpus. The test half of the held-out corpus is never used to fit.
 */
export const calibration: {
  readonly model: LogisticFit;
  readonly map: PlattMap;
  readonly fittedOn: string;
} = {
  model: {
    bias: -4.525,
    weights: {
      retrieval: 0.406,
      support: 0,
      unknown: -2.847,
      answerCoverage: 1.449,
      typeMatch: 0,
      topCited: 5.4,
    },
  },
  map: { scale: 0.684, shift: 0.463 },
  fittedOn:
    "fixture corpus (137 questions) + held-out tuning half (80), built-in extractive responder, 2026-12-04",
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** The model's log-odds that an answer with these signals is right. */
export function logOdds(fit: LogisticFit, s: ConfidenceSignals): number {
  return SIGNALS.reduce((z, k) => z + fit.weights[k] * s[k], fit.bias);
}

export function predict(
  fit: LogisticFit,
  s: ConfidenceSignals,
  map: PlattMap = { scale: 1, shift: 0 },
): number {
  return sigmoid(map.scale * logOdds(fit, s) + map.shift);
}

export function calibratedConfidence(s: ConfidenceSignals): number {
  return predict(calibration.model, s, calibration.map);
}

/**
 * Maximum-likelihood logistic regression by Newton's method, with a small ridge penalty so a separable
 * sample still converges. Deterministic: the same sample gives the same fit.
 */
export function fitLogistic(
  sample: readonly { readonly signals: ConfidenceSignals; readonly correct: boolean }[],
  ridge = 0.01,
): LogisticFit {
  const w = newton(
    sample.map((p) => [1, ...SIGNALS.map((k) => p.signals[k])]),
    sample.map((p) => (p.correct ? 1 : 0)),
    ridge,
  );
  return {
    bias: w[0] as number,
    weights: Object.fromEntries(SIGNALS.map((k, i) => [k, w[i + 1] as number])) as Record<Signal, number>,
  };
}

/** The Platt map (as [shift, scale]) that best calibrates a model's log-odds on a sample it was not fitted on. */
export function fitPlattOn(
  sample: readonly { readonly logit: number; readonly correct: boolean }[],
): [number, number] {
  return newton(
    sample.map((p) => [1, p.logit]),
    sample.map((p) => (p.correct ? 1 : 0)),
    0.01,
  ) as [number, number];
}

/** Logistic regression weights (the first column is the intercept, which is not penalized). */
function newton(x: readonly number[][], y: readonly number[], ridge: number): number[] {
  const d = x[0]?.length ?? 1;
  let w = new Array<number>(d).fill(0);
  for (let iteration = 0; iteration < 100; iteration++) {
    const gradient = new Array<number>(d).fill(0);
    const hessian = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    x.forEach((row, i) => {
      const p = sigmoid(row.reduce((sum, v, j) => sum + v * (w[j] as number), 0));
      row.forEach((v, j) => {
        gradient[j] = (gradient[j] as number) + (p - (y[i] as number)) * v;
        row.forEach((u, k) => {
          (hessian[j] as number[])[k] = ((hessian[j] as number[])[k] as number) + p * (1 - p) * v * u;
        });
      });
    });
    for (let j = 1; j < d; j++) {
      gradient[j] = (gradient[j] as number) + ridge * (w[j] as number);
      (hessian[j] as number[])[j] = ((hessian[j] as number[])[j] as number) + ridge;
    }
    const step = solve(hessian, gradient);
    w = w.map((v, j) => v - (step[j] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  return w;
}

/** Gaussian elimination with partial pivoting for the Newton step. */
function solve(a: number[][], b: number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i] as number]);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++)
      if (Math.abs((m[r] as number[])[col] as number) > Math.abs((m[pivot] as number[])[col] as number))
        pivot = r;
    [m[col], m[pivot]] = [m[pivot] as number[], m[col] as number[]];
    const p = (m[col] as number[])[col] as number;
    if (Math.abs(p) < 1e-12) return new Array<number>(n).fill(0);
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const factor = ((m[r] as number[])[col] as number) / p;
      for (let c = col; c <= n; c++)
        (m[r] as number[])[c] =
          ((m[r] as number[])[c] as number) - factor * ((m[col] as number[])[c] as number);
    }
  }
  return m.map((row, i) => (row[n] as number) / ((row[i] as number) || 1));
}
