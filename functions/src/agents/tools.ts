/**
 * Tools an agent may call during a turn, and their execution. The model asks for calls (several at once
 * run in parallel); each call's arguments are parsed and validated against the tool's JSON Schema before
 * anything runs, each run has a deadline, and every failure (unknown tool, malformed or invalid
 * arguments, a timeout, a throwing tool, an HTTP error) becomes a tool result the model reads and the
 * trace records, never an exception that loses the turn.
 *
 * What a tool returns is evidence like a retrieved passage: it gets a marker (`[T1]`) the answer cites,
 * and the accountability checks hold claims to it.
 *
 * HTTP tools call the URL the agent's editor configured, and anyone can sign up to be an editor: the call
 * goes through the platform's egress port (`deps.egress`), which reaches public hosts only, checks every
 * redirect and DNS answer, and reads at most `maxToolResponseBytes` of the answer.
 */
import type { Evidence } from "../accountability/assess.js";
import { searchKnowledgeBases } from "../knowledge/search.js";
import type { Deps } from "../platform/deps.js";
import { checkArguments } from "../platform/json-schema.js";
import { AppError } from "../platform/errors.js";
import type { EgressResponse, ToolCall, ToolSpec } from "../platform/ports.js";
import {
  callTool,
  egressFailure,
  ToolCallError,
  type ShownRequest,
  type ToolTarget,
} from "../tools/executor.js";
import type { ToolDefinition } from "../tools/schema.js";
import { getToolSetVersion } from "../tools/toolsets.js";
import type { AgentConfig, NamedToolConfig } from "./schema.js";

/** What a tool's output may add to the model's context; longer outputs are cut (and say so). */
export const maxToolOutputChars = 8000;

/** What is read of an HTTP tool's answer; the connection is closed there, whatever the tool sends. */
export const maxToolResponseBytes = 1024 * 1024;

const builtinSpecs: Record<"search_knowledge" | "current_time", ToolSpec> = {
  search_knowledge: {
    name: "search_knowledge",
    description:
      "Search the agent's knowledge bases with a different or more specific query. Returns numbered passages to cite.",
    parameters: {
      type: "object",
      properties: {
        query: { type: "string", description: "What to look for", minLength: 2, maxLength: 500 },
      },
      required: ["query"],
      additionalProperties: false,
    },
  },
  current_time: {
    name: "current_time",
    description: "The current date and time, in UTC or in an IANA time zone such as Europe/Paris.",
    parameters: {
      type: "object",
      properties: { timeZone: { type: "string", description: "IANA time zone; UTC when omitted" } },
      additionalProperties: false,
    },
  },
};

/** One tool a turn offers, and how it runs. */
type ToolEntry =
  | { readonly kind: "named"; readonly tool: NamedToolConfig }
  | { readonly kind: "forge"; readonly tool: ToolDefinition; readonly target: ToolTarget };

/** The tools a turn offers: the agent's own, and the tools of the tool-set versions it pins. */
export interface Toolbox {
  readonly specs: ToolSpec[];
  readonly entries: ReadonlyMap<string, ToolEntry>;
}

/**
 * The agent's tools, its tool sets' pinned versions read (one read each). A version that no longer exists, or a
 * name two tools share, is refused: the turn cannot know which tool the model means.
 */
export async function loadToolbox(deps: Deps, tenantId: string, config: AgentConfig): Promise<Toolbox> {
  const specs: ToolSpec[] = [];
  const entries = new Map<string, ToolEntry>();
  const add = (spec: ToolSpec, entry: ToolEntry) => {
    if (entries.has(spec.name)) {
      throw new AppError("failed-precondition", `Two of the agent's tools are named "${spec.name}"`);
    }
    specs.push(spec);
    entries.set(spec.name, entry);
  };
  for (const tool of config.tools) {
    if (tool.kind === "builtin") add(builtinSpecs[tool.name], { kind: "named", tool });
    else if (tool.kind === "http") {
      add(
        { name: tool.name, description: tool.description, parameters: tool.parameters },
        { kind: "named", tool },
      );
    } else {
      const version = await getToolSetVersion(deps, tenantId, tool.toolSetId, tool.version);
      const target: ToolTarget = { tenantId, baseUrl: version.baseUrl, credentialId: version.credentialId };
      for (const t of version.tools) {
        if (tool.only && !tool.only.includes(t.name)) continue;
        add(
          { name: t.name, description: t.description, parameters: t.parameters },
          { kind: "forge", tool: t, target },
        );
      }
    }
  }
  return { specs, entries };
}

