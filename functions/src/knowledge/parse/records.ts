/**
 * Tabular and structured data as records: each CSV row or JSON element becomes one line of
 * `field: value; field: value`, so a chunk carries the field names with every value and can cite the row.
 */
import { AppError } from "../../platform/errors.js";
import type { ParsedDocument } from "./parsed.js";
import { noText, tooManyColumns, tooMuchText, type ParseLimits } from "./limits.js";

type Field = readonly [key: string, value: string];
type RecordSpan = { row: number; startOffset: number; endOffset: number };

const clean = (s: string): string => s.replace(/\s+/g, " ").trim();

/** Joins records into one text, one record a line, keeping each record's row and offsets. */
function recordsDocument(
  records: Iterable<{ row: number; fields: Field[] }>,
  limits: ParseLimits,
): ParsedDocument {
  let text = "";
  const spans: RecordSpan[] = [];
  for (const { row, fields } of records) {
    const line = fields.map(([k, v]) => (k ? `${k}: ${v}` : v)).join("; ");
    if (!line) continue;
    if (text) text += "\n";
    spans.push({ row, startOffset: text.length, endOffset: text.length + line.length });
    text += line;
    if (text.length > limits.maxTextChars) throw tooMuchText(limits);
  }
  if (spans.length === 0) throw noText();
  return { text, records: spans };
}

// ---------------------------------------------------------------------------------------------------
// CSV
// ---------------------------------------------------------------------------------------------------

/**
 * RFC 4180 records: quoted fields may hold the delimiter, newlines and doubled quotes. A row wider than
 * `maxColumns` ends the read at once (strict) or the sample (sniffing): a million columns would otherwise
 * become a million-field record.
 */
function csvRows(text: string, delimiter: string, strict: boolean, limits: ParseLimits): string[][] {
  const rows: string[][] = [];
  const n = text.length;
  let row: string[] = [];
  let i = 0;
  const fieldEnd = (from: number): number => {
    let k = from;
    while (k < n && text[k] !== delimiter && text[k] !== "\n") k++;
    return k;
  };
  while (n > 0) {
    let field: string;
    if (text[i] === '"') {
      const openedAt = rows.length + 1;
      let value = "";
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) {
          if (!strict) return rows;
          throw new AppError(
            "invalid-argument",
            `This CSV file has a quoted value that never ends (it opens in row ${openedAt}); check the quotation marks and upload it again`,
          );
        }
        value += text.slice(j, q);
        if (text[q + 1] !== '"') {
          j = q + 1;
          break;
        }
        value += '"';
        j = q + 2;
      }
      // Anything between the closing quote and the next delimiter is kept, as spreadsheet apps do.
      i = fieldEnd(j);
      field = value + text.slice(j, i);
    } else {
      const k = fieldEnd(i);
      field = text.slice(i, k);
      i = k;
    }
    row.push(field);
    if (row.length > limits.maxColumns) {
      if (!strict) return rows;
      throw tooManyColumns(rows.length + 1, limits);
    }
    if (i >= n) {
      rows.push(row);
      break;
    }
    if (text[i] === "\n") {
      rows.push(row);
      row = [];
      if (i + 1 >= n) break;
    }
    i++;
  }
  return rows;
}

const delimiters = ["\t", ";", ",", "|"] as const;

/**
 * The delimiter that splits the first rows into the same number (>1) of fields; ties go to the rarer
 * character in prose (a tab or `;` that is consistent is structure, a comma may be a decimal separator).
 */
function sniffDelimiter(text: string, limits: ParseLimits): string {
  const sample = text.slice(0, 64 * 1024);
  let best: { d: string; score: number } = { d: ",", score: 0 };
  for (const d of delimiters) {
    const rows = csvRows(sample, d, false, limits);
    if (sample.length < text.length) rows.pop(); // the sample may cut its last row short
    rows.length = Math.min(rows.length, 20);
    const width = rows[0]?.length ?? 0;
    if (width < 2) continue;
    const consistent = rows.filter((r) => r.length === width).length;
    const score = consistent * 1000 + width;
    if (score > best.score) best = { d, score };
  }
  return best.d;
}

export function parseCsv(text: string, limits: ParseLimits): ParsedDocument {
  const rows = csvRows(text, sniffDelimiter(text, limits), true, limits);
  const header = (rows[0] ?? []).map(clean);
  if (rows.length < 2 || header.every((h) => !h)) {
    throw new AppError(
      "invalid-argument",
      "This CSV file has no data rows below its header row; the first row must name the columns",
    );
  }
  function* records() {
    for (let r = 1; r < rows.length; r++) {
      const fields = (rows[r] as string[])
        .map((v, c): Field => [header[c] || `column ${c + 1}`, clean(v)])
        .filter(([, v]) => v !== "");
      // Row numbers as a spreadsheet shows them: the header is row 1.
      yield { row: r + 1, fields };
    }
  }
  return recordsDocument(records(), limits);
}

// ---------------------------------------------------------------------------------------------------
// JSON and JSON Lines
// ---------------------------------------------------------------------------------------------------

