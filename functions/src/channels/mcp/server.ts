/**
 * Agents as tools for any MCP client. For one credential, an MCP server with:
 * - `ask_<agent>` for every published agent whose served version is enabled on the "mcp" channel (an
 *   agent-scoped key: its agent only): the agent's checked answer, with its citations, confidence,
 *   abstention, explanation and trace id in `structuredContent`, and the sources as numbered lines in the text;
 *   a `conversationId` continues one of the credential's own MCP conversations with that agent;
 * - `search_<knowledge base>` for every knowledge base, to credentials that may read the workspace (not
 *   agent-scoped keys): ranked passages with their locations.
 *
 * Built fresh for every HTTP request (the endpoint is stateless, see routes.ts), from what the credential can
 * reach at that moment. A turn that fails is a tool result with `isError`, its message and trace id, so the
 * model sees why; protocol errors stay for protocol mistakes (an unknown tool, bad arguments).
 */
import type { CallToolResult, McpServer } from "@modelcontextprotocol/server";
import { z } from "zod";
import { getAgent, listAgents, resolveConfig, type AgentView } from "../../agents/agents.js";
import { openConversation, startConversation } from "../../agents/conversations.js";
import { servedVersion } from "../../agents/environments.js";
import { selectorFor } from "../../agents/releases.js";
import { sendMessage, maxMessageChars } from "../../agents/turn.js";
import { listKnowledgeBases } from "../../knowledge/knowledge-bases.js";
import { searchKnowledgeBase } from "../../knowledge/search.js";
import type { Caller } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";
import { AppError, toAppError } from "../../platform/errors.js";
import { hasPermission } from "../../platform/permissions.js";

export const mcpChannel = "mcp";

/** What one endpoint serves: the whole workspace the credential reaches, or one agent (`/mcp/agents/{id}`). */
export type McpScope = { readonly kind: "workspace" } | { readonly kind: "agent"; readonly agentId: string };

/** A tool name from a display name: lower-case letters, digits and underscores, at most 48 characters. */
export function toolSlug(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 48)
    .replace(/_+$/, "");
  return slug || "unnamed";
}

/**
 * Unique tool names for named items: `<prefix>_<slug>`, and `_<first 6 of the id>` after the slug when two
 * items share one (the order of `items` does not matter: both get the suffix).
 */
export function toolNames<T extends { readonly id: string; readonly name: string }>(
  prefix: string,
  items: readonly T[],
): Map<string, T> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(toolSlug(item.name), (counts.get(toolSlug(item.name)) ?? 0) + 1);
  const named = new Map<string, T>();
  for (const item of items) {
    const slug = toolSlug(item.name);
    const idPart = item.id
      .replace(/[^A-Za-z0-9]/g, "")
      .slice(0, 6)
      .toLowerCase();
    named.set((counts.get(slug) ?? 0) > 1 ? `${prefix}_${slug}_${idPart}` : `${prefix}_${slug}`, item);
  }
  return named;
}

/** The agents a credential may ask here: answering now, with their served version enabled on MCP. */
async function askableAgents(
  deps: Deps,
  caller: Caller,
  scope: McpScope,
): Promise<{ agent: AgentView; description: string; knowledgeBaseIds: readonly string[] }[]> {
  const onlyId = scope.kind === "agent" ? scope.agentId : caller.agentId;
  const agents = onlyId
    ? await getAgent(deps, caller.tenantId, onlyId).then(
        (a) => [a],
        () => [],
      )
    : await listAgents(deps, caller.tenantId);
  const selector = selectorFor(caller, undefined) ?? "published";
  const served = await Promise.all(
    agents
      .filter((a) => a.status !== "archived" && a.status !== "paused")
      .filter((a) => !caller.agentId || a.id === caller.agentId)
      // What the caller's environment serves (an API key bound to staging sees staging's versions).
      .filter((a) => servedVersion(a, selector) !== null)
      .map(async (agent) => {
        const { config } = await resolveConfig(deps, caller.tenantId, agent, selector);
        return config.channels.includes(mcpChannel)
          ? [
              {
                agent,
                description: config.description || `The ${config.name} agent.`,
                knowledgeBaseIds: config.knowledgeBaseIds,
              },
            ]
          : [];
      }),
  );
  return served.flat();
}

/** Whether `agentId` is one the credential may ask over MCP right now (the per-agent endpoint's check). */
export async function mcpServesAgent(deps: Deps, caller: Caller, agentId: string): Promise<boolean> {
  return (await askableAgents(deps, caller, { kind: "agent", agentId })).length > 0;
}

const citationOutput = z.object({
  ref: z.string(),
  docName: z.string(),
  quote: z.string(),
  kbId: z.string(),
  docId: z.string(),
  chunkId: z.string(),
});

const askOutput = z.object({
  answer: z.string(),
  abstained: z.boolean(),
  confidence: z.number().nullable(),
  explanation: z.string().nullable(),
  citations: z.array(citationOutput),
  conversationId: z.string(),
  traceId: z.string().nullable(),
  agentVersion: z.union([z.number(), z.literal("draft")]).nullable(),
});
type AskOutput = z.infer<typeof askOutput>;

const askInput = z.object({
  question: z.string().min(1).max(maxMessageChars).describe("The question, in the user's words"),
  conversationId: z
    .string()
    .max(128)
    .optional()
    .describe("To ask a follow-up: the conversationId an earlier answer of this tool returned"),
});

const searchOutput = z.object({
  results: z.array(
    z.object({
      docName: z.string(),
      chunkId: z.string(),
      text: z.string(),
      score: z.number(),
      headingPath: z.array(z.string()),
      page: z.number().optional(),
    }),
  ),
});

