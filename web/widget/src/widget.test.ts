import { configure, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import type { EmbedOptions } from "./embed";
import { visitorStorageKey } from "./identity";
import {
  acmeConfig,
  answerStream,
  apiOrigin,
  errorBody,
  fakePlatform,
  hiddenByCors,
  frame,
  json,
  streamedAnswer,
  vacationAnswer,
  vacationQuestion,
  widgetKey,
} from "./testing/fake-platform";
import type { WidgetMessage } from "./messages";
import { mountWidget, type WidgetHandle } from "./widget";

// jsdom keeps a computed style it cached for an element in a shadow tree after its `hidden` changes, so
// Testing Library's visibility filter would call an opened panel hidden: queries here find hidden elements
// too, and the tests assert what is shown through the `hidden` attributes the widget sets.
configure({ defaultHidden: true });

/** Whether the visitor sees an element: neither it nor an ancestor in the widget is hidden. */
const shown = (element: Element | null) => element !== null && element.closest("[hidden]") === null;

const anonymous: EmbedOptions = { key: widgetKey, apiOrigin, user: null, startOpen: false };
let mounted: WidgetHandle | undefined;

afterEach(() => {
  mounted?.destroy();
  mounted = undefined;
  localStorage.clear();
});

/** Mounts the widget on the fake platform and waits for its launcher, as a visitor would see the page. */
async function mount(platform = fakePlatform(), options: Partial<EmbedOptions> = {}) {
  const warnings: string[] = [];
  mounted = mountWidget(
    { ...anonymous, ...options },
    { fetch: platform.fetch, warn: (m) => warnings.push(m) },
  );
  const shadow = mounted.host.shadowRoot!;
  // Testing Library takes an element, not a shadow root: the widget's root element holds everything.
  const view = within(shadow.querySelector<HTMLElement>(".root")!);
  // The launcher shows once the platform answered the config request (or refused it).
  const launcher = shadow.querySelector<HTMLButtonElement>("button.launcher")!;
  await waitFor(() => expect(launcher.hidden).toBe(false));
  const user = userEvent.setup();
  const panel = () => shadow.querySelector<HTMLElement>('[role="dialog"]')!;
  const log = () => view.getByRole("log", { name: "Conversation" });
  const input = () => shadow.querySelector("textarea")!;
  const focused = () => shadow.activeElement;
  return { platform, shadow, view, launcher, user, panel, log, input, focused, warnings };
}

type Mounted = Awaited<ReturnType<typeof mount>>;

async function openPanel(w: Mounted) {
  await w.user.click(w.launcher);
  await waitFor(() => expect(w.log().getAttribute("aria-busy")).toBeNull());
}

describe("the widget on a page", () => {
  it("renders in a shadow root in the theme's corner and colour, readable text picked by luminance", async () => {
    const w = await mount(
      fakePlatform({
        config: () =>
          json(200, {
            ...acmeConfig,
            theme: { ...acmeConfig.theme, color: "#ffd400", position: "bottom-left" },
          }),
      }),
    );
    expect(w.launcher.getAttribute("aria-label")).toBe("Chat with Acme HR assistant");
    expect(w.launcher.getAttribute("aria-expanded")).toBe("false");
    expect(document.body.lastElementChild).toBe(mounted!.host);
    const root = w.shadow.querySelector<HTMLElement>(".root")!;
    expect(root.classList.contains("left")).toBe(true);
    expect(root.style.getPropertyValue("--accent")).toBe("#ffd400");
    // Yellow takes black text; the default blue takes white.
    expect(root.style.getPropertyValue("--on-accent")).toBe("#000000");
    expect(w.panel().hidden).toBe(true);
    expect(w.platform.calls.map((c) => c.route)).toEqual(["config"]);
  });

  it("opens on the launcher: a dialog named by the title, focus in the text box, the earlier conversation shown", async () => {
    const w = await mount(
      fakePlatform({
        conversation: () => json(200, { conversationId: "c1", messages: [vacationQuestion, vacationAnswer] }),
      }),
    );
    await openPanel(w);
    expect(w.launcher.getAttribute("aria-expanded")).toBe("true");
    // Named by its aria-label (jsdom's stale style would make the computed name of a shown panel empty).
    const dialog = w.view.getByRole("dialog");
    expect(dialog.getAttribute("aria-label")).toBe("Acme HR assistant");
    expect(dialog.hidden).toBe(false);
    expect(w.focused()).toBe(w.input());
    within(w.log()).getByText("How many vacation days do I get?");
    within(w.log()).getByText("Confidence 90%");
    const conversation = w.platform.calls.find((c) => c.route === "conversation")!;
    expect(conversation.headers["x-widget-visitor"]).toBe(localStorage.getItem(visitorStorageKey(widgetKey)));
    // A conversation under way: no suggestions.
    expect(shown(w.shadow.querySelector('[role="group"][aria-label="Suggested questions"]'))).toBe(false);
  });

  it("shows the greeting and the suggested questions; a suggestion asks itself", async () => {
    const w = await mount();
    await openPanel(w);
    expect(shown(w.view.getByText("Hi! Ask me anything about our documentation."))).toBe(true);
    const suggestions = w.view.getByRole("group", { name: "Suggested questions" });
    expect(shown(suggestions)).toBe(true);
    await w.user.click(within(suggestions).getByRole("button", { name: "How many vacation days do I get?" }));
    await within(w.log()).findByText(/Full-time employees receive 25 vacation days/, { selector: ".text" });
    const asked = w.platform.calls.find((c) => c.route === "messages")!;
    expect(asked.body).toEqual({
      content: "How many vacation days do I get?",
      clientMessageId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
    });
    expect(shown(suggestions)).toBe(false);
  });

  it("streams the words outside the live log, then puts the checked answer in it", async () => {
    const stream = answerStream();
    const w = await mount(fakePlatform({ messages: () => stream.response }));
    await openPanel(w);
    await w.user.type(w.input(), "How many vacation days do I get?{Enter}");

    await within(w.log()).findByText("How many vacation days do I get?");
    expect(w.input().value).toBe("");
    stream.write(frame("delta", { text: "Full-time employees receive " }));
    stream.write(frame("delta", { text: "twenty-five days" }));
    const streaming = await w.view.findByText("Full-time employees receive twenty-five days");
    expect(w.log().contains(streaming)).toBe(false);
    w.view.getByText("Writing…");

    stream.write(frame("message", { message: vacationAnswer }));
    stream.end();
    const answer = await within(w.log()).findByText(/Full-time employees receive 25 vacation days/, {
      selector: ".text",
    });
    expect(answer.closest(".msg")?.querySelector("button")?.getAttribute("aria-label")).toBe(
      "Source 1: employee-handbook.md",
    );
    expect(w.view.queryByText("Full-time employees receive twenty-five days")).toBeNull();
    expect(w.view.queryByText("Writing…")).toBeNull();
  });

  it("sends on Enter and makes a new line on Shift+Enter", async () => {
    const w = await mount();
    await openPanel(w);
    await w.user.type(w.input(), "Line one{Shift>}{Enter}{/Shift}line two");
    expect(w.input().value).toBe("Line one\nline two");
    expect(w.platform.calls.some((c) => c.route === "messages")).toBe(false);
    await w.user.keyboard("{Enter}");
    await waitFor(() =>
      expect(w.platform.calls.find((c) => c.route === "messages")?.body).toMatchObject({
        content: "Line one\nline two",
      }),
    );
  });

  it("closes on Escape and gives the focus back to the launcher", async () => {
    const w = await mount();
    await openPanel(w);
    expect(w.focused()).toBe(w.input());
    await w.user.keyboard("{Escape}");
    expect(w.panel().hidden).toBe(true);
    expect(w.launcher.getAttribute("aria-expanded")).toBe("false");
    expect(w.focused()).toBe(w.launcher);
  });

  it("starts a new conversation: the platform is told, the transcript cleared, the suggestions back", async () => {
    const w = await mount(
      fakePlatform({
        conversation: () => json(200, { conversationId: "c1", messages: [vacationQuestion, vacationAnswer] }),
      }),
    );
    await openPanel(w);
    await w.user.click(w.view.getByRole("button", { name: "New conversation" }));
    await waitFor(() => expect(w.log().childElementCount).toBe(0));
    expect(w.platform.calls.filter((c) => c.route === "reset").map((c) => c.method)).toEqual(["POST"]);
    expect(shown(w.shadow.querySelector('[role="group"][aria-label="Suggested questions"]'))).toBe(true);
    w.view.getByText("New conversation started.");
  });

  it("says how long to wait after too many messages, keeps the question, and holds sending", async () => {
    const w = await mount(
      fakePlatform({
        messages: () =>
          json(429, errorBody("resource-exhausted", "Too many messages"), { "Retry-After": "12" }),
      }),
    );
    await openPanel(w);
    await w.user.type(w.input(), "And sick leave?{Enter}");
    await w.view.findByText("Too many messages. Try again in 12 s.");
    expect(
      w.view.getByText("Too many messages. Try again in 12 s.").closest('[role="alert"]'),
    ).not.toBeNull();
    expect(w.input().value).toBe("And sick leave?");
    expect(w.log().childElementCount).toBe(0);
    const send = w.view.getByRole("button", { name: "Send" });
    expect(send.getAttribute("aria-disabled")).toBe("true");
    await w.user.click(send);
    expect(w.platform.calls.filter((c) => c.route === "messages")).toHaveLength(1);
  });

  it("shows a refused origin (403) in the panel and tells the site owner once in the console", async () => {
    const platform = fakePlatform({
      config: () =>
        json(403, errorBody("permission-denied", "Origin https://shop.example may not use this widget")),
    });
    const w = await mount(platform);
    expect(w.launcher.getAttribute("aria-label")).toBe("Chat");
    expect(w.warnings).toHaveLength(1);
    expect(w.warnings[0]).toContain("Origin https://shop.example may not use this widget");
    expect(w.warnings[0]).toContain("allowed origins");
    await w.user.click(w.launcher);
    expect(shown(w.view.getByText("This chat is not available on this website."))).toBe(true);
    // Nothing to type into, nothing asked of the platform again, the focus on what can be used.
    expect(shown(w.view.getByRole("textbox", { name: "Message" }))).toBe(false);
    expect(w.focused()).toBe(w.view.getByRole("button", { name: "Close chat" }));
    expect(platform.calls.map((c) => c.route)).toEqual(["config"]);
    await w.user.click(w.view.getByRole("button", { name: "Close chat" }));
    await w.user.click(w.launcher);
    expect(w.warnings).toHaveLength(1);
  });

  it("shows an unknown key (404) met mid-conversation the same way", async () => {
    const w = await mount(
      fakePlatform({ messages: () => json(404, errorBody("not-found", "Unknown widget key")) }),
    );
    await openPanel(w);
    await w.user.type(w.input(), "Hello?{Enter}");
    await w.view.findByText("This chat is no longer available.");
    expect(w.warnings).toEqual([expect.stringContaining(`"${widgetKey}" is unknown or was deleted`)]);
  });

  it("keeps the typed question when the network fails, and sends it on Try again", async () => {
    const w = await mount();
    await openPanel(w);
    w.platform.network.offline = true;
    await w.user.type(w.input(), "How many vacation days do I get?{Enter}");
    await w.view.findByText(/could not be reached/);
    expect(w.input().value).toBe("How many vacation days do I get?");
    expect(w.log().childElementCount).toBe(0);

    w.platform.network.offline = false;
    await w.user.click(w.view.getByRole("button", { name: "Try again" }));
    await within(w.log()).findByText(/Full-time employees receive 25 vacation days/, { selector: ".text" });
    expect(w.input().value).toBe("");
    expect(w.view.queryByText(/could not be reached/)).toBeNull();
  });

  it("sends a question whose answer broke off again under the same id, and a new question under a new one", async () => {
    let attempt = 0;
    const w = await mount(
      fakePlatform({
        messages: () => {
          attempt += 1;
          if (attempt > 1) return streamedAnswer(vacationAnswer);
          const stream = answerStream();
          stream.write(frame("delta", { text: "Full-time employees" }));
          stream.fail();
          return stream.response;
        },
      }),
    );
    await openPanel(w);
    await w.user.type(w.input(), "How many vacation days do I get?{Enter}");
    await w.view.findByText(/connection dropped/);
    await w.user.click(w.view.getByRole("button", { name: "Try again" }));
    await within(w.log()).findByText(/Full-time employees receive 25 vacation days/, { selector: ".text" });
    await w.user.type(w.input(), "And part-time employees?{Enter}");
    await waitFor(() => expect(w.platform.calls.filter((c) => c.route === "messages")).toHaveLength(3));
    // The platform may have got the first attempt: the same id makes it answer the question once.
    const ids = w.platform.calls
      .filter((c) => c.route === "messages")
      .map((c) => (c.body as { clientMessageId: string }).clientMessageId);
    expect(ids[1]).toBe(ids[0]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it("shows a refusal the browser hid (no CORS headers for this origin) as a refusal, not as offline", async () => {
    const w = await mount(fakePlatform({ config: hiddenByCors }));
    await w.user.click(w.launcher);
    expect(shown(w.view.getByText("This chat is not available on this website."))).toBe(true);
    expect(w.warnings).toHaveLength(1);
    expect(w.warnings[0]).toContain(`Add ${location.origin} to the widget's allowed origins`);
    expect(w.view.queryByText(/could not be reached/)).toBeNull();
  });

  it("names a verified user instead of the anonymous visitor", async () => {
    const hash = "3b4c0e0f3d0a2b1c9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f9a8b7c6d";
    const w = await mount(fakePlatform(), { user: { id: "customer-42", hash } });
    await openPanel(w);
    const conversation = w.platform.calls.find((c) => c.route === "conversation")!;
    expect(conversation.headers["x-widget-user"]).toBe("customer-42");
    expect(conversation.headers["x-widget-user-hash"]).toBe(hash);
    expect(conversation.headers["x-widget-visitor"]).toBeUndefined();
  });

  it("opens by itself with data-open, without taking the page's focus", async () => {
    const outside = document.createElement("input");
    document.body.append(outside);
    outside.focus();
    const w = await mount(fakePlatform(), { startOpen: true });
    await waitFor(() => expect(w.panel().hidden).toBe(false));
    expect(document.activeElement).toBe(outside);
    outside.remove();
  });

  it("throws nothing into the page when the platform answers nonsense", async () => {
    const errors: unknown[] = [];
    const onError = (event: ErrorEvent) => errors.push(event.error);
    window.addEventListener("error", onError);
    // An unhandled rejection fails the run by itself (vitest reports it as an error of this test).
    try {
      const w = await mount(
        fakePlatform({
          conversation: () => new Response("<html>proxy error</html>", { status: 200 }),
          messages: () =>
            new Response("event: message\ndata: {not json\n\n", {
              headers: { "content-type": "text/event-stream" },
            }),
        }),
      );
      await w.user.click(w.launcher);
      await w.view.findByText(/cannot read/);
      await w.user.type(w.input(), "Hello{Enter}");
      await waitFor(() => expect(w.input().value).toBe("Hello"));
      w.view.getByText(/cannot read/);
    } finally {
      window.removeEventListener("error", onError);
    }
    expect(errors).toEqual([]);
  });
});

describe("a tool's write the answer asks the visitor to confirm", () => {
  const transfer = JSON.stringify({ fromAccountId: "acc_1", payeeId: "pay_1", amount: "25.00" });
  const asking: WidgetMessage = {
    ...vacationAnswer,
    id: "msg-4",
    content: "I prepared a transfer of 25.00 EUR; please confirm it.",
    citations: [],
    confirmation: {
      id: "cnf_1",
      toolName: "createTransfer",
      request: { method: "POST", url: "https://bank.example/v1/transfers", body: transfer },
      expiresAt: new Date(Date.now() + 600_000).toISOString(),
      status: "pending",
    },
  };
  const done: WidgetMessage = {
    ...vacationAnswer,
    id: "msg-6",
    content: "Transfer trf_1 is completed.",
    citations: [],
  };

  it("shows exactly what will be sent, sends the decision only on Confirm, then the answer about it", async () => {
    const w = await mount(
      fakePlatform({
        messages: () => streamedAnswer(asking),
        "confirmations/cnf_1": () => streamedAnswer(done),
      }),
    );
    await openPanel(w);
    await w.user.type(w.input(), "Send 25 euros to my landlord{Enter}");
    const box = await waitFor(() => w.view.getByRole("group", { name: "Confirm createTransfer" }));
    expect(box.textContent).toContain("POST https://bank.example/v1/transfers");
    expect(box.textContent).toContain('"amount": "25.00"');
    expect(w.platform.calls.filter((c) => c.route.startsWith("confirmations/"))).toEqual([]);

    await w.user.click(within(box).getByRole("button", { name: "Confirm" }));
    await waitFor(() => expect(w.log().textContent).toContain("Transfer trf_1 is completed."));
    const decision = w.platform.calls.find((c) => c.route === "confirmations/cnf_1");
    expect(decision).toMatchObject({ method: "POST", body: { decision: "confirm" } });
    const settled = w.view.getByRole("group", { name: "Confirm createTransfer" });
    expect(within(settled).queryByRole("button", { name: "Confirm" })).toBeNull();
    expect(settled.textContent).toContain("Confirmed");
  });

  it("says why a refused decision (expired) was not carried out", async () => {
    const w = await mount(
      fakePlatform({
        messages: () => streamedAnswer(asking),
        "confirmations/cnf_1": () =>
          json(409, errorBody("aborted", "Confirmation cnf_1 expired at 10:00: nothing was sent.")),
      }),
    );
    await openPanel(w);
    await w.user.type(w.input(), "Send 25 euros{Enter}");
    const box = await waitFor(() => w.view.getByRole("group", { name: "Confirm createTransfer" }));
    await w.user.click(within(box).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(w.shadow.textContent).toContain("nothing was sent"));
    expect(w.platform.calls.find((c) => c.route === "confirmations/cnf_1")?.body).toEqual({
      decision: "cancel",
    });
  });

  it("lapses an older answer's buttons when a newer answer comes", async () => {
    const w = await mount(fakePlatform({ messages: () => streamedAnswer(asking) }));
    await openPanel(w);
    await w.user.type(w.input(), "Send 25 euros{Enter}");
    await waitFor(() => w.view.getByRole("button", { name: "Confirm" }));
    await w.user.type(w.input(), "Send 25 euros again{Enter}");
    await waitFor(() =>
      expect(w.view.getAllByRole("group", { name: "Confirm createTransfer" })).toHaveLength(2),
    );
    // Only the newest can still be decided.
    expect(w.view.getAllByRole("button", { name: "Confirm" })).toHaveLength(1);
  });
});

describe("rating an answer", () => {
  const rated = (call: { method: string; body: unknown }) =>
    call.method === "DELETE"
      ? json(200, { feedback: null })
      : json(200, { feedback: { rating: (call.body as { rating: string }).rating, comment: null } });

  it("shows the rating an answer was loaded with, changes it with the other thumb, and takes it back", async () => {
    const w = await mount(
      fakePlatform({
        conversation: () =>
          json(200, {
            conversationId: "c1",
            messages: [vacationQuestion, { ...vacationAnswer, feedback: { rating: "down", comment: null } }],
          }),
        "messages/msg-2/feedback": rated,
      }),
    );
    await openPanel(w);
    const group = within(w.log()).getByRole("group", { name: "Rate this answer" });
    const up = within(group).getByRole("button", { name: "Helpful" });
    const down = within(group).getByRole("button", { name: "Not helpful" });
    expect([up.getAttribute("aria-pressed"), down.getAttribute("aria-pressed")]).toEqual(["false", "true"]);
    await w.user.click(up);
    await waitFor(() => expect(up.getAttribute("aria-pressed")).toBe("true"));
    expect(down.getAttribute("aria-pressed")).toBe("false");
    await w.user.click(up);
    await waitFor(() => expect(up.getAttribute("aria-pressed")).toBe("false"));
    const calls = w.platform.calls.filter((c) => c.route === "messages/msg-2/feedback");
    expect(calls.map((c) => [c.method, c.body])).toEqual([
      ["PUT", { rating: "up" }],
      ["DELETE", undefined],
    ]);
    // The visitor's own headers name them, as on every call.
    expect(calls[0]?.headers["x-widget-visitor"]).toBe(localStorage.getItem(visitorStorageKey(widgetKey)));
  });

  it("rates a new answer, and puts the thumbs back with a notice when the platform refuses, the chat still usable", async () => {
    const w = await mount(
      fakePlatform({
        "messages/msg-2/feedback": () => json(404, errorBody("not-found", "Message msg-2 not found")),
      }),
    );
    await openPanel(w);
    await w.user.type(w.input(), "How many vacation days do I get?{Enter}");
    const down = await waitFor(() => within(w.log()).getByRole("button", { name: "Not helpful" }));
    await w.user.click(down);
    await waitFor(() =>
      expect(w.shadow.textContent).toContain("Your rating was not saved: Message msg-2 not found"),
    );
    expect(down.getAttribute("aria-pressed")).toBe("false");
    // A refused rating is not the chat refusing this page: the composer stays.
    expect(shown(w.shadow.querySelector("form.composer"))).toBe(true);
  });
});
