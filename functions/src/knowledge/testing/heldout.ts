/**
 * A held-out evaluation corpus: real documentation the project did not write (READMEs, an HTML API manual,
 * plain-text guides and one README delivered as a PDF), copied verbatim from packages in `node_modules`
 * under permissive licences (see `heldout/NOTICE.md`), with questions a user of each library would ask.
 *
 * Unlike the fixture corpus (`corpus.ts`), nothing here was tuned against: the documents are split by
 * document into a `tune` half and a `test` half, so quality can be measured out of sample on `test`.
 * `*.pdf.md` sources are rendered into real PDFs by the fixture corpus's own renderer.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import { renderSource, type SourceFormat } from "./corpus.js";

const heldoutDir = fileURLToPath(new URL("./heldout/", import.meta.url));

// ---------------------------------------------------------------------------------------------------
// Sources
// ---------------------------------------------------------------------------------------------------

export const heldoutSplits = ["tune", "test"] as const;
export type HeldoutSplit = (typeof heldoutSplits)[number];

/** Licences that allow copying the text into this repository with a notice. */
export const permissiveLicenses = ["MIT", "ISC", "BSD-2-Clause", "BSD-3-Clause", "Apache-2.0"] as const;

const heldoutFormats = ["markdown", "html", "text", "pdf"] as const satisfies readonly SourceFormat[];

export const heldoutSourceSchema = z.strictObject({
  /** The file under `heldout/` (`mammoth.pdf.md`). */
  file: z.string().regex(/^[a-z0-9.-]+$/),
  /** The file name as uploaded (`mammoth.pdf`). */
  ingestAs: z.string().regex(/^[a-z0-9.-]+\.(md|html|txt|pdf)$/),
  package: z.string().min(1),
  version: z.string().regex(/^\d+\.\d+\.\d+/),
  license: z.enum(permissiveLicenses),
  /** Where the text was copied from, relative to the repository root. */
  origin: z.string().startsWith("node_modules/"),
  format: z.enum(heldoutFormats),
  /** How the original was shortened, or null when it is copied whole. */
  cut: z.string().min(1).nullable(),
  split: z.enum(heldoutSplits),
});

export type HeldoutSource = z.infer<typeof heldoutSourceSchema>;

// ---------------------------------------------------------------------------------------------------
// Questions
// ---------------------------------------------------------------------------------------------------

/**
 * - numeric: how many / how much / what default / what limit;
 * - how-to: how do I ...; the answer is an option, function or command;
 * - factual: what / which / who / does it ...;
 * - multi-part: needs two facts, each with its own evidence;
 * - unanswerable: near-topic and phrased to sound answerable, but no document says.
 */
export const answerableTypes = ["numeric", "how-to", "factual", "multi-part"] as const;
export const heldoutTypes = [...answerableTypes, "unanswerable"] as const;
export type HeldoutType = (typeof heldoutTypes)[number];

const id = z.string().regex(/^h\d{3}$/, "ids look like h001");
/** An exact substring of the parsed document text (whitespace aside), within one paragraph or list item. */
const evidenceText = z.string().min(8).max(200);

const singleFactSchema = z.strictObject({
  id,
  question: z.string().min(10),
  document: z.string().min(1),
  answerable: z.literal(true),
  type: z.enum(["numeric", "how-to", "factual"]),
  evidence: evidenceText,
  /** What any correct answer must contain (case-insensitively); each sits inside the evidence. */
  mustContain: z.array(z.string().min(1)).min(1).max(3),
});

const multiPartSchema = z.strictObject({
  id,
  question: z.string().min(10),
  document: z.string().min(1),
  answerable: z.literal(true),
  type: z.literal("multi-part"),
  /** One passage holding both facts, or one passage per fact. */
  evidence: z.union([evidenceText, z.tuple([evidenceText, evidenceText])]),
  /** At least one string per fact. */
  mustContain: z.array(z.string().min(1)).min(2).max(3),
});

const unanswerableSchema = z.strictObject({
  id,
  question: z.string().min(10),
  /** The document whose topic the question imitates. */
  document: z.string().min(1),
  answerable: z.literal(false),
  type: z.literal("unanswerable"),
});

export const heldoutQuestionSchema = z.union([singleFactSchema, multiPartSchema, unanswerableSchema]);

export type HeldoutQuestion = z.infer<typeof heldoutQuestionSchema>;
export type AnswerableHeldoutQuestion = Exclude<HeldoutQuestion, { answerable: false }>;

/** A question's evidence as a list (one passage, or one per fact of a multi-part question). */
export function evidenceOf(question: AnswerableHeldoutQuestion): readonly string[] {
  return typeof question.evidence === "string" ? [question.evidence] : question.evidence;
}

// ---------------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------------

export interface HeldoutFile {
  /** The name to upload it under (`ingestAs`). */
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly split: HeldoutSplit;
}

export interface Heldout {
  readonly sources: HeldoutSource[];
  readonly questions: HeldoutQuestion[];
  readonly files: HeldoutFile[];
}

async function readJson(name: string): Promise<unknown> {
  return JSON.parse(await readFile(`${heldoutDir}${name}`, "utf8")) as unknown;
}

/** A source's text as stored (line endings normalised, as the fixture corpus does). */
export async function readHeldoutText(source: HeldoutSource): Promise<string> {
  return (await readFile(`${heldoutDir}${source.file}`, "utf8")).replace(/\r\n?/g, "\n");
}

export async function loadHeldoutSources(): Promise<HeldoutSource[]> {
  return z.array(heldoutSourceSchema).parse(await readJson("sources.json"));
}

export async function loadHeldoutQuestions(): Promise<HeldoutQuestion[]> {
  return z.array(heldoutQuestionSchema).parse(await readJson("questions.json"));
}

/** The documents as they would be uploaded (the PDF rendered), and the questions about them. */
export async function loadHeldout(): Promise<Heldout> {
  const sources = await loadHeldoutSources();
  const questions = await loadHeldoutQuestions();
  const files = await Promise.all(
    sources.map(async (source): Promise<HeldoutFile> => {
      const bytes = await renderSource({
        sourceName: source.file,
        name: source.ingestAs,
        format: source.format,
        text: await readHeldoutText(source),
      });
      return { name: source.ingestAs, bytes, split: source.split };
    }),
  );
  return { sources, questions, files };
}

/** One half of the corpus: its documents, their files, and the questions about them. */
export function pickSplit(heldout: Heldout, split: HeldoutSplit): Heldout {
  const sources = heldout.sources.filter((s) => s.split === split);
  const names = new Set(sources.map((s) => s.ingestAs));
  return {
    sources,
    questions: heldout.questions.filter((q) => names.has(q.document)),
    files: heldout.files.filter((f) => f.split === split),
  };
}
