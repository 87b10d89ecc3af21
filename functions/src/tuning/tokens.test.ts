/** Token counts (o200k_base plus the chat format's overhead, as documented) and the cost table's arithmetic. */
import { describe, expect, it } from "vitest";
import {
  chatExampleTokens,
  loadTokenCounter,
  suggestedEpochs,
  trainingCosts,
  trainingPrices,
} from "./tokens.js";

describe("token counts", () => {
  it("counts with o200k_base: known encodings", async () => {
    const count = await loadTokenCounter();
    expect(count("hello world")).toBe(2);
    expect(count("")).toBe(0);
    // Special-token text is ordinary text in a training example, never a control token (nor an error).
    expect(count("<|endoftext|>")).toBeGreaterThan(1);
  });

  it("adds 3 per message, the role, the content, and 3 per example", async () => {
    const count = await loadTokenCounter();
    const tokens = chatExampleTokens(
      [
        { role: "user", content: "hello world" },
        { role: "assistant", content: "hello world" },
      ],
      count,
    );
    // 3 + (3 + "user" 1 + 2) + (3 + "assistant" 1 + 2)
    expect(tokens).toBe(15);
    expect(chatExampleTokens([{ role: "assistant", content: null, name: "x" }], count)).toBe(
      3 + 3 + 1 + 1 + 1,
    );
  });
});

describe("the cost of training", () => {
  it("prices each epoch per model from the dated table, capping examples at the model's length", () => {
    const costs = trainingCosts([1_000_000, 20_000]);
    const mini = costs.find((c) => c.model === "gpt-4o-mini-2024-07-18");
    // 65,536 + 20,000 billed tokens at $3 per million.
    expect(mini).toMatchObject({ tokensPerEpoch: 85_536, usdPerEpoch: 0.2566 });
    const turbo = costs.find((c) => c.model === "gpt-3.5-turbo-0125");
    expect(turbo?.tokensPerEpoch).toBe(16_385 + 16_385);
    expect(costs.map((c) => c.model)).toEqual(trainingPrices.models.map((m) => m.model));
    expect(trainingPrices.asOf).toMatch(/^\d{4}-\d{2}$/);
  });

  it("suggests the epochs OpenAI's documented default would pick", () => {
    expect(suggestedEpochs(0)).toBe(0);
    expect(suggestedEpochs(10)).toBe(10);
    expect(suggestedEpochs(2)).toBe(25);
    expect(suggestedEpochs(100)).toBe(3);
    expect(suggestedEpochs(20_000)).toBe(1);
  });
});
