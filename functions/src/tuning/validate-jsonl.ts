/**
 * Validates a file in OpenAI's fine-tuning chat format, line by line, before anything is uploaded: a provider
 * checks the file only after the job is created, and then says little about where the problem is.
 *
 * The rules, as OpenAI documents the format (the fine-tuning guide and API reference, "chat input", and the
 * cookbook notebook "Data preparation and analysis for chat model fine-tuning", which checks the same things):
 * - The file is UTF-8 JSON Lines: one JSON object per line, no blank lines between them. A training file holds
 *   at least 10 examples (OpenAI's stated minimum); a validation file has no minimum. Files are uploaded through
 *   the Files API, which takes at most 512 MB per file.
 * - Each object has a `messages` array (and may have `tools` and `parallel_tool_calls` for function-calling
 *   examples); nothing else.
 * - Each message has a `role` of system, user, assistant or tool (the older `function` role is deprecated), and
 *   only the keys the format knows: `content`, `name`, `weight` (assistant only), `tool_calls` (assistant) and
 *   `tool_call_id` (tool).
 * - `content` is a string and not blank; an assistant message that calls tools may have none. (The format also
 *   takes arrays of content parts for images; exports never hold images, so this validator refuses them.)
 * - At least one assistant message, and the example ends with one: what follows the last assistant message would
 *   be context with nothing to learn from it. `weight` is 0 or 1: 0 keeps an assistant message as context without
 *   training on it, and an example whose every assistant message has weight 0 teaches nothing.
 * - An example longer than the model's training context is cut in training: a warning, with the estimate, when
 *   a token counter is given. A system message anywhere but first is allowed but unusual: a warning.
 */
import type { ValidationIssue, ValidationReport } from "./schema.js";
import { chatExampleTokens, maxTrainingExampleTokens, type CountTokens } from "./tokens.js";

/** OpenAI's minimum number of examples in a training file. */
export const minTrainingExamples = 10;
/** The Files API's largest upload. */
export const maxFileBytes = 512 * 1024 * 1024;
/** A line longer than this is refused without parsing it (an example within any model's context is far shorter). */
export const maxLineBytes = 4 * 1024 * 1024;
/** The first problems of each severity are reported; the totals count them all. */
export const maxReportedIssues = 50;

export interface ValidateOptions {
  /** A training file must hold `minExamples` examples; a validation file need not. Default training. */
  readonly purpose?: "training" | "validation";
  /** Default 10 (OpenAI's minimum). */
  readonly minExamples?: number;
  /** Whether too few examples is an error (default) or only a warning (an export too small to train on yet). */
  readonly minExamplesSeverity?: "error" | "warning";
  /** Refused above this many examples (default: none). */
  readonly maxExamples?: number;
  /** Counts tokens, for the example-length warning. */
  readonly countTokens?: CountTokens;
  /** Default the longest training context of the models in the price table (65,536). */
  readonly maxExampleTokens?: number;
}

const topLevelKeys = new Set(["messages", "tools", "parallel_tool_calls"]);
const roles = new Set(["system", "user", "assistant", "tool"]);
const messageKeys: Record<string, ReadonlySet<string>> = {
  system: new Set(["role", "content", "name"]),
  user: new Set(["role", "content", "name"]),
  assistant: new Set(["role", "content", "name", "weight", "tool_calls"]),
  tool: new Set(["role", "content", "tool_call_id"]),
};

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

class Issues {
  readonly errors: ValidationIssue[] = [];
  readonly warnings: ValidationIssue[] = [];
  errorCount = 0;
  warningCount = 0;
  error(line: number, code: string, message: string): void {
    this.errorCount++;
    if (this.errors.length < maxReportedIssues) this.errors.push({ line, code, message });
  }
  warning(line: number, code: string, message: string): void {
    this.warningCount++;
    if (this.warnings.length < maxReportedIssues) this.warnings.push({ line, code, message });
  }
}

