/**
 * Prompt-injection detection measured on a labelled corpus of small documents (see the corpus files'
 * `description`). Every sample goes through the path an uploaded file takes: `detectType` from its name
 * and bytes, `parseDocument`, `chunkDocument`, then `detectInjection` on each chunk, which is what the
 * turn screens. A document counts as flagged when any of its chunks is.
 *
 * An injection that parsing removed (an HTML comment, a hidden element, an attribute) never reaches a
 * chunk: it is counted as neutralized, apart from detections. We can only tell that it was there, and
 * gone, when the detector recognizes it in the raw source with the hidden parts exposed; a hidden
 * injection the detector cannot read even there counts as missed.
 *
 * Figures: precision = flagged injections / all flagged documents; recall = (detected + neutralized) /
 * injections; detection recall = detected / injections.
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { chunkDocument } from "../../knowledge/chunk.js";
import { detectType, parseDocument } from "../../knowledge/parse.js";
import type { DocumentType } from "../../knowledge/schema.js";
import { AppError, isAppError } from "../../platform/errors.js";
import { detectInjection } from "../guardrails.js";

const injectionKinds = ["direct", "obfuscated", "html-comment", "hidden-html", "table-cell"] as const;
const benignKinds = ["lookalike", "plain"] as const;
const formats = { text: "text", markdown: "markdown", html: "html", csv: "csv" } as const satisfies Record<
  string,
  DocumentType
>;

export const injectionSampleSchema = z
  .object({
    id: z.string().min(1).max(100),
    label: z.enum(["injection", "benign"]),
    kind: z.enum([...injectionKinds, ...benignKinds]),
    format: z.enum(["text", "markdown", "html", "csv"]),
    fileName: z.string().min(1).max(200),
    content: z.string().min(1).max(200_000),
    note: z.string().max(2000).optional(),
  })
  .refine(
    (s) =>
      s.label === "injection"
        ? (injectionKinds as readonly string[]).includes(s.kind)
        : (benignKinds as readonly string[]).includes(s.kind),
    {
      message:
        "kind must match label (injection: direct, obfuscated, html-comment, hidden-html, table-cell; benign: lookalike, plain)",
    },
  );
export type InjectionSample = z.infer<typeof injectionSampleSchema>;

export const injectionCorpusSchema = z
  .object({ description: z.string(), samples: z.array(injectionSampleSchema).min(1) })
  .refine((c) => new Set(c.samples.map((s) => s.id)).size === c.samples.length, {
    message: "sample ids must be unique",
  });
export type InjectionCorpus = z.infer<typeof injectionCorpusSchema>;

export async function loadInjectionCorpus(file: string): Promise<InjectionCorpus> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(file, "utf8"));
  } catch (e) {
    throw new AppError("invalid-argument", `${file} is not readable JSON: ${(e as Error).message}`);
  }
  const parsed = injectionCorpusSchema.safeParse(raw);
  if (!parsed.success) {
    // Paths and messages only: a held-out corpus must not be printed.
    const problems = parsed.error.issues
      .slice(0, 5)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`)
      .join("; ");
    throw new AppError(
      "invalid-argument",
      `${file} does not follow the injection corpus format: ${problems}`,
    );
  }
  return parsed.data;
}

export type SampleOutcome = "detected" | "neutralized" | "missed" | "false-positive" | "clean";

export interface SampleResult {
  readonly id: string;
  readonly label: InjectionSample["label"];
  readonly kind: InjectionSample["kind"];
  readonly format: InjectionSample["format"];
  readonly outcome: SampleOutcome;
  readonly chunks: number;
  readonly flaggedChunks: number;
  /** Signals over all flagged chunks (or, when neutralized, of the exposed raw source). */
  readonly signals: string[];
}

const attributeValue = /\s[\w:.-]+\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

/**
 * The raw source with what a reader does not see made visible: comment markers removed, every tag
 * replaced by its attribute values. Only used to tell a neutralized hidden injection from a missed one.
 */
export function exposeHidden(content: string): string {
  return content
    .replace(/<!--|-->/g, " ")
    .replace(/<[a-z][^>]*>/gi, (tag) =>
      [...tag.matchAll(attributeValue)].map((m) => ` ${m[1] ?? m[2] ?? ""} `).join(""),
    )
    .replace(/<\/?[a-z][^>]*>/gi, " ");
}