const searchInput = z.object({
  query: z.string().min(1).max(4000).describe("What to look for"),
  k: z.number().int().min(1).max(20).optional().describe("How many passages (default 5)"),
});

/** The answer as text: what it says, then its sources as numbered lines, or that it abstained. */
function answerText(out: AskOutput): string {
  const sources = [...new Map(out.citations.map((c) => [c.ref, c])).values()].map(
    (c) => `[${c.ref}] ${c.docName}: "${c.quote}"`,
  );
  return [
    out.answer,
    ...(sources.length > 0 ? ["", "Sources:", ...sources] : []),
    "",
    out.abstained
      ? "The agent abstained: its sources did not hold enough to answer."
      : `Confidence: ${out.confidence === null ? "n/a" : out.confidence.toFixed(2)}`,
  ].join("\n");
}

function toolError(e: unknown): CallToolResult {
  const error = toAppError(e);
  return { isError: true, content: [{ type: "text", text: `${error.message} (${error.code})` }] };
}

async function ask(
  deps: Deps,
  caller: Caller,
  agentId: string,
  input: z.infer<typeof askInput>,
): Promise<CallToolResult> {
  try {
    let conversationId = input.conversationId;
    if (conversationId !== undefined) {
      const conversation = await openConversation(deps, caller, conversationId, "continue");
      if (conversation.agentId !== agentId || conversation.channel !== mcpChannel) {
        throw new AppError(
          "invalid-argument",
          `conversationId ${conversationId} is not a conversation with this agent over MCP`,
        );
      }
    } else {
      conversationId = (
        await startConversation(deps, caller.tenantId, agentId, {
          channel: mcpChannel,
          version: selectorFor(caller, undefined) ?? "published",
          startedBy: caller.uid,
        })
      ).id;
    }
    const message = await sendMessage(deps, caller.tenantId, conversationId, { content: input.question });
    const out: AskOutput = {
      answer: message.content,
      abstained: message.abstained,
      confidence: message.confidence,
      explanation: message.explanation,
      citations: message.citations.map((c) => ({
        ref: c.ref,
        docName: c.docName,
        quote: c.quote,
        kbId: c.kbId,
        docId: c.docId,
        chunkId: c.chunkId,
      })),
      conversationId,
      traceId: message.traceId,
      agentVersion: message.agentVersion,
    };
    return { content: [{ type: "text", text: answerText(out) }], structuredContent: out };
  } catch (e) {
    return toolError(e);
  }
}

async function search(
  deps: Deps,
  caller: Caller,
  kbId: string,
  input: z.infer<typeof searchInput>,
): Promise<CallToolResult> {
  try {
    const results = await searchKnowledgeBase(deps, caller.tenantId, kbId, {
      query: input.query,
      k: input.k ?? 5,
      mode: "hybrid",
    });
    const out = {
      results: results.map((r) => ({
        docName: r.docName,
        chunkId: r.chunkId,
        text: r.text,
        score: r.score,
        headingPath: [...r.location.headingPath],
        ...(r.location.page !== undefined ? { page: r.location.page } : {}),
      })),
    };
    const text =
      out.results.length === 0
        ? "No passage matched."
        : out.results
            .map((r, i) => `${i + 1}. ${r.docName} (score ${r.score.toFixed(2)})\n${r.text}`)
            .join("\n\n");
    return { content: [{ type: "text", text }], structuredContent: out };
  } catch (e) {
    return toolError(e);
  }
}

/** The MCP server one request of `caller` is answered by. */
export async function buildMcpServer(deps: Deps, caller: Caller, scope: McpScope): Promise<McpServer> {
  // Loaded with the first MCP request, not at every cold start of the API.
  const { McpServer } = await import("@modelcontextprotocol/server");
  const server = new McpServer(
    { name: "alchemist", version: deps.config.version },
    {
      instructions:
        "Each ask_ tool asks an Alchemist agent, which answers only from its knowledge bases, cites its " +
        "sources and abstains when they do not hold the answer; search_ tools return ranked passages.",
    },
  );
  const agents = await askableAgents(deps, caller, scope);
  const agentTools = toolNames(
    "ask",
    agents.map((a) => ({ id: a.agent.id, name: a.agent.name, description: a.description })),
  );
  for (const [name, agent] of agentTools) {
    server.registerTool(
      name,
      {
        title: `Ask ${agent.name}`,
        description: `${agent.description} Answers with citations and a confidence, or abstains.`,
        inputSchema: askInput,
        outputSchema: askOutput,
        annotations: { readOnlyHint: false, openWorldHint: false },
      },
      (input: z.infer<typeof askInput>) => ask(deps, caller, agent.id, input),
    );
  }
  const mayRead = !caller.agentId && hasPermission(caller, "workspace.read");
  if (mayRead) {
    // On one agent's endpoint, the knowledge bases that agent answers from.
    const inScope = scope.kind === "agent" ? new Set(agents.flatMap((a) => a.knowledgeBaseIds)) : null;
    const kbs = (await listKnowledgeBases(deps, caller.tenantId)).filter(
      (kb) => !inScope || inScope.has(kb.id),
    );
    for (const [name, kb] of toolNames("search", kbs)) {
      server.registerTool(
        name,
        {
          title: `Search ${kb.name}`,
          description: `Search the knowledge base "${kb.name}"${kb.description ? `: ${kb.description}` : ""}. Returns ranked passages.`,
          inputSchema: searchInput,
          outputSchema: searchOutput,
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        (input: z.infer<typeof searchInput>) => search(deps, caller, kb.id, input),
      );
    }
  }
  return server;
}
