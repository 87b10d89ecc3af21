/**
 * Simulations: an end user walks an agent through a multi-turn scenario in one sandbox conversation, and
 * every answer is checked (must contain, must not contain, should abstain, must cite a document).
 *
 * - A scripted end user sends the scenario's messages in order. It needs no model: it runs with the
 *   built-in extractive one too.
 * - A model-driven end user (a persona and a goal) has the configured chat model write each next message
 *   from the conversation so far, until it says it is done or the turn limit is reached. Only a real model
 *   can play a user: with the built-in extractive model (which only quotes passages) it is refused with
 *   `failed-precondition`, never faked.
 *
 * The simulation is stored once, when it ends (`tenants/{t}/evalSimulations/{id}`): the transcript, each
 * check's result, the turns' trace ids, pass or fail, and timings. A turn that fails ends the simulation (the
 * next message would follow an answer that does not exist) and it is stored as failed, with the reason; a
 * simulation refused before its first turn (an archived agent, no credits) stores nothing.
 *
 * This module owns `tenants/{t}/evalSimulations/{id}`: its schema and path helpers.
 */
import { z } from "zod";
import { getTrace } from "../accountability/traces.js";
import { startConversation } from "../agents/conversations.js";
import { conversationPath } from "../agents/schema.js";
import { maxMessageChars, sendMessage } from "../agents/turn.js";
import { meterModelCall } from "../billing/usage.js";
import { checkId, tenantPath, type Caller } from "../platform/caller.js";
import type { Deps } from "../platform/deps.js";
import { AppError, toAppError } from "../platform/errors.js";
import { log } from "../platform/log.js";
import type { ChatMessage, Filter } from "../platform/ports.js";
import { pageOfRecords, recordPageQuery } from "../platform/paging.js";
import { idSchema, nameSchema, validate } from "../platform/validation.js";
import { hasGenerativeModel } from "./judge.js";
import { citesExpectedSource, containsFact } from "./scoring.js";
import {
  citedSources,
  citedSourceSchema,
  resolveTarget,
  targetVersionSchema,
  type CitedSource,
} from "./replay.js";

// ---------------------------------------------------------------------------------------------------
// Input
// ---------------------------------------------------------------------------------------------------

/** The most steps (scripted messages, or model-driven turns) one simulation takes. */
export const maxSimulationSteps = 30;
/** Strings per check list, and the length of each. */
const maxCheckStrings = 20;
const maxCheckChars = 500;

const checkStrings = (field: string) =>
  z
    .array(
      z
        .string()
        .trim()
        .min(1, `${field}: an entry must not be empty`)
        .max(maxCheckChars, `${field}: an entry is at most ${maxCheckChars} characters`),
    )
    .max(maxCheckStrings, `${field} holds at most ${maxCheckStrings} entries`);

/** What an answer must (not) hold. Unknown keys are refused, so a misspelt check never passes silently. */
export const answerChecksSchema = z
  .object({
    /** Each must appear in the answer (case, spacing and citation markers ignored). */
    mustContain: checkStrings("mustContain").optional(),
    /** None may appear in the answer (same matching). */
    mustNotContain: checkStrings("mustNotContain").optional(),
    /** true: the agent must abstain; false: it must answer. */
    shouldAbstain: z.boolean().optional(),
    /** Each must be cited: a document's name (with or without its extension) or id. */
    mustCite: checkStrings("mustCite").optional(),
  })
  .strict();
export type AnswerChecks = z.infer<typeof answerChecksSchema>;

const userMessage = (field: string) =>
  z
    .string()
    .trim()
    .min(1, `${field} must not be empty`)
    .max(maxMessageChars, `${field} is limited to ${maxMessageChars} characters`);

export const scriptedStepSchema = z
  .object({ message: userMessage("message"), checks: answerChecksSchema.default({}) })
  .strict();

export const endUserSchema = z
  .object({
    /** Who the simulated user is ("a contractor who has never booked travel"). */
    persona: z
      .string()
      .trim()
      .min(1, "persona must not be empty")
      .max(2000, "persona is at most 2000 characters"),
    /** What they want from the conversation. */
    goal: z.string().trim().min(1, "goal must not be empty").max(2000, "goal is at most 2000 characters"),
    maxTurns: z
      .number()
      .int("maxTurns must be a whole number")
      .min(1, "maxTurns is at least 1")
      .max(maxSimulationSteps, `maxTurns is at most ${maxSimulationSteps}`)
      .default(10),
    /** The first message as written; the model writes it when left out. */
    openingMessage: userMessage("openingMessage").optional(),
  })
  .strict();

