// Two runs of the smoke flow compared request by request (scripts/firebase-suites.mjs): every request both runs
// made in the steps both passed must answer with the same status and the same body shape. A known difference
// (keyed by step and request label) names its reason and, with `compare`, the part of the shapes that must
// still match; without it, any body is allowed there (the status must still match).

const key = (e) => `${e.step}|${e.label}`;

/** Exchanges of one run by step, label and occurrence (a label may be used more than once in a step). */
function indexed(exchanges) {
  const seen = new Map();
  return new Map(
    exchanges.map((e) => {
      const n = (seen.get(key(e)) ?? 0) + 1;
      seen.set(key(e), n);
      return [`${key(e)}#${n}`, e];
    }),
  );
}

const passedSteps = (run) => new Set(run.outcomes.filter((o) => o.result === "passed").map((o) => o.name));

/**
 * `a` and `b` are runs (`{outcomes, exchanges}`) named `names[0]` and `names[1]` in the messages. Returns the
 * steps compared, how many requests, the unexplained differences and the known ones that occurred.
 */
export function compareRuns(a, b, knownDifferences = {}, names = ["Firebase mode", "local mode"]) {
  const inB = passedSteps(b);
  const steps = new Set([...passedSteps(a)].filter((name) => inB.has(name)));
  const first = indexed(a.exchanges.filter((e) => steps.has(e.step)));
  const second = indexed(b.exchanges.filter((e) => steps.has(e.step)));
  const differences = [];
  const known = [];
  for (const [id, x] of first) {
    const y = second.get(id);
    if (!y) {
      differences.push(`${id}: made in ${names[0]} only`);
      continue;
    }
    if (x.status !== y.status) {
      differences.push(`${id}: status ${x.status} in ${names[0]}, ${y.status} in ${names[1]}`);
      continue;
    }
    if (JSON.stringify(x.shape) === JSON.stringify(y.shape)) continue;
    const difference = knownDifferences[key(x)];
    const part = (shape) => (difference?.compare ? difference.compare(shape) : difference ? null : shape);
    if (JSON.stringify(part(x.shape)) === JSON.stringify(part(y.shape)))
      known.push(`${key(x)}: ${difference.reason}`);
    else
      differences.push(
        `${id}: the body differs\n      ${names[0]}: ${JSON.stringify(x.shape)}\n      ${names[1]}: ${JSON.stringify(y.shape)}`,
      );
  }
  for (const id of second.keys()) if (!first.has(id)) differences.push(`${id}: made in ${names[1]} only`);
  return { steps, requests: first.size, differences, known };
}
