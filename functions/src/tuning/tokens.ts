/**
 * Token counts and the cost of training on them.
 *
 * Counting: the `o200k_base` encoding (the tokenizer of the GPT-4o and GPT-4.1 families, through `js-tiktoken`, a
 * JavaScript port of OpenAI's tiktoken, pinned in package.json), plus the chat format's overhead as OpenAI's
 * cookbook ("Data preparation and analysis for chat model fine-tuning") counts it: 3 tokens per message, the
 * role's and the content's tokens, 1 more for a `name`, and 3 to prime the reply. OpenAI says itself that this is
 * an estimate (the exact overhead is not published); the job records the provider's own count (`trainedTokens`)
 * when it finishes. gpt-3.5-turbo uses `cl100k_base`, which counts a few percent differently.
 *
 * The encoding's tables (2 MB) load on first use only, so nothing else pays for them.
 */

/** Said with every figure, so nobody mistakes the estimate for the provider's count. */
export const tokenCountMethod =
  "estimate: o200k_base tokens (js-tiktoken) plus 3 per message, 1 per name and 3 per example, as OpenAI's cookbook counts chat examples";

export type CountTokens = (text: string) => number;

let loading: Promise<CountTokens> | undefined;

/** The `o200k_base` token counter, loaded once. */
export function loadTokenCounter(): Promise<CountTokens> {
  loading ??= (async () => {
    const [{ Tiktoken }, { default: ranks }] = await Promise.all([
      import("js-tiktoken/lite"),
      import("js-tiktoken/ranks/o200k_base"),
    ]);
    const encoding = new Tiktoken(ranks);
    // Special-token text ("<|endoftext|>") in a message is counted as the characters it is, as training sees it.
    return (text: string) => encoding.encode(text, [], []).length;
  })().catch((e: unknown) => {
    loading = undefined;
    throw e;
  });
  return loading;
}

export interface CountedMessage {
  readonly role: string;
  readonly content?: string | null;
  readonly name?: string;
}

/** Tokens of one chat example (see the module comment for the method). */
export function chatExampleTokens(messages: readonly CountedMessage[], count: CountTokens): number {
  let tokens = 3;
  for (const m of messages) {
    tokens += 3 + count(m.role) + (typeof m.content === "string" ? count(m.content) : 0);
    if (m.name !== undefined) tokens += 1 + count(m.name);
  }
  return tokens;
}

// ---------------------------------------------------------------------------------------------------
// Prices
// ---------------------------------------------------------------------------------------------------

export interface TrainingPrice {
  readonly model: string;
  /** USD per 1,000,000 training tokens (each epoch's tokens are billed). */
  readonly usdPerMillionTrainingTokens: number;
  /** The longest example the model trains on; longer ones are cut (and billed) to this. */
  readonly maxExampleTokens: number;
}

/**
 * OpenAI's published prices for supervised fine-tuning (training tokens) of the models it lets you fine-tune,
 * as listed on https://openai.com/api/pricing/ when this table was written. Prices change, and OpenAI has said
 * it is winding its fine-tuning platform down for new customers: check the page before spending. Other
 * OpenAI-compatible providers price differently (often by GPU hour); for them this is no estimate at all.
 */
export const trainingPrices = {
  asOf: "2025-06",
  source: "https://openai.com/api/pricing/ (fine-tuning, training price per 1M tokens)",
  models: [
    { model: "gpt-4.1-2025-04-14", usdPerMillionTrainingTokens: 25, maxExampleTokens: 65_536 },
    { model: "gpt-4.1-mini-2025-04-14", usdPerMillionTrainingTokens: 5, maxExampleTokens: 65_536 },
    { model: "gpt-4.1-nano-2025-04-14", usdPerMillionTrainingTokens: 1.5, maxExampleTokens: 65_536 },
    { model: "gpt-4o-2024-08-06", usdPerMillionTrainingTokens: 25, maxExampleTokens: 65_536 },
    { model: "gpt-4o-mini-2024-07-18", usdPerMillionTrainingTokens: 3, maxExampleTokens: 65_536 },
    { model: "gpt-3.5-turbo-0125", usdPerMillionTrainingTokens: 8, maxExampleTokens: 16_385 },
  ] satisfies TrainingPrice[],
} as const;

/** The longest example any model in the table trains on: longer ones are reported by the validator. */
export const maxTrainingExampleTokens = 65_536;

/**
 * The number of epochs OpenAI picks by default for this many training examples, as its cookbook describes it:
 * 3, raised for small sets (toward 100 examples seen) and lowered for large ones (toward 25,000), within 1..25.
 */
export function suggestedEpochs(examples: number): number {
  if (examples <= 0) return 0;
  if (examples * 3 < 100) return Math.min(25, Math.floor(100 / examples));
  if (examples * 3 > 25_000) return Math.max(1, Math.floor(25_000 / examples));
  return 3;
}

/** What one epoch over examples of these token counts costs with each model of the table. */
export function trainingCosts(exampleTokens: readonly number[]): {
  model: string;
  usdPerMillionTrainingTokens: number;
  maxExampleTokens: number;
  tokensPerEpoch: number;
  usdPerEpoch: number;
}[] {
  return trainingPrices.models.map((price) => {
    const tokensPerEpoch = exampleTokens.reduce((n, t) => n + Math.min(t, price.maxExampleTokens), 0);
    // Rounded to a hundredth of a cent: it is an estimate, not an invoice.
    const usdPerEpoch =
      Math.round((tokensPerEpoch / 1_000_000) * price.usdPerMillionTrainingTokens * 10_000) / 10_000;
    return { ...price, tokensPerEpoch, usdPerEpoch };
  });
}