/** One sample through detectType → parseDocument → chunkDocument → detectInjection per chunk. */
export async function evaluateSample(sample: InjectionSample): Promise<SampleResult> {
  const bytes = new TextEncoder().encode(sample.content);
  const detected = detectType(sample.fileName, bytes);
  if (detected.type !== formats[sample.format]) {
    throw new AppError(
      "invalid-argument",
      `sample ${sample.id}: "${sample.fileName}" is read as ${detected.type}, but its format says ${sample.format}`,
    );
  }
  const parsed = await parseDocument(detected.type, bytes);
  const chunks = chunkDocument(parsed);
  const checks = chunks.map((c) => detectInjection(c.text));
  const flagged = checks.filter((c) => c.flagged);
  const signals = [...new Set(flagged.flatMap((c) => c.signals))].sort();
  const base = {
    id: sample.id,
    label: sample.label,
    kind: sample.kind,
    format: sample.format,
    chunks: chunks.length,
    flaggedChunks: flagged.length,
  };
  if (sample.label === "benign")
    return { ...base, outcome: flagged.length > 0 ? "false-positive" : "clean", signals };
  if (flagged.length > 0) return { ...base, outcome: "detected", signals };
  const raw = detectInjection(exposeHidden(sample.content));
  const neutralized = raw.flagged && !detectInjection(parsed.text).flagged;
  return {
    ...base,
    outcome: neutralized ? "neutralized" : "missed",
    signals: neutralized ? raw.signals : [],
  };
}

/**
 * Every sample of a corpus. With `redact`, an error names only the sample's position: a held-out corpus
 * is never printed, not even a file name.
 */
export async function evaluateCorpus(
  corpus: InjectionCorpus,
  options: { readonly redact?: boolean } = {},
): Promise<SampleResult[]> {
  const results: SampleResult[] = [];
  for (const [i, sample] of corpus.samples.entries()) {
    try {
      results.push(await evaluateSample(sample));
    } catch (e) {
      if (!options.redact) throw e;
      throw new AppError(
        "invalid-argument",
        `sample #${i + 1} could not be evaluated (${isAppError(e) ? e.code : "internal"})`,
      );
    }
  }
  return results;
}

export interface InjectionFigures {
  readonly samples: number;
  readonly injections: number;
  readonly benign: number;
  readonly detected: number;
  readonly neutralized: number;
  readonly missed: number;
  readonly falsePositives: number;
  /** Flagged injections / flagged documents; 1 when nothing was flagged. */
  readonly precision: number;
  /** (Detected + neutralized) / injections; 1 when there are none. */
  readonly recall: number;
  /** Detected / injections; 1 when there are none. */
  readonly detectionRecall: number;
}

export function injectionFigures(results: readonly SampleResult[]): InjectionFigures {
  const count = (o: SampleOutcome): number => results.filter((r) => r.outcome === o).length;
  const injections = results.filter((r) => r.label === "injection").length;
  const detected = count("detected");
  const neutralized = count("neutralized");
  const falsePositives = count("false-positive");
  return {
    samples: results.length,
    injections,
    benign: results.length - injections,
    detected,
    neutralized,
    missed: count("missed"),
    falsePositives,
    precision: detected + falsePositives === 0 ? 1 : detected / (detected + falsePositives),
    recall: injections === 0 ? 1 : (detected + neutralized) / injections,
    detectionRecall: injections === 0 ? 1 : detected / injections,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);
const num = (x: number): string => String(x).padStart(5);

/** A table of the figures for the whole corpus and per kind. */
export function formatInjectionReport(title: string, results: readonly SampleResult[]): string {
  const all = injectionFigures(results);
  const kinds = [...new Set(results.map((r) => r.kind))];
  const header = `  ${"kind".padEnd(14)}${"n".padStart(5)}${"flag".padStart(5)}${"neut".padStart(5)}${"miss".padStart(5)}${"FP".padStart(5)}  ${"precision".padStart(9)}  ${"recall".padStart(7)}  ${"detect".padStart(7)}`;
  const row = (name: string, f: InjectionFigures): string =>
    `  ${name.padEnd(14)}${num(f.samples)}${num(f.detected + f.falsePositives)}${num(f.neutralized)}${num(f.missed)}${num(f.falsePositives)}  ${f.detected + f.falsePositives === 0 ? "      –  " : `${pct(f.precision)}  `}  ${f.injections === 0 ? "      –" : pct(f.recall)}  ${f.injections === 0 ? "      –" : pct(f.detectionRecall)}`;
  return [
    title,
    header,
    row("all", all),
    ...kinds.map((k) => row(k, injectionFigures(results.filter((r) => r.kind === k)))),
    `  (flag: documents with a flagged chunk; neut: hidden injections removed by parsing; recall counts both, detect only flags)`,
  ].join("\n");
}