export const simulationInput = z
  .object({
    name: nameSchema("name", 120).optional(),
    agentId: idSchema,
    version: targetVersionSchema.default("published"),
    /** A scripted end user: the messages in order, each with the checks its answer must pass. */
    steps: z
      .array(scriptedStepSchema)
      .min(1, "steps needs at least one message")
      .max(maxSimulationSteps, `a scenario has at most ${maxSimulationSteps} steps`)
      .optional(),
    /** A model-driven end user (needs a configured model provider). */
    endUser: endUserSchema.optional(),
    /** For a model-driven end user: checks on every answer, and on the last one. */
    checks: z
      .object({ everyAnswer: answerChecksSchema.optional(), lastAnswer: answerChecksSchema.optional() })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.steps === undefined) === (v.endUser === undefined)) {
      ctx.addIssue({
        code: "custom",
        path: ["steps"],
        message: "give either steps (a scripted end user) or endUser (a model-driven one), not both",
      });
    }
    if (v.checks && !v.endUser) {
      ctx.addIssue({
        code: "custom",
        path: ["checks"],
        message: "checks apply to a model-driven endUser; scripted steps carry their own checks",
      });
    }
  });
export type SimulationInput = z.input<typeof simulationInput>;

// ---------------------------------------------------------------------------------------------------
// Schema and paths
// ---------------------------------------------------------------------------------------------------

