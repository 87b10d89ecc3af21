/**
 * The confidence of an answer: the probability that it is right, from three signals the checks measure:
 * - retrieval: the best search score among the cited passages (0..1);
 * - coverage: the share of the question's IDF weight the cited passages contain;
 * - support: how much of the answer survived the claim checks, and how strongly;
 * - unknown: the share of the question's weight in terms the knowledge bases never mention.
 * A logistic model maps them to a probability. Its coefficients are fitted on the fixture corpus (137
 * questions, 25 of them unanswerable) with the built-in extractive responder: `npm run calibrate` prints a
 * new fit after the corpus or the engine changes, and the answer-quality test reports the expected
 * calibration error of this fit and of a 2-fold cross-validated one. With another chat model the signals
 * mean the same but the fit has not been checked: calibrate on that provider before trusting the numbers.
 */

export interface ConfidenceSignals {
  readonly retrieval: number;
  readonly coverage: number;
  readonly support: number;
  readonly unknown: number;
}

export interface LogisticFit {
  readonly bias: number;
  readonly retrieval: number;
  readonly coverage: number;
  readonly support: number;
  readonly unknown: number;
}

/** Fitted by `npm run calibrate` on the fixture corpus (see the module comment). */
export const calibration: LogisticFit & { readonly fittedOn: string } = {
  bias: -18.055,
  retrieval: 9.946,
  coverage: 2.979,
  support: 11.273,
  unknown: -0.366,
  fittedOn: "fixture corpus, 137 questions, built-in extractive responder, 2026-11-25",
};

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

export function predict(fit: LogisticFit, s: ConfidenceSignals): number {
  return sigmoid(
    fit.bias +
      fit.retrieval * s.retrieval +
      fit.coverage * s.coverage +
      fit.support * s.support +
      fit.unknown * s.unknown,
  );
}

export function calibratedConfidence(s: ConfidenceSignals): number {
  return predict(calibration, s);
}

/**
 * Maximum-likelihood logistic regression by Newton's method, with a small ridge penalty so a separable
 * sample still converges. Deterministic: the same sample gives the same fit.
 */
export function fitLogistic(
  sample: readonly { readonly signals: ConfidenceSignals; readonly correct: boolean }[],
  ridge = 0.01,
): LogisticFit {
  const x = sample.map((p) => [
    1,
    p.signals.retrieval,
    p.signals.coverage,
    p.signals.support,
    p.signals.unknown,
  ]);
  const y = sample.map((p) => (p.correct ? 1 : 0));
  let w = [0, 0, 0, 0, 0];
  for (let iteration = 0; iteration < 100; iteration++) {
    const gradient = [0, 0, 0, 0, 0];
    const hessian = [0, 1, 2, 3, 4].map(() => [0, 0, 0, 0, 0]);
    x.forEach((row, i) => {
      const p = sigmoid(row.reduce((sum, v, j) => sum + v * (w[j] as number), 0));
      row.forEach((v, j) => {
        gradient[j] = (gradient[j] as number) + (p - (y[i] as number)) * v;
        row.forEach((u, k) => {
          (hessian[j] as number[])[k] = ((hessian[j] as number[])[k] as number) + p * (1 - p) * v * u;
        });
      });
    });
    for (let j = 1; j < 5; j++) {
      gradient[j] = (gradient[j] as number) + ridge * (w[j] as number);
      (hessian[j] as number[])[j] = ((hessian[j] as number[])[j] as number) + ridge;
    }
    const step = solve(hessian, gradient);
    w = w.map((v, j) => v - (step[j] as number));
    if (Math.max(...step.map(Math.abs)) < 1e-9) break;
  }
  const [bias, retrieval, coverage, support, unknown] = w as [number, number, number, number, number];
  return { bias, retrieval, coverage, support, unknown };
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
