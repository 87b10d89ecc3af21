/**
 * A checked answer as the studio's playground shows it (components/playground/AnswerCard.tsx and
 * CitationDialog.tsx), in the widget's own elements: the text with its [n] markers as buttons, "Confidence
 * 90%", "Abstained", a "Why this answer" disclosure, and the sources listed under the answer as "[1] name",
 * each opening in place to the quote it stands on (and the sentence it supports).
 */
import { h, icon, icons, uniqueId } from "./dom";
import {
  isRecord,
  type Citation,
  type Rating,
  type WidgetConfirmation,
  type WidgetMessage,
} from "./messages";

export type Decision = "confirm" | "cancel";

/** Rates the answer (`null` takes the rating back); resolves with the rating kept, rejects when refused. */
export type Rate = (rating: Rating | null) => Promise<Rating | null>;

/**
 * A thumbs up and a thumbs down under the answer, each a toggle (aria-pressed): pressing the one already
 * pressed takes the rating back. They show the new state at once, and go back if the platform refuses it.
 */
function ratingButtons(current: Rating | null, rate: Rate): HTMLElement {
  let rating = current;
  let busy = false;
  const button = (label: string, path: string) =>
    h("button", { type: "button", class: "rate", "aria-label": label, title: label }, icon(path));
  const up = button("Helpful", icons.thumbUp);
  const down = button("Not helpful", icons.thumbDown);
  const show = (shown: Rating | null) => {
    up.setAttribute("aria-pressed", String(shown === "up"));
    down.setAttribute("aria-pressed", String(shown === "down"));
  };
  const press = async (pressed: Rating) => {
    if (busy) return;
    busy = true;
    const before = rating;
    show(rating === pressed ? null : pressed);
    try {
      rating = await rate(rating === pressed ? null : pressed);
    } catch {
      rating = before;
    } finally {
      busy = false;
      show(rating);
    }
  };
  show(rating);
  up.addEventListener("click", () => void press("up"));
  down.addEventListener("click", () => void press("down"));
  return h("div", { class: "rating", role: "group", "aria-label": "Rate this answer" }, up, down);
}

const decidedLabel: Record<string, string> = {
  confirmed: "Confirmed",
  cancelled: "Cancelled: nothing was sent",
  expired: "Expired: nothing was sent",
  superseded: "Not confirmed: nothing was sent",
};