export const checkResultSchema = z.object({
  kind: z.enum(["mustContain", "mustNotContain", "shouldAbstain", "mustCite"]),
  expected: z.union([z.string(), z.boolean()]),
  passed: z.boolean(),
  /** What was found, in words (or why the check was not made). */
  detail: z.string(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;

const errorSchema = z.object({ code: z.string(), message: z.string() });

export const simulationStepSchema = z.object({
  index: z.number().int().min(0),
  user: z.string(),
  userFrom: z.enum(["script", "model"]),
  /** not-run: a scripted step after the simulation stopped. */
  status: z.enum(["answered", "abstained", "declined", "failed", "not-run"]),
  answer: z.string().nullable(),
  /** The stored answer was cut to `maxStoredAnswerChars` (the full one is on the conversation's message). */
  answerTruncated: z.boolean(),
  traceId: z.string().nullable(),
  confidence: z.number().nullable(),
  abstained: z.boolean(),
  citations: z.array(citedSourceSchema),
  checks: z.array(checkResultSchema),
  passed: z.boolean(),
  error: errorSchema.nullable(),
  /** The turn's time, as its trace measured it. */
  ms: z.number().nullable(),
});
export type SimulationStep = z.infer<typeof simulationStepSchema>;

export const simulationSchema = z.object({
  name: z.string(),
  agentId: z.string(),
  /** The version that answered ("published" is stored as its number). */
  version: z.union([z.literal("draft"), z.number().int()]),
  mode: z.enum(["scripted", "model-driven"]),
  /** The scenario as given (steps, or the end user and its checks), to run again. */
  scenario: z.object({
    steps: z.array(scriptedStepSchema).optional(),
    endUser: endUserSchema.optional(),
    checks: z
      .object({ everyAnswer: answerChecksSchema.optional(), lastAnswer: answerChecksSchema.optional() })
      .optional(),
  }),
  /** completed: every step ran (checks may still fail); failed: a turn or the simulated user's model failed. */
  status: z.enum(["completed", "failed"]),
  /** Completed and every check passed. */
  passed: z.boolean(),
  endedBy: z.enum([
    "script-end",
    "user-done",
    "max-turns",
    "turn-failed",
    "user-model-failed",
    "time-budget",
  ]),
  error: errorSchema.nullable(),
  conversationId: z.string(),
  steps: z.array(simulationStepSchema),
  summary: z.object({
    stepsRun: z.number().int(),
    stepsPassed: z.number().int(),
    checks: z.number().int(),
    checksPassed: z.number().int(),
  }),
  /** The agent's turns' tokens. */
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number() }),
  /** The model that played the end user, and what it spent (model-driven only). */
  userModel: z
    .object({
      provider: z.string(),
      model: z.string(),
      calls: z.number().int(),
      inputTokens: z.number(),
      outputTokens: z.number(),
    })
    .nullable(),
  startedAt: z.string(),
  finishedAt: z.string(),
  durationMs: z.number(),
  by: z.string(),
  createdAt: z.string(),
});
export type Simulation = z.infer<typeof simulationSchema>;
export type SimulationView = Simulation & { readonly id: string };

export const simulationsPath = (tenantId: string): string => `${tenantPath(tenantId)}/evalSimulations`;
export const simulationPath = (tenantId: string, simulationId: string): string =>
  `${simulationsPath(tenantId)}/${checkId(simulationId, "simulation id")}`;

/** Per step, answers are stored up to this length (30 steps stay well inside a document's 1 MiB). */
export const maxStoredAnswerChars = 8000;
const maxStoredCitations = 20;
/**
 * A simulation runs inside its request (the API function's limit is 300 s): no new step starts after this
 * long, and the simulation is stored as failed, saying how far it got.
 */
export const simulationBudgetMs = 240_000;

// ---------------------------------------------------------------------------------------------------
// Checks
// ---------------------------------------------------------------------------------------------------

const withoutExtension = (name: string): string =>
  name
    .trim()
    .toLowerCase()
    .replace(/\.[a-z0-9]{1,8}$/, "");

/**
 * Whether a citation is of the document `wanted` names: its id or its name, as an eval run matches expected
 * sources, or its name without the extension ("handbook" for handbook.md), as people name documents.
 */
const citesDocument = (c: CitedSource, wanted: string): boolean =>
  citesExpectedSource(c, [wanted]) || withoutExtension(c.docName) === withoutExtension(wanted);

/** Each check of `checks` against an answer, in a stable order (contain, not contain, abstain, cite). */
export function evaluateChecks(
  checks: AnswerChecks,
  answer: { content: string; abstained: boolean; citations: readonly CitedSource[] },
): CheckResult[] {
  // Matched as an eval run matches expected facts: case, spacing and citation markers aside.
  const results: CheckResult[] = [];
  for (const s of checks.mustContain ?? []) {
    const passed = containsFact(answer.content, s);
    results.push({
      kind: "mustContain",
      expected: s,
      passed,
      detail: passed ? "found" : "not in the answer",
    });
  }
  for (const s of checks.mustNotContain ?? []) {
    const found = containsFact(answer.content, s);
    results.push({
      kind: "mustNotContain",
      expected: s,
      passed: !found,
      detail: found ? "found in the answer" : "absent",
    });
  }
  if (checks.shouldAbstain !== undefined) {
    const passed = answer.abstained === checks.shouldAbstain;
    results.push({
      kind: "shouldAbstain",
      expected: checks.shouldAbstain,
      passed,
      detail: answer.abstained ? "the agent abstained" : "the agent answered",
    });
  }
  const cited = [...new Set(answer.citations.map((c) => c.docName))];
  for (const s of checks.mustCite ?? []) {
    const passed = answer.citations.some((c) => citesDocument(c, s));
    results.push({
      kind: "mustCite",
      expected: s,
      passed,
      detail: passed
        ? "cited"
        : cited.length > 0
          ? `cited instead: ${cited.join(", ")}`
          : "nothing was cited",
    });
  }
  return results;
}

/** The checks of a step that did not get an answer: listed, not passed, with why. */
function uncheckedChecks(checks: AnswerChecks, why: string): CheckResult[] {
  const out: CheckResult[] = [];
  for (const kind of ["mustContain", "mustNotContain", "mustCite"] as const)
    for (const s of checks[kind] ?? []) out.push({ kind, expected: s, passed: false, detail: why });
  if (checks.shouldAbstain !== undefined)
    out.push({ kind: "shouldAbstain", expected: checks.shouldAbstain, passed: false, detail: why });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The simulated end user
// ---------------------------------------------------------------------------------------------------

/** What the model playing the end user reads of each answer (a long answer's gist is at its start). */
const maxAnswerCharsForUser = 4000;

function endUserInstructions(endUser: z.infer<typeof endUserSchema>): string {
  return [
    "You are role-playing an end user who is chatting with an organisation's AI assistant, to test it.",
    `Who you are: ${endUser.persona}`,
    `What you want from this conversation: ${endUser.goal}`,
    "Write only the next message you, the end user, would send: plain text, in your own voice, one to three sentences. Never write the assistant's part.",
    "When your goal has been met, or it is clear the assistant cannot meet it, reply with exactly the word DONE and nothing else.",
  ].join("\n");
}

/** A reply that means the simulated user is finished: the word DONE, give or take case, quotes and a full stop. */
const isDone = (text: string): boolean => /^["'*`\s]*done[.!"'*`\s]*$/i.test(text);

interface UserTurn {
  readonly done: boolean;
  readonly message: string;
  readonly usage: { inputTokens: number; outputTokens: number };
  readonly model: string;
}

/** The model's next end-user message, from the conversation so far (its own messages are its assistant turns). */
async function nextUserMessage(
  deps: Deps,
  endUser: z.infer<typeof endUserSchema>,
  transcript: readonly { user: string; answer: string }[],
): Promise<UserTurn> {
  const messages: ChatMessage[] = [
    { role: "system", content: endUserInstructions(endUser) },
    { role: "user", content: "(The assistant is waiting for your first message.)" },
  ];
  for (const t of transcript) {
    messages.push({ role: "assistant", content: t.user });
    messages.push({ role: "user", content: t.answer.slice(0, maxAnswerCharsForUser) });
  }
  const result = await deps.chat.complete({ messages, temperature: 0.7, maxOutputTokens: 400 });
  const text = result.content.trim();
  const base = { usage: result.usage, model: result.model || deps.chat.info.model };
  if (isDone(text)) return { done: true, message: "", ...base };
  if (text === "") {
    throw new AppError("unavailable", "The model playing the end user returned an empty message");
  }
  // A model that rambles past a message's limit is cut there, as a channel would refuse the rest.
  return { done: false, message: text.slice(0, maxMessageChars), ...base };
}

// ---------------------------------------------------------------------------------------------------
// Running
// ---------------------------------------------------------------------------------------------------

const cut = (text: string): { answer: string; answerTruncated: boolean } =>
  text.length > maxStoredAnswerChars
    ? { answer: text.slice(0, maxStoredAnswerChars), answerTruncated: true }
    : { answer: text, answerTruncated: false };

/** One turn of the simulation, run and checked; a turn that fails comes back as a failed step, never thrown. */
async function runStep(
  deps: Deps,
  tenantId: string,
  conversationId: string,
  index: number,
  user: { text: string; from: SimulationStep["userFrom"] },
  checks: AnswerChecks,
): Promise<{
  step: SimulationStep;
  usage: { inputTokens: number; outputTokens: number };
  /** The error of a turn refused before it started (no trace was written). */
  refused: AppError | null;
}> {
  const base = { index, user: user.text, userFrom: user.from };
  try {
    const answer = await sendMessage(
      deps,
      tenantId,
      conversationId,
      { content: user.text },
      { sandbox: true },
    );
    const trace = answer.traceId ? await getTrace(deps, tenantId, answer.traceId) : null;
    const citations = citedSources(answer.citations).slice(0, maxStoredCitations);
    const results = evaluateChecks(checks, {
      content: answer.content,
      abstained: answer.abstained,
      citations,
    });
    return {
      step: {
        ...base,
        status: trace?.status ?? (answer.abstained ? "abstained" : "answered"),
        ...cut(answer.content),
        traceId: answer.traceId,
        confidence: answer.confidence,
        abstained: answer.abstained,
        citations,
        checks: results,
        passed: results.every((r) => r.passed),
        error: null,
        ms: trace?.timingsMs.total ?? null,
      },
      usage: answer.usage ?? { inputTokens: 0, outputTokens: 0 },
      refused: null,
    };
  } catch (e) {
    const failure = toAppError(e);
    const traceId = (failure.details as { traceId?: unknown } | undefined)?.traceId;
    return {
      step: {
        ...base,
        status: "failed",
        answer: null,
        answerTruncated: false,
        traceId: typeof traceId === "string" ? traceId : null,
        confidence: null,
        abstained: false,
        citations: [],
        checks: uncheckedChecks(checks, "not checked: the turn failed"),
        passed: false,
        error: { code: failure.code, message: failure.message },
        ms: null,
      },
      usage: { inputTokens: 0, outputTokens: 0 },
      refused: typeof traceId === "string" ? null : failure,
    };
  }
}

/** A scripted step the simulation never reached. */
const notRun = (index: number, step: z.infer<typeof scriptedStepSchema>): SimulationStep => ({
  index,
  user: step.message,
  userFrom: "script",
  status: "not-run",
  answer: null,
  answerTruncated: false,
  traceId: null,
  confidence: null,
  abstained: false,
  citations: [],
  checks: uncheckedChecks(step.checks, "not checked: the simulation stopped before this step"),
  passed: false,
  error: null,
  ms: null,
});

/**
 * Runs a scenario against an agent version as sandbox turns and stores the simulation. Refused before
 * anything runs (nothing stored) for another workspace's agent (404), an agent that cannot answer
 * (archived, paused, a missing version), a model-driven end user without a model provider, and a workspace
 * without credits.
 */
export async function runSimulation(
  deps: Deps,
  caller: Caller,
  raw: SimulationInput,
): Promise<SimulationView> {
  const input = validate(simulationInput, raw, "simulation");
  const tenantId = caller.tenantId;
  if (input.endUser && !hasGenerativeModel(deps)) {
    throw new AppError(
      "failed-precondition",
      "A model-driven end user needs a model provider (set OPENAI_API_KEY, and OPENAI_BASE_URL for another " +
        "OpenAI-compatible server): the built-in extractive model only quotes passages and cannot play a user. " +
        "Scripted steps run without one.",
    );
  }
  const target = await resolveTarget(deps, tenantId, input.agentId, input.version);
  const id = deps.ids.newId();
  const startedAt = deps.clock.nowIso();
  const startedMs = deps.clock.now().getTime();
  const started = performance.now();
  const conversation = await startConversation(deps, tenantId, target.agentId, {
    channel: "api",
    version: target.version,
    startedBy: caller.uid,
    sandbox: true,
  });

  const steps: SimulationStep[] = [];
  const usage = { inputTokens: 0, outputTokens: 0 };
  let endedBy: Simulation["endedBy"] = "script-end";
  let error: Simulation["error"] = null;
  let userModel: Simulation["userModel"] = null;
  const outOfTime = () => deps.clock.now().getTime() - startedMs >= simulationBudgetMs;
  const stopForTime = (): void => {
    endedBy = "time-budget";
    error = {
      code: "deadline-exceeded",
      message: `The simulation ran out of time after ${steps.length} step(s): a simulation has ${simulationBudgetMs / 1000} s`,
    };
  };
  const record = async (
    index: number,
    text: string,
    from: SimulationStep["userFrom"],
    checks: AnswerChecks,
  ) => {
    const ran = await runStep(deps, tenantId, conversation.id, index, { text, from }, checks);
    // A first turn refused before it started (no credits, the agent archived meanwhile): nothing ran.
    if (steps.length === 0 && ran.refused) {
      await deps.store
        .deleteRecursive(conversationPath(tenantId, conversation.id))
        .catch((err: unknown) => log.warn("could not remove a refused simulation's conversation", { err }));
      throw ran.refused;
    }
    steps.push(ran.step);
    usage.inputTokens += ran.usage.inputTokens;
    usage.outputTokens += ran.usage.outputTokens;
    return ran.step;
  };

  if (input.steps) {
    endedBy = "script-end";
    for (const [index, step] of input.steps.entries()) {
      if (outOfTime()) {
        stopForTime();
        break;
      }
      const done = await record(index, step.message, "script", step.checks);
      if (done.status === "failed") {
        endedBy = "turn-failed";
        error = done.error;
        break;
      }
    }
    for (let i = steps.length; i < input.steps.length; i++)
      steps.push(notRun(i, input.steps[i] as z.infer<typeof scriptedStepSchema>));
  } else {
    const endUser = input.endUser as z.infer<typeof endUserSchema>;
    const every = input.checks?.everyAnswer ?? {};
    const used = {
      provider: deps.chat.info.provider,
      model: deps.chat.info.model,
      calls: 0,
      inputTokens: 0,
      outputTokens: 0,
    };
    userModel = used;
    const transcript: { user: string; answer: string }[] = [];
    endedBy = "max-turns";
    for (let index = 0; index < endUser.maxTurns; index++) {
      if (outOfTime()) {
        stopForTime();
        break;
      }
      let text: string;
      let from: SimulationStep["userFrom"];
      if (index === 0 && endUser.openingMessage) {
        text = endUser.openingMessage;
        from = "script";
      } else {
        let next: UserTurn;
        try {
          next = await nextUserMessage(deps, endUser, transcript);
        } catch (e) {
          const failure = toAppError(e);
          endedBy = "user-model-failed";
          error = {
            code: failure.code,
            message: `The model playing the end user failed: ${failure.message}`,
          };
          break;
        }
        used.calls++;
        used.model = next.model;
        used.inputTokens += next.usage.inputTokens;
        used.outputTokens += next.usage.outputTokens;
        // The simulated user's tokens are the workspace's Sandbox usage, like the agent's turns it drives.
        await meterModelCall(deps.store, tenantId, deps.ids.newId(), {
          purpose: "simulated-user",
          agentId: target.agentId,
          source: `simulation:${id}`,
          model: `${deps.chat.info.provider}/${next.model}`,
          inputTokens: next.usage.inputTokens,
          outputTokens: next.usage.outputTokens,
          at: deps.clock.nowIso(),
        }).catch((e: unknown) =>
          log.error("could not meter the simulated end user's call", { err: e, tenantId, simulationId: id }),
        );
        if (next.done) {
          endedBy = "user-done";
          break;
        }
        text = next.message;
        from = "model";
      }
      const done = await record(index, text, from, every);
      if (done.status === "failed") {
        endedBy = "turn-failed";
        error = done.error;
        break;
      }
      transcript.push({ user: text, answer: done.answer ?? "" });
    }
    // The last answer's own checks join its every-answer ones.
    const last = steps.at(-1);
    if (last && input.checks?.lastAnswer && last.status !== "failed") {
      const extra = evaluateChecks(input.checks.lastAnswer, {
        content: last.answer ?? "",
        abstained: last.abstained,
        citations: last.citations,
      });
      last.checks = [...last.checks, ...extra];
      last.passed = last.checks.every((c) => c.passed);
    }
  }

  if (steps.length === 0 && error === null) {
    // The simulated user was done before saying anything: nothing was tested, which is not a pass.
    error = {
      code: "failed-precondition",
      message: "The simulated end user ended the conversation before sending a message",
    };
  }
  const ran = steps.filter((s) => s.status !== "not-run");
  const allChecks = steps.flatMap((s) => s.checks);
  const status: Simulation["status"] = error ? "failed" : "completed";
  const simulation: Simulation = {
    name: input.name ?? `Simulation of ${target.agentId}`,
    agentId: target.agentId,
    version: target.version,
    mode: input.steps ? "scripted" : "model-driven",
    scenario: {
      ...(input.steps ? { steps: input.steps } : {}),
      ...(input.endUser ? { endUser: input.endUser } : {}),
      ...(input.checks ? { checks: input.checks } : {}),
    },
    status,
    passed: status === "completed" && steps.every((s) => s.passed),
    endedBy,
    error,
    conversationId: conversation.id,
    steps,
    summary: {
      stepsRun: ran.length,
      stepsPassed: steps.filter((s) => s.passed).length,
      checks: allChecks.length,
      checksPassed: allChecks.filter((c) => c.passed).length,
    },
    usage,
    userModel,
    startedAt,
    finishedAt: deps.clock.nowIso(),
    durationMs: Math.round(performance.now() - started),
    by: caller.uid,
    createdAt: startedAt,
  };
  await deps.store.create(simulationPath(tenantId, id), simulation);
  log.info("simulation", {
    tenantId,
    simulationId: id,
    status,
    passed: simulation.passed,
    steps: ran.length,
  });
  return { id, ...simulation };
}

export async function getSimulation(
  deps: Deps,
  tenantId: string,
  simulationId: string,
): Promise<SimulationView> {
  const snap = await deps.store.get(simulationPath(tenantId, simulationId));
  if (!snap) throw new AppError("not-found", `Simulation ${simulationId} not found`);
  return { id: snap.id, ...simulationSchema.parse(snap.data) };
}

export const simulationListQuery = recordPageQuery.extend({ agentId: idSchema.optional() }).strict();

/** What a listing of simulations asks for: the validated query string as a collection, filters and a page. */
export function simulationListing(tenantId: string, query: Record<string, string>) {
  const q = validate(simulationListQuery, query, "query parameter");
  const where: Filter[] = q.agentId ? [{ field: "agentId", op: "==", value: q.agentId }] : [];
  return { collection: simulationsPath(tenantId), where, page: q };
}

/** The workspace's simulations, newest first; of one agent when `agentId` is given. */
export async function listSimulations(
  deps: Deps,
  tenantId: string,
  query: Record<string, string>,
): Promise<{ simulations: SimulationView[]; nextCursor: string | null }> {
  const { collection, where, page } = simulationListing(tenantId, query);
  const { items, nextCursor } = await pageOfRecords(deps.store, collection, where, page, (s) => ({
    id: s.id,
    ...simulationSchema.parse(s.data),
  }));
  return { simulations: items, nextCursor };
}
