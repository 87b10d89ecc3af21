import { describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { setLogSink } from "../log.js";
import { chooseChatModel, chooseEmbedder } from "./index.js";

describe("choosing model providers", () => {
  it("uses the built-in local providers when no API key is configured", async () => {
    const config = loadConfig({ EMBEDDING_DIMENSIONS: "128" });
    expect((await chooseChatModel(config)).info.provider).toBe("local-extractive");
    const embedder = await chooseEmbedder(config);
    expect(embedder.info).toMatchObject({ provider: "local-hash", dimensions: 128 });
  });

  it("uses the OpenAI-compatible API when a key is configured", async () => {
    const config = loadConfig({
      OPENAI_API_KEY: "sk-test-000",
      OPENAI_BASE_URL: "http://127.0.0.1:11434/v1",
      CHAT_MODEL: "llama3.1",
      EMBEDDING_MODEL: "nomic-embed-text",
      EMBEDDING_DIMENSIONS: "768",
    });
    const chat = await chooseChatModel(config);
    expect(chat.info).toEqual({
      provider: "openai-compatible",
      model: "llama3.1",
      label: "OpenAI-compatible API (llama3.1 at http://127.0.0.1:11434/v1)",
    });
    const embedder = await chooseEmbedder(config);
    expect(embedder.info).toMatchObject({
      provider: "openai-compatible",
      model: "nomic-embed-text",
      dimensions: 768,
    });
  });

  it("warns when a base URL is set without a key, since the local providers are then used", async () => {
    const lines: string[] = [];
    const previous = setLogSink((line) => void lines.push(line));
    try {
      const chat = await chooseChatModel(loadConfig({ OPENAI_BASE_URL: "http://127.0.0.1:11434/v1" }));
      expect(chat.info.provider).toBe("local-extractive");
    } finally {
      setLogSink(previous);
    }
    expect(lines.join("\n")).toContain("OPENAI_API_KEY");
  });
});
