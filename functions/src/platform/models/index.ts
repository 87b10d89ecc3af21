/**
 * Which model providers a deployment uses: an OpenAI-compatible API when a key is configured, otherwise
 * the built-in local ones (an extractive responder and a lexical embedder), so the platform runs offline.
 * The OpenAI provider module is imported only when chosen, and it loads the `openai` SDK only on first use.
 */
import type { Config } from "../config.js";
import { log } from "../log.js";
import type { ChatModel, Embedder, FineTuning, SpeechToText } from "../ports.js";
import { localHashEmbedder } from "./local-embedder.js";
import { localExtractiveModel } from "./local-extractive.js";

export { citationMarker, renderGroundingPrompt } from "./grounding.js";
export { localHashEmbedder } from "./local-embedder.js";
export { COULD_NOT_FIND_ANSWER, localExtractiveModel } from "./local-extractive.js";

function warnIfBaseURLWithoutKey(config: Config): void {
  if (config.openai.baseURL && !config.openai.apiKey) {
    log.warn(
      "OPENAI_BASE_URL is set but OPENAI_API_KEY is not, so the built-in local models are used. " +
        "Servers that need no key (Ollama, vLLM, LM Studio) still need OPENAI_API_KEY set to any value.",
    );
  }
}

export async function chooseChatModel(config: Config): Promise<ChatModel> {
  if (config.openai.apiKey) {
    const { openAIChatModel } = await import("./openai-provider.js");
    return openAIChatModel(config.openai);
  }
  warnIfBaseURLWithoutKey(config);
  return localExtractiveModel();
}

export async function chooseEmbedder(config: Config): Promise<Embedder> {
  if (config.openai.apiKey) {
    const { openAIEmbedder } = await import("./openai-provider.js");
    return openAIEmbedder(config.openai, config.embeddingDimensions);
  }
  warnIfBaseURLWithoutKey(config);
  return localHashEmbedder(config.embeddingDimensions);
}

/**
 * Speech to text when the operator names a model (TRANSCRIPTION_MODEL) of a configured OpenAI-compatible API;
 * otherwise none (no built-in speech model ships with the platform), and channels say they cannot listen.
 */
export async function chooseSpeechToText(config: Config): Promise<SpeechToText | undefined> {
  if (!config.transcriptionModel) return undefined;
  if (!config.openai.apiKey) {
    log.warn("TRANSCRIPTION_MODEL is set but OPENAI_API_KEY is not: voice messages will not be transcribed.");
    return undefined;
  }
  const { openAISpeechToText } = await import("./openai-provider.js");
  return openAISpeechToText(config.openai, config.transcriptionModel);
}

/**
 * Fine-tuning at the configured OpenAI-compatible API (its `/files` and `/fine_tuning/jobs`); none with the
 * built-in local models, which cannot be fine-tuned, and Agent Tuning's job routes then say what to set.
 */
export async function chooseFineTuning(config: Config): Promise<FineTuning | undefined> {
  if (!config.openai.apiKey) return undefined;
  const { openAIFineTuning } = await import("./openai-fine-tuning.js");
  return openAIFineTuning(config.openai);
}
