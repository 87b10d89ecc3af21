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
import { previewRequest } from "../tools/preview.js";
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
  | {
      readonly kind: "forge";
      readonly tool: ToolDefinition;
      readonly target: ToolTarget;
      readonly toolSetId: string;
      readonly version: number;
    };

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
          { kind: "forge", tool: t, target, toolSetId: tool.toolSetId, version: tool.version },
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
  /**
   * `awaiting-confirmation`: a write the end user is asked to confirm (it has not run); `cancelled`: one the end
   * user declined (it never ran).
   */
  readonly status: "ok" | "error" | "awaiting-confirmation" | "cancelled";
  /** What the model was given back (output, or the error it should act on). */
  readonly output: string;
  readonly error: string | null;
  readonly durationMs: number;
  /** Evidence markers this call added. */
  readonly refs: string[];
  /** A Tool Forge tool's HTTP request, secrets masked (for a write awaiting confirmation: what it will send). */
  readonly request?: ShownRequest;
  /** For a write: the confirmation it waits for, or the decision it ran (or was cancelled) after. */
  readonly confirmation?: ToolRunConfirmation;
}

export interface ToolRunConfirmation {
  readonly id: string;
  readonly expiresAt: string;
  readonly decision?: "confirmed" | "cancelled";
  readonly decidedBy?: string;
  readonly decidedAt?: string;
  /** The trace of the turn that asked for it. */
  readonly requestTraceId?: string;
}

/** A write tool call waiting for (or decided by) its end user: the confirmation, and the call it stands for. */
interface WriteCall {
  /** The confirmation's id. */
  readonly id: string;
  readonly toolName: string;
  /** The tool-set version the asking turn offered: the call runs with its tool, whatever is published since. */
  readonly toolSetId: string;
  readonly toolSetVersion: number;
  /** The model's call id, so the turn after can show the model its own call. */
  readonly toolCallId: string;
  /** The validated arguments, as JSON: run exactly as shown. */
  readonly arguments: string;
}

/** A write tool call a turn asks its end user to confirm: what the confirmation record keeps. */
export interface PendingWrite extends WriteCall {
  readonly request: ShownRequest;
  readonly summary: string;
  readonly expiresAt: string;
}

/**
 * How a turn treats `write` tools: `null` where the channel cannot show a confirmation (the call is refused,
 * the model told why); otherwise the one write this turn may leave waiting for its end user.
 */
export interface WriteConfirmations {
  pending: PendingWrite | null;
  /** Set while a write's confirmation is being prepared, so two writes in one step cannot both wait. */
  reserved?: boolean;
}

/** One line saying what a write will send: the tool, the method and URL, and the body (cut). */
function summarize(tool: ToolDefinition, request: ShownRequest): string {
  const body = request.body === null ? "" : ` ${request.body.replace(/\s+/g, " ")}`;
  const line = `${tool.name}: ${request.method} ${request.url}${body}`;
  return line.length <= 500 ? line : `${line.slice(0, 499)}…`;
}