const maxDepth = 64;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (v: Json): v is { [key: string]: Json } =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const tooDeep = (): AppError =>
  new AppError("invalid-argument", `This JSON file is nested more than ${maxDepth} levels deep`);

/** Nested keys joined with dots (`address.city`), list positions as keys (`orders.0.id`); nulls and "" dropped. */
function flatten(value: Json, key: string, out: Field[], depth = 0): Field[] {
  if (depth > maxDepth) throw tooDeep();
  if (value === null) return out;
  if (Array.isArray(value)) {
    if (value.every((v) => !isObject(v) && !Array.isArray(v))) {
      const list = value.filter((v) => v !== null && v !== "").map((v) => clean(String(v)));
      if (list.length > 0) out.push([key, list.join(", ")]);
    } else {
      value.forEach((v, i) => flatten(v, key ? `${key}.${i}` : String(i), out, depth + 1));
    }
    return out;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value))
      flatten(v, key ? `${key}.${clean(k)}` : clean(k), out, depth + 1);
    return out;
  }
  const text = clean(String(value));
  if (text) out.push([key, text]);
  return out;
}

/**
 * An array: one record per element (row = its position from 1). An object: one record per entry, except an
 * entry holding a list of objects (`{"products": [...]}`), which gives one record per object.
 */
function* jsonRecords(root: Json): Generator<{ row: number; fields: Field[] }> {
  if (Array.isArray(root)) {
    for (let i = 0; i < root.length; i++) yield { row: i + 1, fields: flatten(root[i] as Json, "", []) };
    return;
  }
  if (!isObject(root)) {
    yield { row: 1, fields: flatten(root, "", []) };
    return;
  }
  let row = 0;
  for (const [k, v] of Object.entries(root)) {
    const key = clean(k);
    if (Array.isArray(v) && v.length > 0 && v.every(isObject)) {
      for (const item of v) yield { row: ++row, fields: flatten(item, key, []) };
    } else {
      yield { row: ++row, fields: flatten(v, key, []) };
    }
  }
}

/**
 * Where a text stops being JSON: the offset of the first character a JSON reader cannot accept
 * (Node's own messages only sometimes say). Called only after JSON.parse has already failed.
 */
function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const fail = (): never => {
    throw i;
  };
  const literal = (word: string) => (text.startsWith(word, i) ? (i += word.length) : fail());
  const value = (depth: number): void => {
    ws();
    if (depth > maxDepth) fail();
    const c = text[i];
    if (c === "{" || c === "[") {
      const close = c === "{" ? "}" : "]";
      i++;
      ws();
      if (text[i] === close) {
        i++;
        return;
      }
      for (;;) {
        if (c === "{") {
          ws();
          if (text[i] !== '"') fail();
          string();
          ws();
          if (text[i] !== ":") fail();
          i++;
        }
        value(depth + 1);
        ws();
        if (text[i] === ",") i++;
        else if (text[i] === close) {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === "t") literal("true");
    else if (c === "f") literal("false");
    else if (c === "n") literal("null");
    else {
      const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += (m as RegExpExecArray)[0].length;
    }
  };
  const string = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === "\\") i++;
      else if ((text.charCodeAt(i) as number) < 0x20) fail();
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  try {
    value(0);
    ws();
    return i < text.length ? i : -1;
  } catch (at) {
    return typeof at === "number" ? at : -1;
  }
}

/** JSON.parse's failure as a line and column a user can find in an editor. */
function jsonError(text: string, e: unknown, what: string): AppError {
  if (e instanceof RangeError) return tooDeep();
  const at = jsonErrorOffset(text);
  let where = "check its syntax";
  if (at >= text.length) where = "it ends before its last value is complete";
  else if (at >= 0) {
    const before = text.slice(0, at);
    const line = before.split("\n").length;
    const column = at - before.lastIndexOf("\n");
    where = `the error is at line ${line}, column ${column}`;
  }
  return new AppError("invalid-argument", `${what} is not valid JSON (${where}); fix it and upload it again`);
}

function parseJsonValue(text: string, what: string): Json {
  try {
    return JSON.parse(text) as Json;
  } catch (e) {
    throw jsonError(text, e, what);
  }
}

/** JSON, or JSON Lines (one JSON value per line, row = line number) when the whole is not one value. */
export function parseJson(text: string, limits: ParseLimits): ParsedDocument {
  let root: Json;
  try {
    root = JSON.parse(text) as Json;
  } catch (e) {
    const lines = text.split("\n");
    const filled = lines.filter((l) => l.trim()).length;
    const first = lines.find((l) => l.trim()) ?? "";
    let firstParses = false;
    try {
      JSON.parse(first);
      firstParses = true;
    } catch {
      firstParses = false;
    }
    if (filled < 2 || !firstParses) throw jsonError(text, e, "This JSON file");
    function* lineRecords() {
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i] as string;
        if (!line.trim()) continue;
        const value = parseJsonValue(line, `Line ${i + 1} of this JSON Lines file`);
        yield { row: i + 1, fields: flatten(value, "", []) };
      }
    }
    return recordsDocument(lineRecords(), limits);
  }
  return recordsDocument(jsonRecords(root), limits);
}
