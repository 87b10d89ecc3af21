import { describe, expect, it } from "vitest";
import { createWidgetApi, retryAfterSeconds, WidgetError } from "./api";
import {
  acmeConfig,
  answerStream,
  apiOrigin,
  errorBody,
  fakePlatform,
  hiddenByCors,
  frame,
  json,
  vacationAnswer,
  widgetKey,
} from "./testing/fake-platform";

const visitor = { "X-Widget-Visitor": "AbCdEfGhIjKlMnOpQrStUv" };

function apiOn(platform: ReturnType<typeof fakePlatform>) {
  return createWidgetApi({ apiOrigin, key: widgetKey, identity: () => visitor, fetch: platform.fetch });
}

async function failureOf(promise: Promise<unknown>): Promise<WidgetError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof WidgetError)) throw new Error(`expected a WidgetError, got ${String(error)}`);
  return error;
}

describe("the widget API client", () => {
  it("loads the config without naming the user, and the conversation naming them", async () => {
    const platform = fakePlatform();
    const api = apiOn(platform);
    expect((await api.config()).theme.title).toBe("Acme HR assistant");
    await api.conversation();
    const [config, conversation] = platform.calls;
    expect(config?.url).toBe(`${apiOrigin}/widget/v1/${widgetKey}/config`);
    expect(config?.headers["x-widget-visitor"]).toBeUndefined();
    expect(conversation?.headers["x-widget-visitor"]).toBe(visitor["X-Widget-Visitor"]);
  });

  it("asks with Accept: text/event-stream, hands each delta on, and resolves with the checked message", async () => {
    const platform = fakePlatform({
      messages: () =>
        new Response(
          frame("delta", { text: "Full-time employees " }) +
            frame("delta", { text: "get 25 days" }) +
            frame("message", { message: vacationAnswer }),
          { headers: { "content-type": "text/event-stream; charset=utf-8" } },
        ),
    });
    const deltas: string[] = [];
    const message = await apiOn(platform).send("How many vacation days do I get?", {
      clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB",
      onDelta: (text) => deltas.push(text),
    });
    expect(deltas).toEqual(["Full-time employees ", "get 25 days"]);
    expect(message.content).toBe(vacationAnswer.content);
    expect(message.citations[0]?.docName).toBe("employee-handbook.md");
    const call = platform.calls[0]!;
    expect(call.method).toBe("POST");
    expect(call.headers.accept).toBe("text/event-stream");
    expect(call.headers["content-type"]).toBe("application/json");
    expect(call.body).toEqual({
      content: "How many vacation days do I get?",
      clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB",
    });
  });

  it("reads a JSON answer when the server does not stream", async () => {
    const platform = fakePlatform({ messages: () => json(200, { message: vacationAnswer }) });
    const message = await apiOn(platform).send("Vacation?", {
      clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB",
      onDelta: () => undefined,
    });
    expect(message.confidence).toBe(0.9);
  });

  it("turns a 429 into rate-limited with the Retry-After seconds", async () => {
    const platform = fakePlatform({
      messages: () =>
        json(429, errorBody("resource-exhausted", "Too many messages"), { "retry-after": "12" }),
    });
    const error = await failureOf(
      apiOn(platform).send("Hello", { clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB", onDelta: () => undefined }),
    );
    expect(error.kind).toBe("rate-limited");
    expect(error.retryAfterSeconds).toBe(12);
    expect(error.status).toBe(429);
  });

  it("turns a 403 and a 404 into refused, with the platform's message", async () => {
    const platform = fakePlatform({
      config: () =>
        json(403, errorBody("permission-denied", "Origin https://shop.example may not use this widget")),
      conversation: () => json(404, errorBody("not-found", "Unknown widget key")),
    });
    const api = apiOn(platform);
    const forbidden = await failureOf(api.config());
    expect([forbidden.kind, forbidden.status, forbidden.message]).toEqual([
      "refused",
      403,
      "Origin https://shop.example may not use this widget",
    ]);
    expect((await failureOf(api.conversation())).status).toBe(404);
  });

  it("reports a fetch that never got an answer as a network failure", async () => {
    const platform = fakePlatform();
    platform.network.offline = true;
    expect((await failureOf(apiOn(platform).reset())).kind).toBe("network");
  });

  it("reports a refusal the browser hid (no CORS headers) as refused, once a no-cors probe gets through", async () => {
    const platform = fakePlatform({ config: hiddenByCors });
    const error = await failureOf(apiOn(platform).config());
    expect([error.kind, error.status]).toEqual(["refused", undefined]);
    expect(platform.calls.map((c) => [c.route, c.mode])).toEqual([
      ["config", "cors"],
      ["config", "no-cors"],
    ]);
  });

  it("reports an error event, and a stream that ends or breaks without the message", async () => {
    const erroring = fakePlatform({
      messages: () =>
        new Response(
          frame("delta", { text: "Full" }) + frame("error", errorBody("internal", "The model failed")),
          {
            headers: { "content-type": "text/event-stream" },
          },
        ),
    });
    const failed = await failureOf(
      apiOn(erroring).send("Hi", { clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB", onDelta: () => undefined }),
    );
    expect([failed.kind, failed.message]).toEqual(["failed", "The model failed"]);

    const cut = fakePlatform({
      messages: () =>
        new Response(frame("delta", { text: "Full" }), { headers: { "content-type": "text/event-stream" } }),
    });
    expect(
      (
        await failureOf(
          apiOn(cut).send("Hi", { clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB", onDelta: () => undefined }),
        )
      ).kind,
    ).toBe("network");

    const stream = answerStream();
    const broken = apiOn(fakePlatform({ messages: () => stream.response })).send("Hi", {
      clientMessageId: "q7Hh2kLmNp0RsTuVwXyZaB",
      onDelta: () => undefined,
    });
    stream.write(frame("delta", { text: "Full" }));
    stream.fail();
    expect((await failureOf(broken)).kind).toBe("network");
  });

  it("reads Retry-After as seconds or as a date", () => {
    const now = Date.parse("2026-03-02T10:00:00Z");
    expect(retryAfterSeconds("30", now)).toBe(30);
    expect(retryAfterSeconds("1.2", now)).toBe(2);
    expect(retryAfterSeconds("Mon, 02 Mar 2026 10:00:45 GMT", now)).toBe(45);
    expect(retryAfterSeconds(null, now)).toBeUndefined();
    expect(retryAfterSeconds("soon", now)).toBeUndefined();
  });

  it("keeps the config's theme within what the widget can show", async () => {
    const platform = fakePlatform({
      config: () =>
        json(200, {
          ...acmeConfig,
          theme: {
            ...acmeConfig.theme,
            color: "red;background:url(x)",
            position: "top",
            suggestedQuestions: ["a", 3, "", "b", "c", "d", "e"],
          },
        }),
    });
    const { theme } = await apiOn(platform).config();
    expect(theme.color).toBe("#1f6feb");
    expect(theme.position).toBe("bottom-right");
    expect(theme.suggestedQuestions).toEqual(["a", "b", "c", "d"]);
  });
});
