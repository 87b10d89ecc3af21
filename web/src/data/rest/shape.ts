/**
 * Checking the platform's answers at the edge: parsers read fields with `field`/`optional`/`record`, which
 * throw a `ShapeError` naming what was wrong, and `parseWith` turns that into a request error that names
 * the request ("GET /v1/agents answered with something that is not a list of agents (status)"). Screens can
 * then trust every field they show.
 */
import { isRecord, PlatformRequestError } from "../platform";

/** Thrown inside parsers; `parseWith` reports it as an unexpected answer naming the field. */
export class ShapeError extends Error {}

export const isString = (v: unknown): v is string => typeof v === "string";
export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);
export const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
export const isCount = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v) && v >= 0;
export const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every(isString);
export const isNullableNumber = (v: unknown): v is number | null => v === null || isNumber(v);
export const isNullableString = (v: unknown): v is string | null => v === null || isString(v);
export const isInstant = (v: unknown): v is string => isString(v) && !Number.isNaN(Date.parse(v));
export const isNullableInstant = (v: unknown): v is string | null => v === null || isInstant(v);

/** A check for one of `allowed` (an enum's values, as the platform spells them). */
export function isOneOf<T extends string>(allowed: readonly T[]): (v: unknown) => v is T {
  return (v: unknown): v is T => isString(v) && (allowed as readonly string[]).includes(v);
}

/** An http(s) address: a link the studio may send someone to. */
export const isWebAddress = (v: unknown): v is string => {
  if (!isString(v)) return false;
  try {
    const { protocol } = new URL(v);
    return protocol === "https:" || protocol === "http:";
  } catch {
    return false;
  }
};

/** A required field that passes `check`. */
export function field<T>(record: Record<string, unknown>, key: string, check: (v: unknown) => v is T): T {
  const value = record[key];
  if (!check(value)) throw new ShapeError(key);
  return value;
}

/** An optional field: absent (or null) is `fallback`, anything else must pass `check`. */
export function optional<T, F>(
  record: Record<string, unknown>,
  key: string,
  check: (v: unknown) => v is T,
  fallback: F,
): T | F {
  const value = record[key];
  if (value === undefined || value === null) return fallback;
  if (!check(value)) throw new ShapeError(key);
  return value;
}

/** A value that must be a JSON object; `what` names it in the error. */
export function record(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value)) throw new ShapeError(what);
  return value;
}

/** Runs a part's parser, naming the part in what it finds wrong (`account.balanceMicros`). */
export function within<T>(where: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ShapeError) throw new ShapeError(`${where}.${error.message}`);
    throw error;
  }
}

/** The array under `key` of a response body. */
export function list(body: unknown, key: string): unknown[] {
  return field(record(body, "body"), key, Array.isArray);
}

/**
 * Runs a parser over an answer to `request` ("GET /v1/agents"); a shape it does not expect becomes an
 * "invalid response" naming the request, `what` was expected and the field.
 */
export function parseWith<T>(parse: () => T, request: string, path: string, what: string): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ShapeError)) throw error;
    throw new PlatformRequestError(
      "invalid-response",
      path,
      `${request} answered with something that is not ${what} (${error.message}).`,
    );
  }
}

/** What a POST that creates something answers: the new record's id. */
export function parseCreatedId(body: unknown, path: string): { id: string } {
  return parseWith(
    () => ({ id: field(record(body, "body"), "id", isString) }),
    `POST ${path}`,
    path,
    "an id",
  );
}

/** A nested object under `key`, read by `read`; what it finds wrong is named with the key (`latencyMs.p50`). */
export function nested<T>(
  parent: Record<string, unknown>,
  key: string,
  read: (value: Record<string, unknown>) => T,
): T {
  const value = record(parent[key], key);
  return within(key, () => read(value));
}
