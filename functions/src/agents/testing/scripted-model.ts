/** A chat model that answers from a script, recording what it was asked (the built-in one never calls tools). */
import type { ChatModel, ChatRequest, ChatResult, ToolCall } from "../../platform/ports.js";

export type Step = (request: ChatRequest) => Promise<ChatResult> | ChatResult;

/** Step n answers request n; the last step answers every request after it. */
export function scriptedModel(steps: readonly Step[]): ChatModel & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  const next = async (request: ChatRequest): Promise<ChatResult> => {
    requests.push(request);
    const step = steps[Math.min(requests.length - 1, steps.length - 1)] as Step;
    return step(request);
  };
  return {
    info: { provider: "openai-compatible", model: "scripted", label: "Scripted test model" },
    requests,
    complete: next,
    async *stream(request) {
      const result = await next(request);
      if (result.content) yield { type: "delta", text: result.content };
      yield { type: "done", result };
    },
  };
}

export const answer = (content: string): ChatResult => ({
  content,
  toolCalls: [],
  usage: { inputTokens: 100, outputTokens: 20 },
  finishReason: "stop",
  model: "scripted",
});

export const callTools = (...calls: ToolCall[]): ChatResult => ({
  content: "",
  toolCalls: calls,
  usage: { inputTokens: 50, outputTokens: 10 },
  finishReason: "tool_calls",
  model: "scripted",
});
