/**
 * One structured logger. Each line is a JSON object Cloud Logging understands (`severity`, `message`),
 * carrying the request id of the request, trigger or task it runs under, so one id follows a request
 * through the API, its storage trigger and its queued tasks.
 *
 * Logs leave the tenant's data boundary (Cloud Logging is read by operators), so every string in a line
 * (message, fields, context, error messages and stacks) passes through the accountability layer's PII and
 * secret redaction first. Strings without a digit, "@" or a key-like word skip the scan after one test.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { redactDeep, redactPii } from "./redact.js";

export type Severity = "DEBUG" | "INFO" | "WARNING" | "ERROR";

interface LogContext {
  readonly requestId: string;
  readonly [key: string]: unknown;
}

const context = new AsyncLocalStorage<LogContext>();

export function withLogContext<R>(ctx: LogContext, fn: () => R): R {
  return context.run({ ...context.getStore(), ...ctx }, fn);
}

export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

const order: Record<Severity, number> = { DEBUG: 10, INFO: 20, WARNING: 30, ERROR: 40 };

function threshold(): number {
  const level = (process.env.LOG_LEVEL ?? "INFO").toUpperCase() as Severity;
  return order[level] ?? order.INFO;
}

let sink: (line: string, severity: Severity) => void = (line, severity) => {
  if (severity === "ERROR" || severity === "WARNING") process.stderr.write(line + "\n");
  else process.stdout.write(line + "\n");
};

/** Tests capture log lines through this. */
export function setLogSink(next: typeof sink): typeof sink {
  const previous = sink;
  sink = next;
  return previous;
}

function errorFields(e: unknown): Record<string, unknown> {
  if (e instanceof Error) return { error: { name: e.name, message: e.message, stack: e.stack } };
  return { error: String(e) };
}

function write(severity: Severity, text: string, fields?: Record<string, unknown>): void {
  if (order[severity] < threshold()) return;
  const message = redactPii(text).text;
  const base = context.getStore();
  const time = new Date().toISOString();
  const entry: Record<string, unknown> = { severity, message, time };
  if (base) for (const [k, v] of Object.entries(base)) entry[k] = redactDeep(v);
  if (fields) {
    for (const [k, v] of Object.entries(fields))
      entry[k] = redactDeep(k === "err" ? errorFields(v).error : v);
  }
  let line: string;
  try {
    line = JSON.stringify(entry);
  } catch {
    line = JSON.stringify({ severity, message, time, note: "fields were not serializable" });
  }
  sink(line, severity);
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => write("DEBUG", message, fields),
  info: (message: string, fields?: Record<string, unknown>) => write("INFO", message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => write("WARNING", message, fields),
  error: (message: string, fields?: Record<string, unknown>) => write("ERROR", message, fields),
};
