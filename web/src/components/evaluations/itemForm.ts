/**
 * The eval item form: what is typed (lists one per line), read from a stored item, and turned into what the
 * platform takes, with the problems it would refuse found first. The platform checks again; its refusals name
 * the same fields (`question`, `expectedFacts.2`).
 */
import { evalLimits, type EvalItemContent, type EvalItemInput } from "../../data/evaluations";

export interface ItemDraft {
  readonly kind: "question" | "script";
  readonly question: string;
  /** A script's messages, one per line. */
  readonly turns: string;
  /** One per line. */
  readonly expectedFacts: string;
  readonly referenceAnswer: string;
  /** One per line. */
  readonly expectedSources: string;
  readonly shouldAbstain: boolean;
  /** Separated by commas. */
  readonly tags: string;
}

export const emptyItemDraft: ItemDraft = {
  kind: "question",
  question: "",
  turns: "",
  expectedFacts: "",
  referenceAnswer: "",
  expectedSources: "",
  shouldAbstain: false,
  tags: "",
};

export const lines = (text: string): string[] =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

const commaList = (text: string): string[] =>
  text
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t !== "");

export function itemDraftOf(item: EvalItemContent): ItemDraft {
  return {
    kind: item.turns ? "script" : "question",
    question: item.question ?? "",
    turns: (item.turns ?? []).join("\n"),
    expectedFacts: item.expectedFacts.join("\n"),
    referenceAnswer: item.referenceAnswer ?? "",
    expectedSources: item.expectedSources.join("\n"),
    shouldAbstain: item.shouldAbstain,
    tags: item.tags.join(", "),
  };
}

export function itemInputOf(draft: ItemDraft): EvalItemInput {
  const reference = draft.referenceAnswer.trim();
  return {
    ...(draft.kind === "question" ? { question: draft.question.trim() } : { turns: lines(draft.turns) }),
    expectedFacts: lines(draft.expectedFacts),
    referenceAnswer: reference === "" ? null : reference,
    expectedSources: lines(draft.expectedSources),
    shouldAbstain: draft.shouldAbstain,
    tags: commaList(draft.tags),
  };
}

/** Problems by field, as the platform names them. */
export function itemProblems(draft: ItemDraft): Record<string, string> {
  const problems: Record<string, string> = {};
  const input = itemInputOf(draft);
  if (draft.kind === "question" && (input.question ?? "") === "") problems.question = "Write the question.";
  if (draft.kind === "script") {
    const turns = input.turns ?? [];
    if (turns.length === 0) problems.turns = "Write the end user's messages, one per line.";
    else if (turns.length > evalLimits.turnsPerScript)
      problems.turns = `A script holds at most ${evalLimits.turnsPerScript} messages.`;
  }
  if (input.expectedFacts.length > evalLimits.facts)
    problems.expectedFacts = `At most ${evalLimits.facts} expected facts.`;
  else if (input.expectedFacts.some((f) => f.length > evalLimits.factChars))
    problems.expectedFacts = `A fact is at most ${evalLimits.factChars} characters.`;
  if (input.expectedFacts.length === 0 && input.referenceAnswer === null && !input.shouldAbstain)
    problems.expectedFacts =
      "Give expected facts, a reference answer, or check “should abstain”, so the answer can be scored.";
  if ((input.referenceAnswer ?? "").length > evalLimits.referenceChars)
    problems.referenceAnswer = `At most ${evalLimits.referenceChars.toLocaleString("en")} characters.`;
  if (input.expectedSources.length > evalLimits.sources)
    problems.expectedSources = `At most ${evalLimits.sources} sources.`;
  if (input.tags.length > evalLimits.tags) problems.tags = `At most ${evalLimits.tags} tags.`;
  return problems;
}

/** The platform's issues by the form's field (`expectedFacts.2` → `expectedFacts`; `turns` for a script). */
export function issueFields(
  issues: readonly { readonly path: string; readonly message: string }[],
): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of issues) {
    const key = issue.path.split(".")[0] ?? "";
    if (key !== "") fields[key] = fields[key] ? `${fields[key]} ${issue.message}` : issue.message;
  }
  return fields;
}
