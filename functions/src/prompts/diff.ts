/**
 * Line diff between two versions of a template (Myers' O((N+M)·D) algorithm, "An O(ND) Difference Algorithm
 * and Its Variations", 1986), and what changed in their variables. Texts are at most 20,000 characters, but a
 * pathological pair could still make D large: past `maxEdits` the diff falls back to "every old line removed,
 * every new line added", which is correct but not minimal, and says so (`minimal: false`).
 */
import type { PromptVariable } from "./schema.js";

export interface DiffLine {
  /** " " unchanged, "-" only in the older version, "+" only in the newer. */
  readonly op: " " | "-" | "+";
  readonly text: string;
  /** 1-based line numbers in the older (`from`) and newer (`to`) text; null where the line is not in it. */
  readonly fromLine: number | null;
  readonly toLine: number | null;
}

export interface LineDiff {
  readonly lines: DiffLine[];
  readonly added: number;
  readonly removed: number;
  readonly minimal: boolean;
}

/** Edits beyond which the diff stops looking for the shortest script (memory grows with their square). */
const maxEdits = 1000;

/** The shortest edit script from `a` to `b` as a list of operations, or null past `maxEdits`. */
function myers(a: readonly string[], b: readonly string[]): (" " | "-" | "+")[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, maxEdits);
  const offset = max + 1;
  let v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice());
    const next = v.slice();
    for (let k = -d; k <= d; k += 2) {
      let x: number;
      if (k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number))) {
        x = v[offset + k + 1] as number; // down: an insertion
      } else {
        x = (v[offset + k - 1] as number) + 1; // right: a deletion
      }
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      next[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, n, m, d, offset);
    }
    v = next;
  }
  return null;
}

function backtrack(
  trace: Int32Array[],
  n: number,
  m: number,
  dEnd: number,
  offset: number,
): (" " | "-" | "+")[] {
  const ops: (" " | "-" | "+")[] = [];
  let x = n;
  let y = m;
  for (let d = dEnd; d > 0; d--) {
    const v = trace[d] as Int32Array;
    const k = x - y;
    const down = k === -d || (k !== d && (v[offset + k - 1] as number) < (v[offset + k + 1] as number));
    const prevK = down ? k + 1 : k - 1;
    const prevX = v[offset + prevK] as number;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      ops.push(" ");
      x--;
      y--;
    }
    ops.push(down ? "+" : "-");
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) {
    ops.push(" ");
    x--;
    y--;
  }
  return ops.reverse();
}

export function diffLines(before: string, after: string): LineDiff {
  const a = before.split("\n");
  const b = after.split("\n");
  // Common head and tail first: most saves change a few lines in the middle.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  const script = myers(midA, midB);
  const minimal = script !== null;
  const ops: (" " | "-" | "+")[] = [
    ...Array<" ">(head).fill(" "),
    ...(script ?? [...Array<"-">(midA.length).fill("-"), ...Array<"+">(midB.length).fill("+")]),
    ...Array<" ">(tail).fill(" "),
  ];
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  let added = 0;
  let removed = 0;
  for (const op of ops) {
    if (op === " ") {
      lines.push({ op, text: a[i] as string, fromLine: i + 1, toLine: j + 1 });
      i++;
      j++;
    } else if (op === "-") {
      lines.push({ op, text: a[i] as string, fromLine: i + 1, toLine: null });
      i++;
      removed++;
    } else {
      lines.push({ op, text: b[j] as string, fromLine: null, toLine: j + 1 });
      j++;
      added++;
    }
  }
  return { lines, added, removed, minimal };
}

export interface VariableChanges {
  readonly added: PromptVariable[];
  readonly removed: PromptVariable[];
  /** Declared in both with a different type, requirement, default, values, description or maxLength. */
  readonly changed: { name: string; fields: string[]; before: PromptVariable; after: PromptVariable }[];
}

export function diffVariables(
  before: readonly PromptVariable[],
  after: readonly PromptVariable[],
): VariableChanges {
  const old = new Map(before.map((v) => [v.name, v]));
  const now = new Map(after.map((v) => [v.name, v]));
  const fields = ["type", "required", "default", "values", "description", "maxLength"] as const;
  return {
    added: after.filter((v) => !old.has(v.name)),
    removed: before.filter((v) => !now.has(v.name)),
    changed: after.flatMap((v) => {
      const was = old.get(v.name);
      if (!was) return [];
      const differ = fields.filter((f) => JSON.stringify(was[f]) !== JSON.stringify(v[f]));
      return differ.length > 0 ? [{ name: v.name, fields: [...differ], before: was, after: v }] : [];
    }),
  };
}