/** Prepares the confirmation a write waits for: the limits checked, the exact request built and shown. */
async function askConfirmation(
  ctx: ToolContext,
  entry: Extract<ToolEntry, { kind: "forge" }>,
  call: ToolCall,
  args: Record<string, unknown>,
): Promise<PendingWrite> {
  const writes = ctx.writes;
  if (!writes) {
    throw new ToolError(
      `${entry.tool.name} changes something and runs only after the end user confirms it, which this channel ` +
        "cannot ask for: tell the user exactly what you would do, and that it was not done",
    );
  }
  if (writes.pending || writes.reserved) {
    throw new ToolError(
      `only one change can wait for the user's confirmation at a time, and ${writes.pending?.toolName ?? "another"} ` +
        "already does: ask them about that one first; this call was not done",
    );
  }
  writes.reserved = true;
  try {
    let request: ShownRequest;
    try {
      request = await previewRequest(ctx.deps, entry.target, entry.tool, args);
    } catch (e) {
      throw e instanceof ToolCallError ? new ToolError(e.message) : e;
    }
    const pending: PendingWrite = {
      id: ctx.deps.ids.newId(),
      toolName: entry.tool.name,
      toolSetId: entry.toolSetId,
      toolSetVersion: entry.version,
      toolCallId: call.id,
      arguments: JSON.stringify(args),
      request,
      summary: summarize(entry.tool, request),
      expiresAt: new Date(
        ctx.deps.clock.now().getTime() + ctx.deps.config.toolConfirmationTtlMs,
      ).toISOString(),
    };
    writes.pending = pending;
    return pending;
  } finally {
    writes.reserved = false;
  }
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
  /** Where writes wait for the end user's confirmation; absent: writes are refused. */
  readonly writes?: WriteConfirmations;
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
  // Each call's output marker is its place among the calls (gaps where a call fails, closed by the
  // screen's renumbering in turn.ts), so markers follow the model's order whatever finishes first.
  const toolOutputs = ctx.evidence.filter((e) => e.ref.startsWith("T")).length;
  const addedByCall: Evidence[][] = calls.map(() => []);

  const runs = await Promise.all(
    calls.map(async (call, index): Promise<ToolRun> => {
      const started = performance.now();
      const added = addedByCall[index] as Evidence[];
      const outputRef = `T${toolOutputs + index + 1}`;
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
      let confirmation: ToolRunConfirmation | undefined;
      let argumentsValid = false;
      try {
        const args = parseArguments(spec, call.arguments);
        argumentsValid = true;
        let work: Promise<{ output: string; evidence: Evidence[] }>;
        if (entry.kind === "forge" && entry.tool.sideEffect === "write") {
          // A write never runs on the model's say-so: it waits for the end user's confirmation.
          const pending = await askConfirmation(ctx, entry, call, args);
          confirmation = { id: pending.id, expiresAt: pending.expiresAt };
          request = pending.request;
          const ref = outputRef;
          refs.push(ref);
          const output = JSON.stringify({
            status: "awaiting_confirmation",
            tool: pending.toolName,
            willSend: {
              method: pending.request.method,
              url: pending.request.url,
              body: pending.request.body,
            },
            expiresAt: pending.expiresAt,
            note:
              "NOT done yet. The user is shown this exact request with buttons to confirm or cancel; it runs " +
              "only if they confirm before it expires. Tell them what will happen and ask them to confirm.",
          });
          added.push(toolEvidence(ref, call, output));
          return {
            ...finish("awaiting-confirmation", `[${ref}] ${output}`, null),
            request: pending.request,
            confirmation,
          };
        }
        if (entry.kind === "forge") {
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
          const ref = outputRef;
          refs.push(ref);
          added.push(toolEvidence(ref, call, truncate(result.output)));
          return { ...finish("ok", `[${ref}] ${result.output}`, null), ...(request ? { request } : {}) };
        }
        return finish("ok", result.output, null);
      } catch (e) {
        const error =
          e instanceof ToolError ? e.message : `the tool failed: ${(e as Error).message ?? String(e)}`;
        const output = JSON.stringify({ error });
        // What an API (or the platform's limit on it) refused is a fact the answer may report, cited like an
        // output: "the bank allows at most 100.00 [T2]". A call the model got wrong (no such tool, bad arguments)
        // is only the model's to fix.
        if (argumentsValid && (entry.kind === "forge" || entry.tool.kind === "http")) {
          refs.push(outputRef);
          added.push(toolEvidence(outputRef, call, output));
          return finish("error", `[${outputRef}] ${output}`, error);
        }
        return finish("error", output, error);
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { runs, evidence: addedByCall.flat() };
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

/** An end user's decision on a write's confirmation, which the turn after it carries out. */
export interface DecidedWrite extends WriteCall {
  /** The trace of the turn that asked. */
  readonly requestTraceId: string;
  readonly decision: "confirmed" | "cancelled";
  readonly decidedBy: string;
  readonly decidedAt: string;
}

/**
 * Carries out a decided write: a confirmed one runs exactly as it was shown (the tool of the tool-set version the
 * asking turn offered, its arguments as stored, the limits checked again); a cancelled one runs nothing. Either
 * way the result is evidence (`T` marker) the answer reports from.
 */
export async function runDecidedWrite(
  deps: Deps,
  tenantId: string,
  decided: DecidedWrite,
  evidence: readonly Evidence[],
  step: number,
): Promise<{ run: ToolRun; evidence: Evidence[] }> {
  const started = performance.now();
  const ref = `T${evidence.filter((e) => e.ref.startsWith("T")).length + 1}`;
  const call: ToolCall = { id: decided.toolCallId, name: decided.toolName, arguments: decided.arguments };
  const confirmation: ToolRunConfirmation = {
    id: decided.id,
    expiresAt: "",
    decision: decided.decision,
    decidedBy: decided.decidedBy,
    decidedAt: decided.decidedAt,
    requestTraceId: decided.requestTraceId,
  };
  const done = (
    status: ToolRun["status"],
    output: string,
    error: string | null,
    request?: ShownRequest,
  ): { run: ToolRun; evidence: Evidence[] } => ({
    run: {
      step,
      id: call.id,
      name: call.name,
      arguments: call.arguments,
      status,
      output: `[${ref}] ${truncate(output)}`,
      error,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      refs: [ref],
      ...(request ? { request } : {}),
      confirmation,
    },
    evidence: [toolEvidence(ref, call, truncate(output))],
  });
  if (decided.decision === "cancelled") {
    return done(
      "cancelled",
      JSON.stringify({
        status: "cancelled",
        note: `The user cancelled ${decided.toolName}: nothing was sent.`,
      }),
      null,
    );
  }
  let tool: ToolDefinition | undefined;
  let target: ToolTarget;
  try {
    const version = await getToolSetVersion(deps, tenantId, decided.toolSetId, decided.toolSetVersion);
    tool = version.tools.find((t) => t.name === decided.toolName);
    target = { tenantId, baseUrl: version.baseUrl, credentialId: version.credentialId };
  } catch (e) {
    const error = `the tool set version ${decided.toolSetVersion} could not be read (${(e as Error).message}); nothing was sent`;
    return done("error", JSON.stringify({ error }), error);
  }
  if (!tool) {
    const error = `${decided.toolName} is no longer in version ${decided.toolSetVersion} of its tool set; nothing was sent`;
    return done("error", JSON.stringify({ error }), error);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), tool.timeoutMs);
  try {
    const result = await callTool(
      deps,
      target,
      tool,
      JSON.parse(decided.arguments) as Record<string, unknown>,
      controller.signal,
    );
    return done(
      "ok",
      JSON.stringify({ status: "done", answer: safeJson(result.output) }),
      null,
      result.request,
    );
  } catch (e) {
    const error = e instanceof ToolCallError ? e.message : `the tool failed: ${(e as Error).message}`;
    return done("error", JSON.stringify({ error }), error);
  } finally {
    clearTimeout(timer);
  }
}

/** JSON text as a value (to nest it), or the text itself when it is not JSON. */
function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
