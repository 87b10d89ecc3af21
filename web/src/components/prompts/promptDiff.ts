/**
 * What changed between two versions of a template: the text line by line (unified, or as side-by-side rows
 * that pair a removed run with the added run replacing it) and the variable declarations field by field.
 */
import type { PromptVariable } from "../../data/prompts";
import { lineDiff, type DiffLine } from "../agent-builder/agentDiff";

export { lineDiff, type DiffLine };

export interface SideBySideRow {
  readonly before: { readonly number: number; readonly text: string; readonly changed: boolean } | null;
  readonly after: { readonly number: number; readonly text: string; readonly changed: boolean } | null;
}

/**
 * The unified diff as two columns: unchanged lines side by side, and each run of removed lines paired with the
 * run of added lines that follows it (the shorter side padded with empty cells). Line numbers are each side's.
 */
export function sideBySide(lines: readonly DiffLine[]): SideBySideRow[] {
  const rows: SideBySideRow[] = [];
  let beforeNo = 0;
  let afterNo = 0;
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as DiffLine;
    if (line.kind === "same") {
      beforeNo++;
      afterNo++;
      rows.push({
        before: { number: beforeNo, text: line.text, changed: false },
        after: { number: afterNo, text: line.text, changed: false },
      });
      i++;
      continue;
    }
    const removed: string[] = [];
    const added: string[] = [];
    while (i < lines.length && (lines[i] as DiffLine).kind === "removed")
      removed.push((lines[i++] as DiffLine).text);
    while (i < lines.length && (lines[i] as DiffLine).kind === "added")
      added.push((lines[i++] as DiffLine).text);
    for (let k = 0; k < Math.max(removed.length, added.length); k++) {
      const b = removed[k];
      const a = added[k];
      rows.push({
        before: b === undefined ? null : { number: ++beforeNo, text: b, changed: true },
        after: a === undefined ? null : { number: ++afterNo, text: a, changed: true },
      });
    }
  }
  return rows;
}

export interface VariableChange {
  readonly name: string;
  readonly kind: "added" | "removed" | "changed";
  /** For a changed one: "type text → number, default none → 3". */
  readonly detail: string;
}

const show = (value: PromptVariable["default"]) => (value === null ? "none" : JSON.stringify(value));

/** Variables added, removed, or declared differently between two versions. */
export function variableChanges(
  before: readonly PromptVariable[],
  after: readonly PromptVariable[],
): VariableChange[] {
  const old = new Map(before.map((v) => [v.name, v]));
  const changes: VariableChange[] = [];
  for (const v of after) {
    const was = old.get(v.name);
    if (!was) {
      changes.push({ name: v.name, kind: "added", detail: `${v.type}${v.required ? ", required" : ""}` });
      continue;
    }
    const parts: string[] = [];
    if (was.type !== v.type) parts.push(`type ${was.type} → ${v.type}`);
    if (was.required !== v.required) parts.push(v.required ? "now required" : "no longer required");
    if (was.default !== v.default) parts.push(`default ${show(was.default)} → ${show(v.default)}`);
    if (was.values.join("\u0000") !== v.values.join("\u0000"))
      parts.push(`values ${was.values.join(", ") || "none"} → ${v.values.join(", ") || "none"}`);
    if (was.description !== v.description) parts.push("description changed");
    if (parts.length > 0) changes.push({ name: v.name, kind: "changed", detail: parts.join(", ") });
  }
  const kept = new Set(after.map((v) => v.name));
  for (const v of before)
    if (!kept.has(v.name)) changes.push({ name: v.name, kind: "removed", detail: v.type });
  return changes;
}
