/**
 * The widget on a customer's page: a launcher button and a chat panel in a shadow root, talking to the
 * platform's widget API. It loads its theme at start, the visitor's conversation when first opened, streams
 * each answer and then shows the checked one with its sources. Whatever goes wrong stays inside the widget:
 * the visitor sees what they can do, the site owner gets one console warning, the page never an exception.
 */
import { renderAnswer, renderQuestion, renderStreaming, type Decision } from "./answer";
import { createWidgetApi, WidgetError, type WidgetApi } from "./api";
import { focusRingOn, textColorOn } from "./contrast";
import { h, icon, icons, uniqueId } from "./dom";
import type { EmbedOptions } from "./embed";
import { browserStorage, identityHeaders, randomId, type VerifiedUser } from "./identity";
import { defaultTheme, type Rating, type Theme, type WidgetMessage } from "./messages";
import { widgetCss } from "./styles";

export interface WidgetHandle {
  readonly host: HTMLElement;
  open(): void;
  close(): void;
  /** Switches the end user (a verified user, or null for this browser's anonymous visitor). */
  identify(user: VerifiedUser | null): void;
  destroy(): void;
}

export interface WidgetDeps {
  readonly fetch?: typeof fetch;
  /** The visitor id's storage; null when there is none (the id then lives in memory). */
  readonly storage?: Storage | null;
  /** Where problems for the site owner go: console.warn by default. */
  readonly warn?: (message: string) => void;
}

/** The platform's limit on a question (contract: `content` 1-4000 characters). */
const maxQuestionLength = 4000;
/** How long to hold the send button after a 429 the browser hid Retry-After of. */
const defaultWaitSeconds = 10;

function addStyles(shadow: ShadowRoot): void {
  // A constructed sheet is not subject to the host page's style-src CSP; <style> is the fallback.
  if ("adoptedStyleSheets" in shadow && typeof CSSStyleSheet === "function") {
    try {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(widgetCss);
      shadow.adoptedStyleSheets = [sheet];
      return;
    } catch {
      // Constructable stylesheets unsupported: fall back.
    }
  }
  shadow.append(h("style", {}, widgetCss));
}

/** What the visitor reads, and what the site owner is told, when the platform refuses the widget. */
function refusalOf(error: WidgetError, options: EmbedOptions, user: VerifiedUser | null) {
  if (error.kind === "unauthenticated")
    return {
      headline: "This chat could not confirm who you are.",
      detail: "Reload the page, or sign in to the website again.",
      owner:
        `the platform refused data-user-hash for data-user-id "${user?.id ?? ""}" (401: ${error.message}). ` +
        "It must be the hex HMAC-SHA256 of the user id with the widget's identity secret, computed on your server.",
    };
  if (error.status === 404)
    return {
      headline: "This chat is no longer available.",
      detail: "Please contact the website's owner another way.",
      owner:
        `the widget key "${options.key}" is unknown or was deleted (404: ${error.message}). ` +
        "Check the data-key attribute of the widget's <script> tag.",
    };
  return {
    headline: "This chat is not available on this website.",
    detail: "The website's owner has to allow this site in the chat's settings.",
    owner:
      error.status === undefined
        ? // Refused without CORS headers: the browser hid whether it was the origin (403) or the key (404).
          `${options.apiOrigin} refused widget key "${options.key}" for this page's origin ${location.origin}: ` +
          `${error.message}. Add ${location.origin} to the widget's allowed origins in the Alchemist studio, ` +
          "and check the data-key attribute of the widget's <script> tag."
        : `the platform refused this page's origin ${location.origin} (${error.status}: ${error.message}). ` +
          `Add ${location.origin} to the widget's allowed origins in the Alchemist studio.`,
  };
}