function checkToolCalls(value: unknown, line: number, at: string, issues: Issues): void {
  if (!Array.isArray(value) || value.length === 0) {
    issues.error(line, "invalid-tool-calls", `${at}: tool_calls must be a non-empty array`);
    return;
  }
  value.forEach((call: unknown, i) => {
    const fn = isObject(call) ? call.function : undefined;
    if (
      !isObject(call) ||
      typeof call.id !== "string" ||
      call.type !== "function" ||
      !isObject(fn) ||
      typeof fn.name !== "string" ||
      typeof fn.arguments !== "string"
    ) {
      issues.error(
        line,
        "invalid-tool-calls",
        `${at}: tool_calls[${i}] must be {id, type: "function", function: {name, arguments}} with string values`,
      );
    }
  });
}

/** Checks one example (a parsed line); returns whether it is valid. */
function checkExample(example: unknown, line: number, issues: Issues, options: ValidateOptions): boolean {
  const before = issues.errorCount;
  if (!isObject(example)) {
    issues.error(line, "not-an-object", "each line must be a JSON object with a messages array");
    return false;
  }
  for (const key of Object.keys(example)) {
    if (!topLevelKeys.has(key)) {
      issues.error(
        line,
        "unknown-key",
        `unknown key "${key.slice(0, 40)}": an example holds messages (and tools)`,
      );
    }
  }
  const messages = example.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    issues.error(line, "missing-messages", "messages must be a non-empty array");
    return false;
  }
  let assistants = 0;
  let trained = 0;
  messages.forEach((message: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isObject(message)) {
      issues.error(line, "message-not-an-object", `${at} must be an object with a role and content`);
      return;
    }
    const role = message.role;
    if (typeof role !== "string" || !roles.has(role)) {
      const said = typeof role === "string" ? `"${role.slice(0, 20)}"` : "missing";
      const hint = role === "function" ? " (the function role is deprecated: use tool)" : "";
      issues.error(
        line,
        "invalid-role",
        `${at}: role is ${said}; it must be system, user, assistant or tool${hint}`,
      );
      return;
    }
    const allowed = messageKeys[role] as ReadonlySet<string>;
    for (const key of Object.keys(message)) {
      if (!allowed.has(key)) {
        issues.error(
          line,
          "message-unknown-key",
          `${at}: a ${role} message has no "${key.slice(0, 40)}" key`,
        );
      }
    }
    const callsTools = role === "assistant" && message.tool_calls !== undefined;
    if (callsTools) checkToolCalls(message.tool_calls, line, at, issues);
    const content = message.content;
    if (content === undefined || content === null) {
      if (!callsTools) issues.error(line, "missing-content", `${at}: content is missing`);
    } else if (typeof content !== "string") {
      issues.error(line, "content-not-a-string", `${at}: content must be a string (text only)`);
    } else if (content.trim() === "" && !callsTools) {
      issues.error(line, "empty-content", `${at}: content is empty`);
    }
    if (message.name !== undefined && (typeof message.name !== "string" || message.name === "")) {
      issues.error(line, "invalid-name", `${at}: name must be a non-empty string`);
    }
    if (role === "tool" && (typeof message.tool_call_id !== "string" || message.tool_call_id === "")) {
      issues.error(line, "missing-tool-call-id", `${at}: a tool message needs the tool_call_id it answers`);
    }
    if (role === "system" && i > 0) {
      issues.warning(line, "system-not-first", `${at}: a system message usually comes first`);
    }
    if (role === "assistant") {
      assistants++;
      const weight = message.weight;
      if (weight !== undefined && weight !== 0 && weight !== 1) {
        issues.error(line, "invalid-weight", `${at}: weight must be 0 or 1`);
      }
      if (weight !== 0) trained++;
    }
  });
  const last: unknown = messages[messages.length - 1];
  if (assistants === 0) {
    issues.error(
      line,
      "no-assistant-message",
      "an example needs at least one assistant message to learn from",
    );
  } else if (!isObject(last) || last.role !== "assistant") {
    issues.error(
      line,
      "last-not-assistant",
      "the last message must be the assistant's (the answer to learn)",
    );
  } else if (trained === 0) {
    issues.error(line, "nothing-to-train", "every assistant message has weight 0: nothing to learn from");
  }
  if (issues.errorCount > before) return false;
  if (options.countTokens) {
    const limit = options.maxExampleTokens ?? maxTrainingExampleTokens;
    const tokens = chatExampleTokens(
      messages as { role: string; content?: string | null }[],
      options.countTokens,
    );
    if (tokens > limit) {
      issues.warning(
        line,
        "example-too-long",
        `about ${tokens.toLocaleString("en")} tokens: longer than the ${limit.toLocaleString("en")} a model trains on, so it will be cut`,
      );
    }
  }
  return true;
}

