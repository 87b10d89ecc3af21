/**
 * How e2e tests are declared: each one skips itself, with the reason, when Chromium is missing (so a run
 * without a browser says so instead of passing), and a step of a sequential flow does not run once an
 * earlier step failed (it reports itself skipped, naming that step).
 */
import { inject, it, type TestContext } from "vitest";
import type { PlatformInfo } from "./platform";

const skipReason = inject("skipReason");
const injected = inject("platform");

/** Whether the suite runs at all (Chromium present); hooks use it to skip launching anything. */
export const runnable = skipReason === null;

export function platform(): PlatformInfo {
  if (!injected) throw new Error("the e2e platform is not running");
  return injected;
}

/** A JSON call to the running platform's API with the demo owner's key, for checks made outside the browser. */
export async function api<T>(method: string, pathname: string, body?: unknown): Promise<T> {
  const { url, apiKey } = platform();
  const response = await fetch(`${url}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${pathname}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** An e2e test: skipped with the reason when Chromium is missing. */
export function e2eIt(name: string, fn: (context: TestContext) => Promise<void>, timeout?: number): void {
  it(
    name,
    async (context) => {
      if (skipReason !== null) context.skip(skipReason);
      await fn(context);
    },
    timeout,
  );
}

/** Steps of one flow, in order, sharing a page: a step after a failed one is skipped and names it. */
export function flowSteps() {
  let failed: string | undefined;
  return (name: string, fn: (context: TestContext) => Promise<void>, timeout?: number) =>
    e2eIt(
      name,
      async (context) => {
        if (failed !== undefined) context.skip(`not run: the earlier step "${failed}" failed`);
        try {
          await fn(context);
        } catch (e) {
          failed = name;
          throw e;
        }
      },
      timeout,
    );
}