/** A JSON body as a person reads it (indented); anything else as it is. */
function readable(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

/**
 * What the answer asks the end user to confirm: exactly what will be sent, and Confirm / Cancel while it is
 * pending (`onDecide` absent: shown without buttons). Nothing is sent before Confirm.
 */
function confirmationBox(confirmation: WidgetConfirmation, onDecide?: (decision: Decision) => void) {
  const pending = confirmation.status === "pending";
  const until = new Date(confirmation.expiresAt);
  const request = confirmation.request;
  const buttons =
    pending && onDecide
      ? h(
          "div",
          { class: "decide" },
          h("button", { type: "button", class: "confirm" }, "Confirm"),
          h("button", { type: "button", class: "cancel" }, "Cancel"),
        )
      : null;
  if (buttons && onDecide) {
    const [confirm, cancel] = [...buttons.children] as HTMLButtonElement[];
    confirm?.addEventListener("click", () => onDecide("confirm"));
    cancel?.addEventListener("click", () => onDecide("cancel"));
  }
  return h(
    "div",
    { class: "confirmation", role: "group", "aria-label": `Confirm ${confirmation.toolName}` },
    h("p", { class: "confirm-title" }, pending ? `Confirm ${confirmation.toolName}?` : confirmation.toolName),
    pending
      ? h(
          "p",
          { class: "caption" },
          Number.isNaN(until.getTime())
            ? "Nothing is sent unless you confirm."
            : `Nothing is sent unless you confirm, before ${until.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}.`,
        )
      : h("span", { class: "badge" }, decidedLabel[confirmation.status] ?? confirmation.status),
    h(
      "pre",
      { class: "request" },
      `${request.method} ${request.url}${request.body !== null ? `\n\n${readable(request.body)}` : ""}`,
    ),
    buttons,
  );
}

/** One passage cited, with every sentence that cites it and the quote supporting each. */
interface Source {
  readonly ref: string;
  readonly docName: string;
  readonly supports: { readonly claim: string; readonly quote: string }[];
  readonly location: unknown;
}

/** One source per marker: a passage cited by two sentences opens once, with both (as the playground does). */
function sourcesOf(citations: readonly Citation[]): Source[] {
  const byRef = new Map<string, Source>();
  for (const c of citations) {
    const source = byRef.get(c.ref) ?? { ref: c.ref, docName: c.docName, supports: [], location: c.location };
    source.supports.push({ claim: c.claim ?? "", quote: c.quote });
    byRef.set(c.ref, source);
  }
  return [...byRef.values()];
}

/** Where a passage sits: "Page 3 · Time off › Vacation" (the playground's describeLocation), or "". */
export function describeLocation(location: unknown): string | undefined {
  if (!isRecord(location)) return undefined;
  const number = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const range = (label: string, plural: string, from?: number, to?: number) =>
    from === undefined
      ? []
      : [to !== undefined && to !== from ? `${plural} ${from}–${to}` : `${label} ${from}`];
  const headings = Array.isArray(location.headingPath)
    ? location.headingPath.filter((x): x is string => typeof x === "string")
    : [];
  return [
    ...range("Page", "Pages", number(location.page), number(location.pageEnd)),
    ...range("Row", "Rows", number(location.row), number(location.rowEnd)),
    ...(headings.length > 0 ? [headings.join(" › ")] : []),
  ].join(" · ");
}

/** A button that shows and hides a region below it, its state in aria-expanded. */
function disclosure(
  label: string,
  region: HTMLElement,
  labels?: { open: string; closed: string },
): { button: HTMLButtonElement; setOpen: (open: boolean) => void } {
  const id = uniqueId("region");
  region.id = id;
  region.hidden = true;
  const button = h(
    "button",
    { type: "button", class: "link", "aria-expanded": "false", "aria-controls": id },
    label,
  );
  const setOpen = (open: boolean) => {
    region.hidden = !open;
    button.setAttribute("aria-expanded", String(open));
    if (labels) button.textContent = open ? labels.open : labels.closed;
  };
  button.addEventListener("click", () => setOpen(region.hidden));
  return { button, setOpen };
}

function sourceItem(source: Source): { item: HTMLLIElement; reveal: () => void } {
  const where = describeLocation(source.location);
  const region = h(
    "div",
    { class: "quote" },
    ...source.supports.flatMap((support) => [
      support.claim ? h("p", {}, `Supports: “${support.claim}”`) : null,
      h("blockquote", {}, support.quote || "The platform kept no quote for this passage."),
    ]),
    where === undefined
      ? null
      : h("p", { class: "where" }, where ? `Location: ${where}` : "Location: the start of the document"),
  );
  const { button, setOpen } = disclosure(`[${source.ref}] ${source.docName}`, region);
  return {
    item: h("li", {}, button, region),
    reveal: () => {
      setOpen(true);
      button.focus();
      region.scrollIntoView?.({ block: "nearest" });
    },
  };
}

/** The answer's text with each [n] that names a cited source turned into a button opening that source. */
function answerText(
  content: string,
  reveal: Map<string, () => void>,
  names: Map<string, string>,
): HTMLElement {
  const text = h("p", { class: "text" });
  let from = 0;
  for (const match of content.matchAll(/\[(\d+)\]/g)) {
    const ref = match[1] ?? "";
    const open = reveal.get(ref);
    if (!open) continue;
    const at = match.index ?? 0;
    text.append(content.slice(from, at));
    const marker = h(
      "button",
      { type: "button", class: "marker", "aria-label": `Source ${ref}: ${names.get(ref) ?? ""}` },
      ref,
    );
    marker.addEventListener("click", open);
    text.append(marker);
    from = at + match[0].length;
  }
  text.append(content.slice(from));
  return text;
}

export function renderAnswer(
  message: WidgetMessage,
  onDecide?: (decision: Decision) => void,
  rating?: { current: Rating | null; rate: Rate },
): HTMLElement {
  const sources = sourcesOf(message.citations);
  const items = sources.map(sourceItem);
  const reveal = new Map(sources.map((s, i) => [s.ref, (items[i] as { reveal: () => void }).reveal]));
  const names = new Map(sources.map((s) => [s.ref, s.docName]));

  let explanation: HTMLElement | null = null;
  let explain: HTMLButtonElement | null = null;
  if (message.explanation) {
    explanation = h("p", { class: "explanation" }, message.explanation);
    explain = disclosure("Why this answer", explanation, {
      open: "Hide explanation",
      closed: "Why this answer",
    }).button;
  }

  const badges = [
    message.confidence !== null
      ? h("span", { class: "badge" }, `Confidence ${Math.round(message.confidence * 100)}%`)
      : null,
    message.abstained ? h("span", { class: "badge warn" }, "Abstained") : null,
  ];

  return h(
    "div",
    {
      class: message.abstained ? "msg bot abstained" : "msg bot",
      "data-message-id": message.id || undefined,
    },
    h("span", { class: "sr" }, "Answer: "),
    message.abstained
      ? h(
          "p",
          { class: "abstain-note" },
          "The agent could not find this in its sources, so it did not answer.",
        )
      : null,
    answerText(message.content, reveal, names),
    message.confirmation ? confirmationBox(message.confirmation, onDecide) : null,
    badges.some(Boolean) ? h("div", { class: "meta" }, ...badges) : null,
    explain ? h("div", {}, explain, explanation) : null,
    rating && message.id ? ratingButtons(rating.current, rating.rate) : null,
    items.length > 0
      ? h(
          "div",
          { class: "sources" },
          h("p", { class: "sources-title" }, "Sources"),
          h("ol", { "aria-label": "Sources" }, ...items.map((i) => i.item)),
        )
      : null,
  );
}

export function renderQuestion(content: string): HTMLElement {
  return h("div", { class: "msg user" }, h("span", { class: "sr" }, "You: "), content);
}

/** The answer while it streams: the model's words so far, before the platform checks them. */
export function renderStreaming(): { element: HTMLElement; update: (text: string) => void } {
  const text = h("p", { class: "text" });
  const caption = h("span", { class: "caption" }, "Thinking…");
  const element = h("div", { class: "msg bot", "aria-busy": "true" }, text, caption);
  return {
    element,
    update: (soFar) => {
      text.textContent = soFar;
      caption.textContent = soFar ? "Writing…" : "Thinking…";
    },
  };
}
