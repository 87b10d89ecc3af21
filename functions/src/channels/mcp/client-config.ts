/**
 * Ready-to-paste configurations of common MCP clients for one of the platform's MCP endpoints (a tool set's,
 * `GET /v1/tool-sets/{id}/mcp-config`): Claude Code (its command, and its project file), Claude Desktop, Cursor,
 * VS Code and any Streamable HTTP client. Each carries the endpoint's URL and the bearer header with the
 * placeholder `<YOUR_API_KEY>`: a configuration never holds a real secret, the person pastes their own key.
 *
 * Formats as each client documents them: `claude mcp add --transport http`; `.mcp.json`/`.cursor/mcp.json`
 * (`mcpServers`, with `type: "http"` for Claude Code); `.vscode/mcp.json` (`servers`, `type: "http"`); Claude
 * Desktop's `claude_desktop_config.json` starts local servers only, so it reaches a remote one through the
 * `mcp-remote` bridge, with the header in an environment variable (a space in an argument breaks on Windows).
 */
import { toolSlug } from "./server.js";

export const apiKeyPlaceholder = "<YOUR_API_KEY>";

export type McpClientId =
  "claude-code" | "claude-code-project" | "claude-desktop" | "cursor" | "vscode" | "streamable-http";

export interface McpClientConfig {
  readonly client: McpClientId;
  /** The client, as people know it. */
  readonly label: string;
  /** `command`: a shell command to run; `json`: a JSON document (or the part to merge into one). */
  readonly format: "command" | "json";
  /** Where it goes, when it is a file. */
  readonly file: string | null;
  readonly content: string;
  /** What to do with it, in a sentence. */
  readonly note: string;
}

/** A server name clients accept (letters, digits, `-`): `alchemist-` and the endpoint's name as a slug. */
export function mcpServerName(name: string): string {
  return `alchemist-${toolSlug(name).replace(/_/g, "-")}`.slice(0, 60).replace(/-+$/, "");
}

const json = (value: unknown): string => JSON.stringify(value, null, 2);

/** Whether mcp-remote would refuse the URL for being plain HTTP (it allows http only for localhost). */
function remoteNeedsAllowHttp(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(hostname);
}

/** The configurations of every supported client for the MCP endpoint at `url`, named `serverName`. */
export function mcpClientConfigs(url: string, serverName: string): McpClientConfig[] {
  const authorization = `Bearer ${apiKeyPlaceholder}`;
  const headers = { Authorization: authorization };
  return [
    {
      client: "claude-code",
      label: "Claude Code",
      format: "command",
      file: null,
      content: `claude mcp add --transport http ${serverName} ${url} --header "Authorization: ${authorization}"`,
      note: "Run it in a terminal (add --scope project or --scope user to share it beyond this folder).",
    },
    {
      client: "claude-code-project",
      label: "Claude Code (project file)",
      format: "json",
      file: ".mcp.json",
      content: json({ mcpServers: { [serverName]: { type: "http", url, headers } } }),
      note: "Save it at the root of the project; Claude Code asks before using a project's servers.",
    },
    {
      client: "claude-desktop",
      label: "Claude Desktop",
      format: "json",
      file: "claude_desktop_config.json",
      content: json({
        mcpServers: {
          [serverName]: {
            command: "npx",
            args: [
              "-y",
              "mcp-remote",
              url,
              "--transport",
              "http-only",
              ...(remoteNeedsAllowHttp(url) ? ["--allow-http"] : []),
              "--header",
              "Authorization:${ALCHEMIST_AUTH_HEADER}",
            ],
            env: { ALCHEMIST_AUTH_HEADER: authorization },
          },
        },
      }),
      note: "Settings → Developer → Edit Config, merge it in and restart Claude Desktop (needs Node.js for npx).",
    },
    {
      client: "cursor",
      label: "Cursor",
      format: "json",
      file: ".cursor/mcp.json",
      content: json({ mcpServers: { [serverName]: { url, headers } } }),
      note: "Save it in the project (or ~/.cursor/mcp.json for every project).",
    },
    {
      client: "vscode",
      label: "VS Code",
      format: "json",
      file: ".vscode/mcp.json",
      content: json({ servers: { [serverName]: { type: "http", url, headers } } }),
      note: "Save it in the workspace; start the server from the file or the MCP: List Servers command.",
    },
    {
      client: "streamable-http",
      label: "Any Streamable HTTP client",
      format: "json",
      file: null,
      content: json({ name: serverName, transport: "streamable-http", url, headers }),
      note: "Stateless Streamable HTTP (protocol revisions 2026-07-28 and 2025-11-25); POST only, no sessions.",
    },
  ];
}
