/**
 * An OpenAPI import (openapi/import.ts) as a tool set's draft: each importable operation becomes a tool whose
 * request the executor can make, every other one is listed with why. Tools start switched off unless asked
 * for (`enable`): an editor picks what an agent may call, reads first.
 */
import { validatorFor } from "../platform/json-schema.js";
import type { ImportedTool, OpenApiImport } from "./openapi/schema.js";
import type { ArgumentPlacement, HttpOperation, ToolDefinition } from "./schema.js";

/** Which imported tools start enabled: none, the reads, all, or those named or tagged so. */
export type EnableChoice = "none" | "read" | "all" | readonly string[];

export interface SkippedOperation {
  readonly operation: string;
  readonly reason: string;
}

const methods = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

class NotATool extends Error {}

function operationOf(tool: ImportedTool): HttpOperation {
  const request = tool.request;
  if (!methods.has(request.method))
    throw new NotATool(`${request.method} operations are not called as tools`);
  const args: Record<string, ArgumentPlacement> = {};
  let whole = false;
  for (const [name, target] of Object.entries(request.arguments)) {
    switch (target.in) {
      case "path":
        if (target.style !== "simple")
          throw new NotATool(`path parameters in the ${target.style} style are not supported`);
        args[name] = { in: "path", name: target.name, style: "form", explode: true };
        break;
      case "query":
        args[name] = { in: "query", name: target.name, style: target.style, explode: target.explode };
        break;
      case "header":
      case "cookie":
        args[name] = { in: target.in, name: target.name, style: "form", explode: true };
        break;
      case "body":
        if (target.property === null) whole = true;
        args[name] = { in: "body", name: target.property ?? name, style: "form", explode: true };
        break;
    }
  }
  return {
    method: request.method as HttpOperation["method"],
    path: request.path,
    arguments: args,
    body: request.body
      ? {
          contentType: request.body.contentType,
          encoding: request.body.encoding,
          mode: whole ? "whole" : "properties",
        }
      : null,
  };
}

const enabledBy = (choice: EnableChoice, tool: ImportedTool): boolean =>
  choice === "all"
    ? true
    : choice === "read"
      ? tool.sideEffect === "read"
      : choice === "none"
        ? false
        : choice.includes(tool.name) || tool.tags.some((tag) => choice.includes(tag));

/** The tools an import yields, and the operations it cannot call, each with its reason. */
export function toolsFromImport(
  imported: OpenApiImport,
  enable: EnableChoice = "none",
): { tools: ToolDefinition[]; skipped: SkippedOperation[] } {
  const tools: ToolDefinition[] = [];
  const skipped: SkippedOperation[] = [];
  for (const op of imported.operations) {
    const label = `${op.method} ${op.path}`;
    if (op.problem !== null) {
      skipped.push({ operation: label, reason: op.problem });
      continue;
    }
    try {
      const operation = operationOf(op);
      try {
        validatorFor(op.parameters);
      } catch (e) {
        throw new NotATool(`its argument schema cannot be checked by the platform (${(e as Error).message})`);
      }
      tools.push({
        name: op.name,
        description: op.description,
        parameters: op.parameters,
        sideEffect: op.sideEffect,
        tags: [...new Set(op.tags.map((tag) => tag.slice(0, 200)))],
        enabled: enabledBy(enable, op),
        timeoutMs: 10_000,
        operation,
        limits: [],
        select: null,
      });
    } catch (e) {
      if (!(e instanceof NotATool)) throw e;
      skipped.push({ operation: label, reason: e.message });
    }
  }
  return { tools, skipped };
}

/** The document's first absolute http(s) server URL, if it has one. */
export function serverOf(imported: OpenApiImport): string | null {
  for (const server of imported.servers) {
    try {
      const url = new URL(server);
      if (url.protocol === "https:" || url.protocol === "http:") return url.href.replace(/\/+$/, "");
    } catch {
      // a relative server URL: the caller must name the base URL
    }
  }
  return null;
}