/**
 * Validates a fine-tuning file (text, or bytes that must be UTF-8). Line numbers are 1-based; issues about the
 * file as a whole are on line 0.
 */
export function validateFineTuningJsonl(
  file: string | Uint8Array,
  options: ValidateOptions = {},
): ValidationReport {
  const issues = new Issues();
  const report = (examples: number): ValidationReport => ({
    valid: issues.errorCount === 0,
    examples,
    errors: issues.errors,
    warnings: issues.warnings,
    errorCount: issues.errorCount,
    warningCount: issues.warningCount,
  });
  const bytes = typeof file === "string" ? Buffer.byteLength(file, "utf8") : file.byteLength;
  if (bytes > maxFileBytes) {
    issues.error(
      0,
      "file-too-large",
      `the file is ${bytes.toLocaleString("en")} bytes; uploads take at most 512 MB`,
    );
    return report(0);
  }
  let text: string;
  if (typeof file === "string") text = file;
  else {
    try {
      text = new TextDecoder("utf-8", { fatal: true }).decode(file);
    } catch {
      issues.error(0, "not-utf8", "the file is not valid UTF-8");
      return report(0);
    }
  }
  if (text.startsWith("\uFEFF")) {
    issues.error(
      1,
      "byte-order-mark",
      "the file starts with a byte-order mark; save it as UTF-8 without one",
    );
    text = text.slice(1);
  }
  const lines = text.split("\n");
  // One newline at the very end is how JSON Lines files end; it adds no line.
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  let examples = 0;
  const seen = new Map<string, number>();
  lines.forEach((raw, index) => {
    const line = index + 1;
    const content = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
    if (content.trim() === "") {
      issues.error(line, "blank-line", "blank line: each line must hold one example");
      return;
    }
    examples++;
    if (Buffer.byteLength(content, "utf8") > maxLineBytes) {
      issues.error(line, "line-too-long", `the line is longer than ${maxLineBytes / (1024 * 1024)} MB`);
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch (e) {
      const why = e instanceof SyntaxError ? e.message.slice(0, 120) : "unreadable";
      issues.error(line, "invalid-json", `not valid JSON (${why})`);
      return;
    }
    if (checkExample(parsed, line, issues, options)) {
      const earlier = seen.get(content);
      if (earlier !== undefined) {
        issues.warning(
          line,
          "duplicate-example",
          `the same example as line ${earlier}: it is trained on twice`,
        );
      } else seen.set(content, line);
    }
  });
  const purpose = options.purpose ?? "training";
  // An empty validation file is no file: nothing is uploaded for it.
  if (examples === 0) {
    if (purpose === "training") issues.error(0, "empty-file", "the file holds no examples");
    return report(0);
  }
  const min = options.minExamples ?? minTrainingExamples;
  if (purpose === "training" && examples < min) {
    const message = `${examples} example${examples === 1 ? "" : "s"}: a training file needs at least ${min}`;
    if ((options.minExamplesSeverity ?? "error") === "error") issues.error(0, "too-few-examples", message);
    else issues.warning(0, "too-few-examples", message);
  }
  if (options.maxExamples !== undefined && examples > options.maxExamples) {
    issues.error(0, "too-many-examples", `${examples} examples: at most ${options.maxExamples} are accepted`);
  }
  return report(examples);
}
