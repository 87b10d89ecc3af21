/** Descriptions as a model reads them: the document's markdown, without HTML noise, cut at a word. */

// Presentation tags only: a literal `<owner>` in an API's prose is text, not markup.
const htmlTag =
  /<\/?(?:a|abbr|b|blockquote|br|code|dd|div|dl|dt|em|h[1-6]|hr|i|img|kbd|li|ol|p|pre|s|small|span|strong|sub|sup|table|tbody|td|th|thead|tr|u|ul)\b[^>]{0,500}>/gi;

/** Whitespace-tidy markdown of at most `max` characters (an ellipsis marks a cut); `""` when there is none. */
export function trimDescription(text: string, max: number): string {
  if (max <= 0) return "";
  // Work on a bounded slice: a hostile 10 MB description costs no more than a long one.
  let t = text.length > max * 4 + 1000 ? text.slice(0, max * 4 + 1000) : text;
  t = t
    .replace(/<!--[\s\S]*?-->/g, "")
    .replace(/<br\s*\/?>/gi, "\n")
    .replace(htmlTag, "")
    .replace(/\r\n?/g, "\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max - 1);
  const space = cut.search(/\s\S*$/);
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** An operation's description: its summary, then its description when that adds to it. */
export function operationDescription(
  summary: string,
  description: string,
  fallback: string,
  max: number,
): string {
  const s = summary.trim();
  const d = description.trim();
  const text = s && d && !d.startsWith(s) ? `${s}\n\n${d}` : s || d;
  return trimDescription(text, max) || trimDescription(fallback, max);
}
