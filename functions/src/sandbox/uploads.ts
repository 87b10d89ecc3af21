/**
 * Eval items from files: CSV (RFC 4180) and JSONL, parsed and validated line by line. Every problem is
 * reported with its line and field, and a file with any problem yields no items at all (datasets.ts writes
 * nothing then), so a half-imported golden set never skews a run.
 *
 * CSV: a header row naming the columns, in any order, then one item per record:
 *   question          required; the question asked
 *   expected_facts    strings the answer must contain, separated by `|`
 *   reference_answer  used when there are no expected facts
 *   expected_sources  document names or ids the answer should cite, separated by `|`
 *   should_abstain    true/false (also yes/no, 1/0; empty is false)
 *   tags              separated by `|`
 * Fields holding commas, quotes or line breaks are quoted with `"`, a quote inside doubled (`""`). Lines may
 * end with CRLF or LF; empty lines are skipped. A multi-turn script needs JSONL.
 *
 * JSONL: one JSON object per line, the item as the API takes it (`question` or `turns`, `expectedFacts`,
 * `referenceAnswer`, `expectedSources`, `shouldAbstain`, `tags`); the CSV column names are accepted as
 * aliases (`expected_facts`...). Empty lines are skipped.
 */
import type { z } from "zod";
import { yieldToIo } from "../platform/slots.js";
import { evalLimits, itemInputSchema } from "./schema.js";

export const uploadFormats = ["csv", "jsonl"] as const;
export type UploadFormat = (typeof uploadFormats)[number];

export interface LineError {
  /** 1-based line of the file (for CSV, where the record starts). */
  readonly line: number;
  /** The column (CSV) or field (JSONL) at fault; null when the whole line is. */
  readonly field: string | null;
  readonly message: string;
}

export interface ParsedUpload {
  readonly items: z.output<typeof itemInputSchema>[];
  /** The first `evalLimits.uploadErrors` problems, in file order. */
  readonly errors: LineError[];
  /** How many problems there were in all. */
  readonly errorCount: number;
}

/** The CSV columns, and the item field each fills. */
export const csvColumns = {
  question: "question",
  expected_facts: "expectedFacts",
  reference_answer: "referenceAnswer",
  expected_sources: "expectedSources",
  should_abstain: "shouldAbstain",
  tags: "tags",
} as const;
type CsvColumn = keyof typeof csvColumns;
const columnOfField = new Map<string, string>(Object.entries(csvColumns).map(([c, f]) => [f, c]));

/** The problems of one upload, in file order: the first ones kept, all of them counted. */
export class Problems {
  readonly list: LineError[] = [];
  count = 0;
  add(line: number, field: string | null, message: string): void {
    this.count += 1;
    if (this.list.length < evalLimits.uploadErrors) this.list.push({ line, field, message });
  }
}

/** Items validated between two turns of the event loop: a 2,000-item upload lets other requests in between. */
const itemsPerTurn = 200;

/** Parses an upload; `items` is empty whenever `errorCount` is not 0. */
export async function parseUpload(format: UploadFormat, content: string): Promise<ParsedUpload> {
  const text = content.startsWith("\uFEFF") ? content.slice(1) : content;
  const problems = new Problems();
  const items =
    format === "csv" ? await parseCsvItems(text, problems) : await parseJsonlItems(text, problems);
  if (items.length === 0 && problems.count === 0) {
    problems.add(1, null, "the file holds no items");
  }
  return {
    items: problems.count === 0 ? items : [],
    errors: problems.list,
    errorCount: problems.count,
  };
}

// ---------------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------------

export interface CsvRecord {
  /** The line the record starts on. */
  readonly line: number;
  readonly fields: string[];
}

/**
 * RFC 4180 records. A syntax error (a quote inside an unquoted field, text after a closing quote) is
 * reported and the parser goes on at the next line; a quoted field never closed ends the file.
 */
