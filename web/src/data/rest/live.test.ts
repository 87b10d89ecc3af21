import { waitFor } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { errorResponse, eventStreamResponse, jsonResponse, stubPlatform } from "../../test/platformFetch";
import { signInAs } from "../../test/session";
import { reconnectDelayMs, type Watch } from "../live";
import { isRecord, type PlatformRequestError } from "../platform";
import { watchOverRest } from "./live";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

const parseCount = (body: unknown): number => {
  if (!isRecord(body) || typeof body.count !== "number") throw new Error("not a count");
  return body.count;
};

/** Collects what a watch delivers. */
function collect<T>(watch: Watch<T>) {
  const values: T[] = [];
  const errors: PlatformRequestError[] = [];
  const stop = watch({ next: (v) => values.push(v), error: (e) => errors.push(e) });
  return { values, errors, stop };
}

describe("watchOverRest", () => {
  it("asks for events with the session's token and delivers each snapshot", async () => {
    const stream = eventStreamResponse();
    const platform = stubPlatform({ "GET /v1/things": () => stream.response });
    const { values, stop } = collect(watchOverRest("/v1/things", parseCount));

    await waitFor(() => expect(platform.requests).toHaveLength(1));
    expect(platform.requests[0]?.authorization).toBe("Bearer als_ann_acme.signature");
    stream.send("snapshot", { count: 1 });
    stream.send("ping", {});
    stream.send("snapshot", { count: 2 });
    await waitFor(() => expect(values).toEqual([1, 2]));
    stop();
  });

  it("reconnects after the server ends the stream and reports a snapshot it cannot read", async () => {
    const first = eventStreamResponse();
    const second = eventStreamResponse();
    const answers = [first.response, second.response];
    const platform = stubPlatform({ "GET /v1/things": () => answers.shift() ?? jsonResponse({ count: 0 }) });
    const { values, errors, stop } = collect(watchOverRest("/v1/things", parseCount));

    await waitFor(() => expect(platform.requests).toHaveLength(1));
    first.send("snapshot", { count: 1 });
    first.send("snapshot", { nonsense: true });
    await waitFor(() => expect(errors).toHaveLength(1));
    first.close();
    // The first reconnect waits one second.
    await waitFor(() => expect(platform.requests).toHaveLength(2), { timeout: 4000 });
    second.send("snapshot", { count: 5 });
    await waitFor(() => expect(values).toEqual([1, 5]));
    stop();
  });

  it("polls a platform that answers plain JSON", async () => {
    let count = 0;
    const platform = stubPlatform({ "GET /v1/things": () => jsonResponse({ count: ++count }) });
    const { values, stop } = collect(watchOverRest("/v1/things", parseCount, { pollMs: 20 }));
    await waitFor(() => expect(values.slice(0, 3)).toEqual([1, 2, 3]));
    stop();
    const asked = platform.requests.length;
    await new Promise((r) => setTimeout(r, 60));
    expect(platform.requests.length).toBe(asked);
  });

  it("stops on a refusal instead of asking again", async () => {
    const platform = stubPlatform({
      "GET /v1/things": () => errorResponse(404, "not-found", "Knowledge base not found"),
    });
    const { errors, stop } = collect(watchOverRest("/v1/things", parseCount, { pollMs: 10 }));
    await waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]?.status).toBe(404);
    await new Promise((r) => setTimeout(r, 50));
    expect(platform.requests).toHaveLength(1);
    stop();
  });

  it("backs off from 1 s up to 30 s", () => {
    expect([1, 2, 3, 6, 20].map(reconnectDelayMs)).toEqual([1000, 2000, 4000, 30_000, 30_000]);
  });
});
