/**
 * A tool set's MCP client configurations over the platform's REST API (see toolSetMcp.ts for the interface),
 * checked at the edge. Firebase mode uses this section as it is, as it does the rest of Tool Forge.
 */
import { isRecord } from "../platform";
import { requestAsSignedIn } from "../session";
import {
  mcpClientIds,
  type McpClientConfig,
  type McpClientId,
  type ToolSetMcpConfig,
  type ToolSetMcpSource,
} from "../toolSetMcp";
import {
  field,
  isBoolean,
  isCount,
  isString,
  isNullableString,
  parseWith,
  record,
  ShapeError,
} from "./shape";

const configPath = (toolSetId: string) => `/v1/tool-sets/${encodeURIComponent(toolSetId)}/mcp-config`;

export const restToolSetMcp: ToolSetMcpSource = {
  async getToolSetMcpConfig(toolSetId, signal) {
    const path = configPath(toolSetId);
    return parseToolSetMcpConfig(await requestAsSignedIn(path, { signal }), path);
  },
};

const oneOf =
  <T extends string>(values: readonly T[]) =>
  (v: unknown): v is T =>
    isString(v) && (values as readonly string[]).includes(v);
const isNullableCount = (v: unknown): v is number | null => v === null || isCount(v);

function parseClient(value: unknown, i: number): McpClientConfig {
  try {
    const c = record(value, "client");
    return {
      client: field(c, "client", oneOf<McpClientId>(mcpClientIds)),
      label: field(c, "label", isString),
      format: field(c, "format", oneOf(["command", "json"] as const)),
      file: field(c, "file", isNullableString),
      content: field(c, "content", isString),
      note: field(c, "note", isString),
    };
  } catch (error) {
    if (error instanceof ShapeError) throw new ShapeError(`clients.${i}.${error.message}`);
    throw error;
  }
}

/** `GET /v1/tool-sets/{id}/mcp-config`. Clients this studio does not know yet are left out, not refused. */
export function parseToolSetMcpConfig(body: unknown, path: string): ToolSetMcpConfig {
  return parseWith(
    () => {
      const c = record(body, "body");
      const exported = record(c.mcpExport, "mcpExport");
      const known = field(c, "clients", Array.isArray).filter(
        (client) => isRecord(client) && oneOf(mcpClientIds)(client.client),
      );
      return {
        toolSetId: field(c, "toolSetId", isString),
        name: field(c, "name", isString),
        url: field(c, "url", isString),
        version: field(c, "version", isNullableCount),
        tools: field(c, "tools", Array.isArray).map((tool) => {
          const t = record(tool, "tools");
          return {
            name: field(t, "name", isString),
            sideEffect: field(t, "sideEffect", oneOf(["read", "write"] as const)),
          };
        }),
        writesExported: field(exported, "writes", isBoolean),
        apiKeyPlaceholder: field(c, "apiKeyPlaceholder", isString),
        clients: known.map(parseClient),
      };
    },
    `GET ${path}`,
    path,
    "a tool set's MCP configuration",
  );
}
