/**
 * The figures an export's record gives about its files: counts, token counts, the cost estimate, the validator's
 * reports and notes. Computed from the manifest's entries and the files' text, by the same code when an export is
 * made and when examples are withdrawn from it (withdraw.ts), so the record describes the files it points at.
 */
import type { ManifestEntry, TuningExport } from "./schema.js";
import {
  suggestedEpochs,
  tokenCountMethod,
  trainingCosts,
  trainingPrices,
  type CountTokens,
} from "./tokens.js";
import { minTrainingExamples, validateFineTuningJsonl } from "./validate-jsonl.js";

export type ExportFigures = Pick<TuningExport, "counts" | "tokens" | "cost" | "validation" | "notes">;

function tokenStats(tokens: readonly number[]): TuningExport["tokens"]["perExample"] {
  if (tokens.length === 0) return null;
  const sorted = [...tokens].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
  return {
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    mean: Math.round((sorted.reduce((n, t) => n + t, 0) / sorted.length) * 10) / 10,
    p50: at(0.5),
    p95: at(0.95),
  };
}

export function exportFigures(input: {
  readonly entries: readonly Pick<ManifestEntry, "file" | "conversationId" | "source" | "tokens">[];
  readonly trainText: string;
  readonly validationText: string;
  readonly validationShare: number;
  readonly excluded: Readonly<Record<string, number>>;
  readonly countTokens: CountTokens;
}): ExportFigures {
  const { entries, countTokens } = input;
  const train = entries.filter((e) => e.file === "train");
  const validation = entries.filter((e) => e.file === "validation");
  const notes: string[] = [];
  if (train.length < minTrainingExamples) {
    notes.push(
      `${train.length} training example${train.length === 1 ? "" : "s"}: OpenAI needs at least ${minTrainingExamples} to start a job (50 to 100 good ones is where improvements usually show).`,
    );
  }
  if (validation.length === 0 && input.validationShare > 0) {
    notes.push(
      "No conversation fell on the validation side: with this few conversations, export more or change the seed.",
    );
  }
  const ratedDown = input.excluded.ratedDownWithoutCorrection;
  if (ratedDown) {
    notes.push(
      `${ratedDown} answer(s) rated thumbs-down were left out: annotate them with a correction to train on it.`,
    );
  }
  const trainTokens = train.reduce((n, e) => n + e.tokens, 0);
  return {
    counts: {
      examples: entries.length,
      train: train.length,
      validation: validation.length,
      conversations: new Set(entries.map((e) => e.conversationId)).size,
      trainConversations: new Set(train.map((e) => e.conversationId)).size,
      validationConversations: new Set(validation.map((e) => e.conversationId)).size,
      fromRatings: entries.filter((e) => e.source === "rated").length,
      fromAnnotations: entries.filter((e) => e.source === "annotation").length,
    },
    tokens: {
      method: tokenCountMethod,
      train: trainTokens,
      validation: validation.reduce((n, e) => n + e.tokens, 0),
      perExample: tokenStats(entries.map((e) => e.tokens)),
    },
    cost: {
      currency: "USD",
      pricesAsOf: trainingPrices.asOf,
      source: trainingPrices.source,
      suggestedEpochs: suggestedEpochs(train.length),
      models: trainingCosts(train.map((e) => e.tokens)),
      note: "An estimate: training tokens of the training file per epoch (validation examples are not billed as training) at the listed price; the provider's own count is recorded on the job when it finishes.",
    },
    validation: {
      // Too few examples to train on yet is said, not refused: the export is still worth looking at.
      train: validateFineTuningJsonl(input.trainText, {
        purpose: "training",
        minExamplesSeverity: "warning",
        countTokens,
      }),
      validation: validateFineTuningJsonl(input.validationText, { purpose: "validation", countTokens }),
    },
    notes,
  };
}
