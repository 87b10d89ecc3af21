/**
 * A tool set served to MCP clients, as the studio shows it: the endpoint (`/mcp/tool-sets/{id}`), what it
 * serves, and ready configurations of common clients, as `GET /v1/tool-sets/{id}/mcp-config` answers them
 * (functions/src/channels/mcp/client-config.ts). Whether writes are served is the tool set's `mcpExport`, changed
 * with the tool set (`ToolSetPatch`).
 */

export const mcpClientIds = [
  "claude-code",
  "claude-code-project",
  "claude-desktop",
  "cursor",
  "vscode",
  "streamable-http",
] as const;
export type McpClientId = (typeof mcpClientIds)[number];

/** One client's configuration: a command to run or a JSON document, with `<YOUR_API_KEY>` where the key goes. */
export interface McpClientConfig {
  readonly client: McpClientId;
  readonly label: string;
  readonly format: "command" | "json";
  /** Where it goes, when it is a file (`.cursor/mcp.json`). */
  readonly file: string | null;
  readonly content: string;
  readonly note: string;
}

export interface ToolSetMcpConfig {
  readonly toolSetId: string;
  readonly name: string;
  /** The MCP endpoint, as clients reach it. */
  readonly url: string;
  /** The published version served, or null before the first publish (the endpoint refuses until then). */
  readonly version: number | null;
  /** The tools the endpoint serves: its reads, and its writes when exported. */
  readonly tools: readonly { readonly name: string; readonly sideEffect: "read" | "write" }[];
  readonly writesExported: boolean;
  /** What the configurations say where a key goes. */
  readonly apiKeyPlaceholder: string;
  readonly clients: readonly McpClientConfig[];
}

/** This area's section of the studio's source (see source.ts). Reading it needs a viewer. */
export interface ToolSetMcpSource {
  getToolSetMcpConfig(toolSetId: string, signal: AbortSignal): Promise<ToolSetMcpConfig>;
}
