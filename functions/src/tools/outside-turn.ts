/**
 * A tool called outside a conversation turn (an MCP client calling an exported tool set, the studio's Try): the
 * workspace's plan is checked before anything is sent (billing/limits.ts, HTTP 402), and the call is metered
 * once it returned (billing/usage.ts `tool` event; a turn's tool calls are metered with the turn instead).
 */
import { assertCanSpend } from "../billing/limits.js";
import { meterToolCall } from "../billing/usage.js";
import type { Deps } from "../platform/deps.js";
import { log } from "../platform/log.js";
import { callTool, ToolCallError, type ToolCallResult, type ToolTarget } from "./executor.js";
import type { ToolDefinition } from "./schema.js";

export async function callToolOutsideTurn(
  deps: Deps,
  call: {
    readonly channel: "mcp" | "studio";
    readonly toolSetId: string;
    readonly target: ToolTarget;
    readonly tool: ToolDefinition;
    readonly args: Readonly<Record<string, unknown>>;
    readonly signal?: AbortSignal;
  },
): Promise<ToolCallResult> {
  await assertCanSpend(deps, call.target.tenantId);
  const meter = (ok: boolean): Promise<void> =>
    meterToolCall(deps.store, call.target.tenantId, deps.ids.newId(), {
      channel: call.channel,
      toolSetId: call.toolSetId,
      toolName: call.tool.name,
      ok,
      at: deps.clock.nowIso(),
    }).catch((e: unknown) => log.error("could not meter a tool call", { err: e, tool: call.tool.name }));
  try {
    const result = await callTool(deps, call.target, call.tool, call.args, call.signal);
    await meter(true);
    return result;
  } catch (e) {
    // The API answered with an error: the call was made, and is metered. Refused before sending: it was not.
    if (e instanceof ToolCallError && e.status !== null) await meter(false);
    throw e;
  }
}