export function mountWidget(options: EmbedOptions, deps: WidgetDeps = {}): WidgetHandle {
  const warn = deps.warn ?? ((message: string) => console.warn(`[Alchemist widget] ${message}`));
  const storage = deps.storage === undefined ? browserStorage() : deps.storage;
  let user = options.user;
  const api: WidgetApi = createWidgetApi({
    apiOrigin: options.apiOrigin,
    key: options.key,
    identity: () => identityHeaders(options.key, user, storage),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });

  /** The last line of defence: nothing the widget does may throw into the host page. */
  const report = (error: unknown) =>
    warn(`unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  const guard =
    <A extends unknown[]>(fn: (...args: A) => unknown) =>
    (...args: A): void => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) result.catch(report);
      } catch (error) {
        report(error);
      }
    };

  // ----- the elements ----------------------------------------------------------------------------------

  const host = document.createElement("alchemist-widget");
  const shadow = host.attachShadow({ mode: "open" });
  addStyles(shadow);

  const panelId = uniqueId("panel");
  const launcher = h(
    "button",
    { type: "button", class: "launcher", "aria-expanded": "false", "aria-controls": panelId, hidden: true },
    icon(icons.chat),
  );
  const title = h("h2", { class: "title" });
  const newButton = h(
    "button",
    { type: "button", class: "icon", "aria-label": "New conversation", title: "New conversation" },
    icon(icons.newConversation),
  );
  const closeButton = h(
    "button",
    { type: "button", class: "icon", "aria-label": "Close chat", title: "Close chat" },
    icon(icons.close),
  );
  const refusal = h("div", { role: "alert" });
  const greeting = h("div", { class: "msg bot", hidden: true });
  // Only finished turns go into the live log: the streamed words would be read out one delta at a time.
  const log = h("div", { class: "log", role: "log", "aria-live": "polite", "aria-label": "Conversation" });
  const pending = h("div", { class: "log" });
  const chips = h("div", {
    class: "chips",
    role: "group",
    "aria-label": "Suggested questions",
    hidden: true,
  });
  const body = h("div", { class: "body" }, refusal, greeting, log, pending, chips);
  const notices = h("div", { role: "alert" });
  const status = h("div", { class: "sr", role: "status" });
  const input = h("textarea", {
    rows: "1",
    "aria-label": "Message",
    placeholder: "Ask a question…",
    maxlength: String(maxQuestionLength),
    enterkeyhint: "send",
  });
  const send = h("button", { type: "submit", class: "send", "aria-label": "Send" }, icon(icons.send));
  const composer = h("form", { class: "composer", novalidate: true }, input, send);
  const panel = h(
    "div",
    { class: "panel", id: panelId, role: "dialog", hidden: true },
    h("div", { class: "head" }, title, newButton, closeButton),
    body,
    notices,
    status,
    composer,
  );
  const root = h("div", { class: "root" }, launcher, panel);
  shadow.append(root);

  // ----- state -----------------------------------------------------------------------------------------

  let theme: Theme = defaultTheme;
  let configured = false;
  let refusedBy: WidgetError | null = null;
  let isOpen = false;
  let conversation: "not-loaded" | "loading" | "loaded" = "not-loaded";
  let inFlight: AbortController | null = null;
  /** Answers whose confirmation is still pending, as shown in the log. */
  const pendingAnswers = new Map<HTMLElement, WidgetMessage>();
  /** Ratings given since an answer was loaded, by message id (an answer drawn again shows them). */
  const ratings = new Map<string, Rating | null>();
  let waitUntil = 0;
  let waitTimer: ReturnType<typeof setTimeout> | undefined;
  let warned = false;
  let destroyed = false;
  /** The question that was not answered, with its id: sent again unchanged, it keeps the id. */
  let unanswered: { content: string; clientMessageId: string } | null = null;

  const warnOnce = (message: string) => {
    if (warned) return;
    warned = true;
    warn(message);
  };

  function applyTheme(next: Theme): void {
    theme = next;
    root.classList.toggle("left", next.position === "bottom-left");
    root.style.setProperty("--accent", next.color);
    root.style.setProperty("--on-accent", textColorOn(next.color));
    root.style.setProperty("--ring", focusRingOn(next.color));
    title.textContent = next.title;
    panel.setAttribute("aria-label", next.title);
    // Until the platform names the chat (or when it refused to), the launcher is just "Chat".
    launcher.setAttribute("aria-label", next === defaultTheme ? "Chat" : `Chat with ${next.title}`);
    greeting.textContent = next.greeting;
    greeting.hidden = !next.greeting || refusedBy !== null;
    chips.replaceChildren(
      ...next.suggestedQuestions.map((question) => {
        const chip = h("button", { type: "button", class: "chip" }, question);
        chip.addEventListener(
          "click",
          guard(() => {
            // The chips hide while the agent answers: the focus goes where the visitor types next.
            input.focus();
            return ask(question, false);
          }),
        );
        return chip;
      }),
    );
    update();
  }

  /** Everything derived from the state: which controls are usable, whether the suggestions show. */
  function update(): void {
    const waiting = Date.now() < waitUntil;
    const busy = inFlight !== null || conversation === "loading" || waiting;
    // aria-disabled rather than disabled: the button keeps the focus of whoever just pressed it.
    send.setAttribute("aria-disabled", String(busy || refusedBy !== null));
    chips.hidden =
      refusedBy !== null ||
      theme.suggestedQuestions.length === 0 ||
      log.childElementCount > 0 ||
      inFlight !== null ||
      conversation === "loading";
    for (const chip of chips.children) (chip as HTMLButtonElement).disabled = busy;
    composer.hidden = refusedBy !== null;
    newButton.hidden = refusedBy !== null;
  }

  const nearEnd = () => body.scrollHeight - body.scrollTop - body.clientHeight < 80;
  const scrollToEnd = () => {
    body.scrollTop = body.scrollHeight;
  };

  function autosize(): void {
    input.style.height = "auto";
    if (input.scrollHeight > 0) input.style.height = `${Math.min(input.scrollHeight + 2, 140)}px`;
  }

  function clearNotice(): void {
    notices.replaceChildren();
  }

  function showNotice(text: string, retry?: () => unknown): void {
    const notice = h("div", { class: "notice" }, h("span", {}, text));
    if (retry) {
      const button = h("button", { type: "button" }, "Try again");
      button.addEventListener(
        "click",
        guard(() => {
          clearNotice();
          return retry();
        }),
      );
      notice.append(button);
    }
    notices.replaceChildren(notice);
  }

  function refuse(error: WidgetError): void {
    refusedBy = error;
    const { headline, detail, owner } = refusalOf(error, options, user);
    refusal.replaceChildren(h("div", { class: "refusal" }, h("strong", {}, headline), detail));
    greeting.hidden = true;
    pending.replaceChildren();
    clearNotice();
    warnOnce(owner);
    update();
  }

  function holdSending(seconds: number): void {
    waitUntil = Date.now() + seconds * 1000;
    clearTimeout(waitTimer);
    waitTimer = setTimeout(() => {
      waitUntil = 0;
      clearNotice();
      update();
    }, seconds * 1000);
    update();
  }

  /** Shows a failure as what the visitor can do about it; `retry` redoes what failed. */
  function fail(error: unknown, retry?: () => unknown): void {
    if (!(error instanceof WidgetError)) {
      report(error);
      showNotice("Something went wrong.", retry);
      return;
    }
    switch (error.kind) {
      case "refused":
      case "unauthenticated":
        refuse(error);
        return;
      case "rate-limited": {
        const seconds = error.retryAfterSeconds;
        showNotice(
          seconds === undefined
            ? "Too many messages. Try again in a moment."
            : `Too many messages. Try again in ${Math.max(1, seconds)} s.`,
        );
        holdSending(Math.max(1, seconds ?? defaultWaitSeconds));
        return;
      }
      case "network":
        showNotice(`${error.message} Check your connection.`, retry);
        return;
      case "invalid":
        showNotice(error.message);
        return;
      default:
        showNotice(`The agent could not answer: ${error.message}`, retry);
    }
  }

  // ----- what the visitor does -------------------------------------------------------------------------

  async function loadConfig(): Promise<void> {
    try {
      const config = await api.config();
      if (destroyed) return;
      configured = true;
      clearNotice();
      applyTheme(config.theme);
    } catch (error) {
      if (destroyed) return;
      if (error instanceof WidgetError && error.kind === "network")
        warnOnce(
          `could not reach ${options.apiOrigin} for the widget's settings. Check the <script> tag's src ` +
            "(or data-api): it must be the platform's address.",
        );
      fail(error, loadConfig);
    }
    launcher.hidden = false;
    if (isOpen && conversation === "not-loaded") await loadConversation();
  }

  function renderTurn(message: WidgetMessage): HTMLElement {
    return message.role === "user" ? renderQuestion(message.content) : answerElement(message);
  }

  /** The visitor's rating of an answer: the one given here, else the one it was loaded with. */
  const ratingOf = (message: WidgetMessage) => ({
    current: ratings.has(message.id) ? (ratings.get(message.id) ?? null) : (message.feedback?.rating ?? null),
    rate: async (rating: Rating | null) => {
      try {
        const kept = (await api.rate(message.id, rating))?.rating ?? null;
        ratings.set(message.id, kept);
        return kept;
      } catch (error) {
        // Not the chat's refusal (the answer may be gone with a conversation reset elsewhere): just said.
        if (error instanceof WidgetError) showNotice(`Your rating was not saved: ${error.message}`);
        else report(error);
        throw error;
      }
    },
  });

  /** An answer, with Confirm / Cancel when it asks the end user to confirm a tool's write, and its rating. */
  function answerElement(message: WidgetMessage): HTMLElement {
    const element: HTMLElement = renderAnswer(
      message,
      (decision: Decision) => {
        void decide(message, decision, element);
      },
      ratingOf(message),
    );
    return element;
  }

  /** The answer's confirmation shown as `status`, without buttons (decided, or lapsed by a newer answer). */
  function settle(element: HTMLElement, message: WidgetMessage, status: string): void {
    if (!message.confirmation || !element.isConnected) return;
    element.replaceWith(
      renderAnswer(
        { ...message, confirmation: { ...message.confirmation, status } },
        undefined,
        ratingOf(message),
      ),
    );
  }

  /** Settles every confirmation still pending in the log: a newer answer lapses them (as the platform does). */
  function lapsePending(): void {
    for (const [element, message] of pendingAnswers) settle(element, message, "superseded");
    pendingAnswers.clear();
  }

  /** Appends an answer; one that asks for a confirmation is remembered, to lapse when the next comes. */
  function appendAnswer(message: WidgetMessage): void {
    lapsePending();
    const element = answerElement(message);
    log.append(element);
    if (message.confirmation?.status === "pending") pendingAnswers.set(element, message);
  }

  /** Sends the end user's decision on `message`'s confirmation; the agent's answer about it follows. */
  async function decide(message: WidgetMessage, decision: Decision, element: HTMLElement): Promise<void> {
    const confirmation = message.confirmation;
    if (!confirmation || inFlight || refusedBy || !configured) return;
    clearNotice();
    const said = renderQuestion(`${decision === "confirm" ? "Confirm" : "Cancel"}: ${confirmation.toolName}`);
    log.append(said);
    await streamTurn(
      (onDelta, signal) => api.decide(confirmation.id, decision, { onDelta, signal }),
      (answer) => {
        pendingAnswers.delete(element);
        settle(element, message, decision === "confirm" ? "confirmed" : "cancelled");
        appendAnswer(answer);
      },
      (error) => {
        said.remove();
        fail(error);
      },
    );
  }

  /**
   * One turn's answer, streamed: the words as they come (the log follows them when the reader is at its end),
   * then `done` with the checked answer, or `failed`. The widget takes one turn at a time.
   */
  async function streamTurn(
    run: (onDelta: (text: string) => void, signal: AbortSignal) => Promise<WidgetMessage>,
    done: (answer: WidgetMessage) => void,
    failed: (error: unknown) => void,
  ): Promise<void> {
    const streaming = renderStreaming();
    pending.replaceChildren(streaming.element);
    const controller = new AbortController();
    inFlight = controller;
    update();
    scrollToEnd();
    let soFar = "";
    try {
      const answer = await run((delta) => {
        const follow = nearEnd();
        soFar += delta;
        streaming.update(soFar);
        if (follow) scrollToEnd();
      }, controller.signal);
      if (controller.signal.aborted) return;
      const follow = nearEnd();
      pending.replaceChildren();
      done(answer);
      if (follow) scrollToEnd();
    } catch (error) {
      if (controller.signal.aborted) return;
      pending.replaceChildren();
      failed(error);
    } finally {
      if (inFlight === controller) inFlight = null;
      update();
    }
  }

  async function loadConversation(): Promise<void> {
    if (!configured || refusedBy || conversation !== "not-loaded") return;
    conversation = "loading";
    log.setAttribute("aria-busy", "true");
    pending.replaceChildren(h("p", { class: "caption" }, "Loading the conversation…"));
    update();
    try {
      const { messages } = await api.conversation();
      if (conversation !== "loading") return;
      pendingAnswers.clear();
      log.replaceChildren(...messages.map(renderTurn));
      // Only the latest answer's confirmation can still be decided (the platform lapses older ones).
      const last = messages.at(-1);
      const lastElement = log.lastElementChild;
      if (last?.confirmation?.status === "pending" && lastElement instanceof HTMLElement)
        pendingAnswers.set(lastElement, last);
      conversation = "loaded";
      scrollToEnd();
    } catch (error) {
      if (conversation !== "loading") return;
      conversation = "not-loaded";
      fail(error, loadConversation);
    } finally {
      log.removeAttribute("aria-busy");
      if (!inFlight) pending.replaceChildren();
      update();
    }
  }

  async function ask(text: string, fromComposer: boolean): Promise<void> {
    const content = text.trim();
    if (!content || inFlight || refusedBy || !configured || conversation === "loading") return;
    if (Date.now() < waitUntil) return;
    if (content.length > maxQuestionLength) {
      showNotice(`Your message is too long: at most ${maxQuestionLength} characters.`);
      return;
    }
    clearNotice();
    conversation = "loaded";
    // A retry of a question whose answer may have been lost on the way keeps its id: answered once.
    const clientMessageId = unanswered?.content === content ? unanswered.clientMessageId : randomId();
    unanswered = null;
    const question = renderQuestion(content);
    log.append(question);
    if (fromComposer) {
      input.value = "";
      autosize();
    }
    await streamTurn(
      (onDelta, signal) => api.send(content, { clientMessageId, onDelta, signal }),
      appendAnswer,
      (error) => {
        // Not answered: the question goes back into the text box, to send again.
        unanswered = { content, clientMessageId };
        question.remove();
        if (!input.value.trim()) {
          input.value = content;
          autosize();
        }
        fail(error, () => ask(input.value, true));
      },
    );
  }

  async function startNewConversation(): Promise<void> {
    if (refusedBy) return;
    // The answer being written belongs to the conversation being left.
    inFlight?.abort();
    inFlight = null;
    pending.replaceChildren();
    unanswered = null;
    try {
      await api.reset();
    } catch (error) {
      fail(error, startNewConversation);
      update();
      return;
    }
    log.replaceChildren();
    pending.replaceChildren();
    conversation = "loaded";
    clearNotice();
    status.textContent = "New conversation started.";
    update();
    input.focus();
  }

  function open(moveFocus = true): void {
    if (destroyed) return;
    if (!isOpen) {
      isOpen = true;
      panel.hidden = false;
      root.classList.add("open");
      launcher.setAttribute("aria-expanded", "true");
      launcher.replaceChildren(icon(icons.close));
      if (!configured && !refusedBy && launcher.hidden === false) void loadConfig().catch(report);
      else if (conversation === "not-loaded") void loadConversation().catch(report);
      scrollToEnd();
    }
    if (moveFocus) (refusedBy ? closeButton : input).focus();
  }

  function close(returnFocus: boolean): void {
    if (!isOpen) return;
    isOpen = false;
    panel.hidden = true;
    root.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    launcher.replaceChildren(icon(icons.chat));
    if (returnFocus) launcher.focus();
  }

  // ----- wiring ----------------------------------------------------------------------------------------

  launcher.addEventListener(
    "click",
    guard(() => (isOpen ? close(true) : open())),
  );
  closeButton.addEventListener(
    "click",
    guard(() => close(true)),
  );
  newButton.addEventListener("click", guard(startNewConversation));
  composer.addEventListener(
    "submit",
    guard((event: SubmitEvent) => {
      event.preventDefault();
      return ask(input.value, true);
    }),
  );
  input.addEventListener(
    "keydown",
    guard((event: KeyboardEvent) => {
      // Enter sends, Shift+Enter is a new line; Enter that ends an IME composition is neither.
      if (event.key !== "Enter" || event.shiftKey || event.isComposing || event.keyCode === 229) return;
      event.preventDefault();
      return ask(input.value, true);
    }),
  );
  input.addEventListener("input", guard(autosize));
  root.addEventListener(
    "keydown",
    guard((event: KeyboardEvent) => {
      if (event.key !== "Escape" || !isOpen) return;
      // This Escape was the chat's: the page's own handlers (its modals) must not act on it too.
      event.stopPropagation();
      close(true);
    }),
  );
  send.addEventListener(
    "click",
    guard((event: MouseEvent) => {
      if (send.getAttribute("aria-disabled") === "true") event.preventDefault();
    }),
  );

  document.body.append(host);
  applyTheme(defaultTheme);
  void loadConfig()
    .then(() => {
      if (options.startOpen && !destroyed) open(false);
    })
    .catch(report);

  return {
    host,
    open: guard(() => open()),
    close: guard(() => close(false)),
    identify: guard((next: VerifiedUser | null) => {
      user = next;
      inFlight?.abort();
      inFlight = null;
      log.replaceChildren();
      pending.replaceChildren();
      conversation = "not-loaded";
      if (refusedBy?.kind === "unauthenticated") {
        refusedBy = null;
        refusal.replaceChildren();
        greeting.hidden = !theme.greeting;
      }
      update();
      if (isOpen) return loadConversation();
    }),
    destroy: guard(() => {
      destroyed = true;
      inFlight?.abort();
      clearTimeout(waitTimer);
      host.remove();
    }),
  };
}
