/**
 * What word overlap cannot see: a claim that shares nearly every word with its quote and still says
 * something else. "Employees get 30 days" against "Employees get 25 days", "Refunds are available" against
 * "Refunds are not available", "at most 3" against "at least 3". A claim passes only when its numbers,
 * its polarity and its bounds are the quote's.
 *
 * Deliberately narrow and predictable (no model): it catches the substitutions a generative model makes
 * while copying a source, and never fails a sentence quoted verbatim.
 */

/** Numbers as written, with thousands separators removed ("1,000" and "1000" are one number). */
export function numbersOf(text: string): string[] {
  return [...text.matchAll(/(?<![\p{L}\d])\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?/gu)].map((m) =>
    m[0].replace(/,/g, "").replace(/\.0+$/, ""),
  );
}

const negation =
  /\b(?:not|no|never|none|nothing|neither|nor|cannot|without)\b|n't\b|\b(?:isnt|arent|doesnt|dont|cant|wont|wasnt|shouldnt|mustnt)\b/gi;

function negations(text: string): number {
  return [...text.replace(/[’‘]/g, "'").matchAll(negation)].length;
}

/** Bounds that reverse a statement's meaning when swapped. */
const bounds: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: "a lower bound", pattern: /\b(?:at least|minimum|no less than|no fewer than|or more)\b/i },
  { name: "an upper bound", pattern: /\b(?:at most|maximum|up to|no more than|or (?:less|fewer))\b/i },
  { name: "more than", pattern: /\b(?:more|greater|longer|higher|larger)\s+than\b|\bexceed/i },
  { name: "less than", pattern: /\b(?:less|fewer|shorter|lower|smaller)\s+than\b|\bbelow\b/i },
  { name: "before", pattern: /\b(?:before|prior to|earlier than|until)\b/i },
  { name: "after", pattern: /\b(?:after|following|later than|from)\b/i },
];

/**
 * Why the quote does not entail the claim, or null when nothing contradicts it: a number the quote does not
 * state, a negation one has and the other lacks, or a bound (at least/at most, more/less than, before/after)
 * the claim states and the quote does not.
 */
export function entailmentFailure(claim: string, quote: string): string | null {
  const stated = new Set(numbersOf(quote));
  const missing = numbersOf(claim).filter((n) => !stated.has(n));
  if (missing.length > 0) return `states ${missing.join(", ")}, which the source does not`;
  const claimNegated = negations(claim) % 2 === 1;
  const quoteNegated = negations(quote) % 2 === 1;
  if (claimNegated !== quoteNegated) {
    return claimNegated ? "negates what the source states" : "states what the source negates";
  }
  for (const bound of bounds) {
    if (bound.pattern.test(claim) && !bound.pattern.test(quote)) {
      return `states ${bound.name} the source does not`;
    }
  }
  return null;
}