/** The specs of the tools an agent names itself (what needs no read): tests and the playground's listing. */
export function toolSpecs(config: AgentConfig): ToolSpec[] {
  return config.tools.flatMap((t) =>
    t.kind === "builtin"
      ? [builtinSpecs[t.name]]
      : t.kind === "http"
        ? [{ name: t.name, description: t.description, parameters: t.parameters }]
        : [],
  );
}

/** One executed call, as the trace records it. */
export interface ToolRun {
  readonly step: number;
  readonly id: string;
  readonly name: string;
  readonly arguments: string;
  readonly status: "ok" | "error";
  /** What the model was given back (output, or the error it should act on). */
  readonly output: string;
  readonly error: string | null;
  readonly durationMs: number;
  /** Evidence markers this call added. */
  readonly refs: string[];
  /** A Tool Forge tool's HTTP request, secrets masked. */
  readonly request?: ShownRequest;
}

export interface ToolContext {
  readonly deps: Deps;
  readonly tenantId: string;
  readonly config: AgentConfig;
  /** The tools on offer (loadToolbox); without it, the agent's own named tools. */
  readonly toolbox?: Toolbox;
  /** Evidence so far: new passages are numbered after it. */
  readonly evidence: readonly Evidence[];
  readonly step: number;
}

class ToolError extends Error {}

const truncate = (text: string): string =>
  text.length <= maxToolOutputChars
    ? text
    : `${text.slice(0, maxToolOutputChars)}\n[output truncated: ${text.length} characters in all]`;

/** Parses and validates a call's arguments; the error text tells the model what to fix. */
function parseArguments(spec: ToolSpec, raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch (e) {
    throw new ToolError(`the arguments are not valid JSON (${(e as Error).message}); send a JSON object`);
  }
  const checked = checkArguments(spec.parameters, value);
  if (!checked.ok) throw new ToolError(`the arguments do not match the tool's schema: ${checked.problems}`);
  return checked.value;
}

async function runBuiltin(
  name: "search_knowledge" | "current_time",
  args: Record<string, unknown>,
  ctx: ToolContext,
  nextRef: () => string,
): Promise<{ output: string; evidence: Evidence[] }> {
  if (name === "current_time") {
    const timeZone = typeof args.timeZone === "string" ? args.timeZone : "UTC";
    const now = ctx.deps.clock.now();
    let local: string;
    try {
      local = new Intl.DateTimeFormat("en-GB", {
        timeZone,
        dateStyle: "full",
        timeStyle: "long",
      }).format(now);
    } catch {
      throw new ToolError(`unknown time zone "${timeZone}"; use an IANA name such as Europe/Paris`);
    }
    return { output: JSON.stringify({ iso: now.toISOString(), timeZone, local }), evidence: [] };
  }
  const results = await searchKnowledgeBases(
    ctx.deps,
    ctx.tenantId,
    ctx.config.knowledgeBaseIds,
    String(args.query),
    5,
  );
  const known = new Set(ctx.evidence.map((e) => e.chunkId));
  const fresh = results.filter((r) => !known.has(r.chunkId)).map((r) => ({ ...r, ref: nextRef() }));
  const output =
    fresh.length === 0
      ? "No new passages found for that query."
      : fresh.map((e) => `[${e.ref}] ${e.docName}: ${e.text.replace(/\s+/g, " ")}`).join("\n");
  return { output, evidence: fresh };
}

async function runHttp(
  deps: Deps,
  tool: Extract<NamedToolConfig, { kind: "http" }>,
  args: Record<string, unknown>,
  signal: AbortSignal,
): Promise<string> {
  const url = new URL(tool.url);
  const headers: Record<string, string> = { accept: "application/json, text/plain" };
  let body: string | undefined;
  if (tool.method === "GET") {
    for (const [k, v] of Object.entries(args))
      url.searchParams.set(k, typeof v === "string" ? v : JSON.stringify(v));
  } else {
    body = JSON.stringify(args);
    headers["content-type"] = "application/json";
  }
  let response: EgressResponse;
  try {
    response = await deps.egress.request({
      method: tool.method,
      url: url.href,
      headers,
      body,
      timeoutMs: tool.timeoutMs,
      maxBodyBytes: maxToolResponseBytes,
      signal,
    });
  } catch (e) {
    throw new ToolError(egressFailure(e, tool.timeoutMs, signal.aborted).message);
  }
  let text = new TextDecoder().decode(response.body);
  if (response.truncated) {
    // Said within what the model reads: outputs are cut again to maxToolOutputChars further on, after
    // their `[T1] ` marker is put in front (16 characters leave room for it).
    const note = `\n[the tool's answer was longer than ${maxToolResponseBytes} bytes: only its beginning was read]`;
    text = `${text.slice(0, maxToolOutputChars - note.length - 16)}${note}`;
  }
  if (response.status < 200 || response.status > 299)
    throw new ToolError(`the tool answered HTTP ${response.status}: ${truncate(text).slice(0, 500)}`);
  return text;
}