export function parseCsv(text: string, problems: Problems = new Problems()): CsvRecord[] {
  // Fields are sliced out between the characters that matter (found by indexOf and one regex), never built a
  // character at a time: a 5 MB upload parses in tens of milliseconds, and the strings stay flat.
  const records: CsvRecord[] = [];
  let line = 1;
  let i = 0;
  const n = text.length;
  const isBreak = (c: string | undefined) => c === "\n" || c === "\r";
  const special = /[,\r\n"]/g;
  const breaks = /[\r\n]/g;
  /** Where the next character of `pattern` at or after `from` is (n when none). */
  const next = (pattern: RegExp, from: number): number => {
    pattern.lastIndex = from;
    return pattern.exec(text)?.index ?? n;
  };
  /** Skips the line break at `i` (CRLF, LF or CR), counting it. */
  const skipBreak = () => {
    if (text[i] === "\r" && text[i + 1] === "\n") i += 2;
    else i += 1;
    line += 1;
  };
  /** Skips to after the end of the current physical line (after a syntax error). */
  const resync = () => {
    i = next(breaks, i);
    if (i < n) skipBreak();
  };
  while (i < n) {
    const start = line;
    const fields: string[] = [];
    let broken = false;
    for (;;) {
      let field = "";
      if (text[i] === '"') {
        const openedAt = line;
        i++;
        let closed = false;
        const parts: string[] = [];
        while (i < n) {
          const quote = text.indexOf('"', i);
          const end = quote === -1 ? n : quote;
          // A line break inside quotes is part of the field (kept as LF), and counts as a line.
          const part = text.slice(i, end).replace(/\r\n?/g, "\n");
          for (let at = part.indexOf("\n"); at !== -1; at = part.indexOf("\n", at + 1)) line += 1;
          parts.push(part);
          i = end;
          if (quote === -1) break;
          if (text[i + 1] === '"') {
            parts.push('"');
            i += 2;
            continue;
          }
          i++;
          closed = true;
          break;
        }
        if (!closed) {
          problems.add(openedAt, null, "a quoted field opened on this line is never closed");
          return records;
        }
        field = parts.join("");
        if (i < n && text[i] !== "," && !isBreak(text[i])) {
          problems.add(
            line,
            null,
            "text after a closing quote: a quoted field must end at a comma or the end of the line",
          );
          broken = true;
          resync();
          break;
        }
      } else {
        const end = next(special, i);
        if (text[end] === '"') {
          problems.add(
            line,
            null,
            'a double quote inside an unquoted field: quote the whole field and double the quote ("")',
          );
          broken = true;
          i = end;
          resync();
          break;
        }
        field = text.slice(i, end);
        i = end;
      }
      fields.push(field);
      if (i < n && text[i] === ",") {
        i++;
        continue;
      }
      if (i < n) skipBreak();
      break;
    }
    if (broken) continue;
    // An empty line is one empty unquoted field: skipped.
    if (fields.length === 1 && fields[0] === "") continue;
    records.push({ line: start, fields });
  }
  return records;
}

const booleans: Record<string, boolean> = {
  "": false,
  false: false,
  no: false,
  "0": false,
  true: true,
  yes: true,
  "1": true,
};

const splitList = (value: string): string[] =>
  value
    .split("|")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

async function parseCsvItems(text: string, problems: Problems): Promise<z.output<typeof itemInputSchema>[]> {
  const records = parseCsv(text, problems);
  const [header, ...rows] = records;
  if (!header) return [];
  const columns: CsvColumn[] = [];
  const seen = new Set<string>();
  let headerOk = true;
  for (const raw of header.fields) {
    const name = raw.trim().toLowerCase();
    if (!(name in csvColumns)) {
      problems.add(
        header.line,
        raw.slice(0, 60),
        `unknown column "${raw.slice(0, 60)}": the columns are ${Object.keys(csvColumns).join(", ")}`,
      );
      headerOk = false;
    } else if (seen.has(name)) {
      problems.add(header.line, name, `the column ${name} appears twice`);
      headerOk = false;
    }
    seen.add(name);
    columns.push(name as CsvColumn);
  }
  if (!seen.has("question")) {
    problems.add(header.line, "question", "the header must name a question column");
    headerOk = false;
  }
  if (!headerOk) return [];
  const items: z.output<typeof itemInputSchema>[] = [];
  for (const [index, row] of rows.entries()) {
    if (index > 0 && index % itemsPerTurn === 0) await yieldToIo();
    if (row.fields.length !== columns.length) {
      problems.add(
        row.line,
        null,
        `${row.fields.length} field(s), but the header names ${columns.length} column(s)`,
      );
      continue;
    }
    const input: Record<string, unknown> = {};
    let ok = true;
    row.fields.forEach((value, index) => {
      const column = columns[index] as CsvColumn;
      switch (column) {
        case "question":
          input.question = value;
          break;
        case "reference_answer":
          input.referenceAnswer = value.trim() === "" ? null : value;
          break;
        case "should_abstain": {
          const flag = booleans[value.trim().toLowerCase()];
          if (flag === undefined) {
            problems.add(row.line, column, `"${value.slice(0, 40)}" is not true or false (or yes/no, 1/0)`);
            ok = false;
          } else input.shouldAbstain = flag;
          break;
        }
        default:
          input[csvColumns[column]] = splitList(value);
      }
    });
    if (!ok) continue;
    const item = validItem(input, row.line, problems, (field) => columnOfField.get(field) ?? field);
    if (item) items.push(item);
  }
  return items;
}

// ---------------------------------------------------------------------------------------------------
// JSONL
// ---------------------------------------------------------------------------------------------------

async function parseJsonlItems(
  text: string,
  problems: Problems,
): Promise<z.output<typeof itemInputSchema>[]> {
  const items: z.output<typeof itemInputSchema>[] = [];
  const lines = text.split("\n");
  for (const [index, raw] of lines.entries()) {
    if (index > 0 && index % itemsPerTurn === 0) await yieldToIo();
    const line = index + 1;
    const source = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (source.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(source);
    } catch (e) {
      problems.add(line, null, `not valid JSON (${(e as Error).message.slice(0, 120)})`);
      continue;
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      problems.add(line, null, "each line must be one JSON object (an item)");
      continue;
    }
    const input: Record<string, unknown> = {};
    let ok = true;
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const field = (csvColumns as Record<string, string>)[key] ?? key;
      if (field in input) {
        problems.add(line, field, `${field} is given twice (as ${key} and ${field}); give it once`);
        ok = false;
      }
      input[field] = v;
    }
    if (!ok) continue;
    const item = validItem(input, line, problems, (field) => field);
    if (item) items.push(item);
  }
  return items;
}

/** One item validated; its problems recorded under `line`, fields named as the file names them. */
function validItem(
  input: Record<string, unknown>,
  line: number,
  problems: Problems,
  nameOf: (field: string) => string,
): z.output<typeof itemInputSchema> | null {
  const parsed = itemInputSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) {
    const [first, ...rest] = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) problems.add(line, key, `unknown field "${key.slice(0, 60)}"`);
      continue;
    }
    const field = first === undefined ? null : [nameOf(first), ...rest].join(".");
    problems.add(line, field, issue.message);
  }
  return null;
}
