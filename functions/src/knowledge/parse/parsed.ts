/** The text of one document version, with where its pages (PDF) or records (CSV, JSON) lie in it. */
export interface ParsedDocument {
  readonly text: string;
  /** Pages that hold text, in order; offsets are into `text`. */
  readonly pages?: readonly { page: number; startOffset: number; endOffset: number }[];
  /**
   * One entry per record (one line of `text`). `row` is the spreadsheet row for CSV (the header is row 1),
   * the line for JSON Lines, the position from 1 in a JSON array, or the record's position in a JSON object.
   */
  readonly records?: readonly { row: number; startOffset: number; endOffset: number }[];
}
