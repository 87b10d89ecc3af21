/**
 * The request a call would send, shown before it is sent: what an end user confirms for a write tool. It is
 * built by the executor's own `buildRequest`, so the request that runs after the confirmation is this one; the
 * credential's place is shown (`Authorization: Bearer ***`) and no secret is opened, nor any token fetched.
 */
import type { Deps } from "../platform/deps.js";
import { getCredential, placeAuth } from "./credentials.js";
import { buildRequest, ToolCallError, type ShownRequest, type ToolTarget } from "./executor.js";
import { limitBreach } from "./limits.js";
import type { ToolDefinition } from "./schema.js";

export async function previewRequest(
  deps: Deps,
  target: ToolTarget,
  tool: ToolDefinition,
  args: Readonly<Record<string, unknown>>,
): Promise<ShownRequest> {
  const breach = limitBreach(tool, args);
  if (breach) throw new ToolCallError(breach);
  const request = buildRequest(target.baseUrl, tool, args);
  let headers = request.headers;
  const url = new URL(request.url);
  if (target.credentialId) {
    let credential;
    try {
      credential = await getCredential(deps, target.tenantId, target.credentialId);
    } catch (e) {
      throw new ToolCallError(`the tool's credential could not be used: ${(e as Error).message}`);
    }
    const placed = placeAuth(credential, "***");
    headers = { ...headers, ...placed.headers };
    for (const [k, v] of Object.entries(placed.query)) url.searchParams.set(k, v);
  }
  return {
    method: request.method,
    url: url.href,
    headers,
    body: request.body ?? null,
  };
}