/** Runs one step's calls in parallel; results come back in the order the model asked for them. */
export async function executeToolCalls(
  ctx: ToolContext,
  calls: readonly ToolCall[],
): Promise<{ runs: ToolRun[]; evidence: Evidence[] }> {
  const toolbox =
    ctx.toolbox ??
    ({
      specs: toolSpecs(ctx.config),
      entries: new Map(
        ctx.config.tools.flatMap((t): [string, ToolEntry][] =>
          t.kind === "toolset" ? [] : [[t.name, { kind: "named", tool: t }]],
        ),
      ),
    } satisfies Toolbox);
  const specs = new Map(toolbox.specs.map((s) => [s.name, s]));
  let passages = ctx.evidence.filter((e) => !e.ref.startsWith("T")).length;
  let toolOutputs = ctx.evidence.filter((e) => e.ref.startsWith("T")).length;
  const added: Evidence[] = [];

  const runs = await Promise.all(
    calls.map(async (call): Promise<ToolRun> => {
      const started = performance.now();
      const refs: string[] = [];
      const finish = (status: ToolRun["status"], output: string, error: string | null): ToolRun => ({
        step: ctx.step,
        id: call.id,
        name: call.name,
        arguments: call.arguments,
        status,
        output: truncate(output),
        error,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
        refs,
      });
      const spec = specs.get(call.name);
      const entry = toolbox.entries.get(call.name);
      if (!spec || !entry) {
        const error = `there is no tool named "${call.name}"; available: ${[...specs.keys()].join(", ") || "none"}`;
        return finish("error", JSON.stringify({ error }), error);
      }
      const timeoutMs =
        entry.kind === "forge"
          ? entry.tool.timeoutMs
          : entry.tool.kind === "http"
            ? entry.tool.timeoutMs
            : 10_000;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), timeoutMs);
      let request: ShownRequest | undefined;
      try {
        const args = parseArguments(spec, call.arguments);
        let work: Promise<{ output: string; evidence: Evidence[] }>;
        if (entry.kind === "forge") {
          if (entry.tool.sideEffect === "write") {
            // A write never runs on the model's say-so: the end user's confirmation is not asked for yet.
            throw new ToolError(
              `${entry.tool.name} changes something and runs only after the end user confirms it, which this ` +
                "conversation cannot ask for: tell the user exactly what you would do, and that it was not done",
            );
          }
          work = callTool(ctx.deps, entry.target, entry.tool, args, controller.signal).then(
            (result) => {
              request = result.request;
              return { output: result.output, evidence: [] as Evidence[] };
            },
            (e: unknown) => {
              throw e instanceof ToolCallError ? new ToolError(e.message) : e;
            },
          );
        } else if (entry.tool.kind === "builtin") {
          work = runBuiltin(entry.tool.name, args, ctx, () => {
            const ref = String(++passages);
            refs.push(ref);
            return ref;
          });
        } else {
          work = runHttp(ctx.deps, entry.tool, args, controller.signal).then((output) => ({
            output,
            evidence: [] as Evidence[],
          }));
        }
        const deadline = new Promise<never>((_, reject) =>
          controller.signal.addEventListener("abort", () =>
            reject(new ToolError(`the tool did not answer within ${timeoutMs} ms`)),
          ),
        );
        const result = await Promise.race([work, deadline]);
        added.push(...result.evidence);
        if (entry.kind === "forge" || entry.tool.kind === "http") {
          const ref = `T${++toolOutputs}`;
          refs.push(ref);
          added.push(toolEvidence(ref, call, truncate(result.output)));
          return { ...finish("ok", `[${ref}] ${result.output}`, null), ...(request ? { request } : {}) };
        }
        return finish("ok", result.output, null);
      } catch (e) {
        const error =
          e instanceof ToolError ? e.message : `the tool failed: ${(e as Error).message ?? String(e)}`;
        return finish("error", JSON.stringify({ error }), error);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { runs, evidence: added };
}

/** A tool's output as citable evidence. */
function toolEvidence(ref: string, call: ToolCall, output: string): Evidence {
  return {
    ref,
    kbId: "",
    docId: `tool:${call.name}`,
    docName: `Tool ${call.name}`,
    chunkId: `tool-call:${call.id}`,
    text: output,
    score: 1,
    vectorScore: null,
    keywordScore: null,
    location: { startOffset: 0, endOffset: output.length, headingPath: [] },
  };
}
