import { within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { renderAnswer } from "./answer";
import type { WidgetMessage } from "./messages";

const vacationAnswer: WidgetMessage = {
  id: "msg-1",
  role: "assistant",
  content:
    "Full-time employees receive 25 vacation days per calendar year [1]. Up to 5 unused days can be carried over [2].",
  citations: [
    {
      ref: "1",
      docName: "employee-handbook.md",
      quote: "Full-time employees receive 25 vacation days per calendar year.",
      claim: "Full-time employees receive 25 vacation days per calendar year.",
      location: { headingPath: ["Acme Corp Employee Handbook", "Time off", "Vacation"] },
    },
    {
      ref: "2",
      docName: "employee-handbook.md",
      quote: "Up to 5 unused vacation days can be carried over into the next calendar year.",
    },
  ],
  confidence: 0.9,
  abstained: false,
  explanation: "Both sentences are quoted from the handbook's Vacation section.",
  createdAt: "2026-03-02T10:00:00.000Z",
};

function show(message: WidgetMessage) {
  const element = renderAnswer(message);
  document.body.append(element);
  return { element, view: within(element) };
}

afterEach(() => document.body.replaceChildren());

describe("an answer", () => {
  it("turns each citation marker into a button, and lists the sources as numbered disclosures", () => {
    const { element, view } = show(vacationAnswer);
    const markers = view.getAllByRole("button", { name: /^Source \d/ });
    expect(markers.map((m) => m.textContent)).toEqual(["1", "2"]);
    expect(markers[0]!.getAttribute("aria-label")).toBe("Source 1: employee-handbook.md");
    // The text around the markers is intact, without the "[1]" it replaced.
    expect(element.querySelector(".text")?.textContent).toBe(
      "Full-time employees receive 25 vacation days per calendar year 1. Up to 5 unused days can be carried over 2.",
    );
    const sources = view.getByRole("list", { name: "Sources" });
    const toggles = within(sources).getAllByRole("button");
    expect(toggles.map((t) => t.textContent)).toEqual([
      "[1] employee-handbook.md",
      "[2] employee-handbook.md",
    ]);
    for (const toggle of toggles) expect(toggle.getAttribute("aria-expanded")).toBe("false");
  });

  it("opens a source's quote, claim and location from its disclosure, and closes it again", async () => {
    const user = userEvent.setup();
    const { element, view } = show(vacationAnswer);
    const toggle = view.getByRole("button", { name: "[1] employee-handbook.md" });
    const region = element.querySelector<HTMLElement>(`#${toggle.getAttribute("aria-controls")}`)!;
    expect(region.hidden).toBe(true);

    await user.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(region.hidden).toBe(false);
    expect(region.querySelector("blockquote")?.textContent).toBe(
      "Full-time employees receive 25 vacation days per calendar year.",
    );
    expect(region.textContent).toContain("Supports: “Full-time employees receive 25 vacation days");
    expect(region.textContent).toContain("Location: Acme Corp Employee Handbook › Time off › Vacation");

    await user.click(toggle);
    expect(toggle.getAttribute("aria-expanded")).toBe("false");
    expect(region.hidden).toBe(true);
  });

  it("opens the cited source when its marker in the text is pressed, and moves the focus to it", async () => {
    const user = userEvent.setup();
    const { view } = show(vacationAnswer);
    await user.click(view.getByRole("button", { name: "Source 2: employee-handbook.md" }));
    const toggle = view.getByRole("button", { name: "[2] employee-handbook.md" });
    expect(toggle.getAttribute("aria-expanded")).toBe("true");
    expect(document.activeElement).toBe(toggle);
    expect(view.getByRole("button", { name: "[1] employee-handbook.md" }).getAttribute("aria-expanded")).toBe(
      "false",
    );
  });

  it("shows the confidence as the playground does, and the explanation on request", async () => {
    const user = userEvent.setup();
    const { view } = show(vacationAnswer);
    view.getByText("Confidence 90%");
    expect(view.queryByText("Abstained")).toBeNull();
    const why = view.getByRole("button", { name: "Why this answer" });
    expect(view.queryByText(vacationAnswer.explanation!)?.closest("[hidden]")).not.toBeNull();
    await user.click(why);
    expect(why.textContent).toBe("Hide explanation");
    expect(view.getByText(vacationAnswer.explanation!).closest("[hidden]")).toBeNull();
  });

  it("shows a hostile answer, quote and document name as text: no element is created from them", () => {
    const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const { element, view } = show({
      ...vacationAnswer,
      content: `Here is the answer ${hostile} [1] and after the marker ${hostile}`,
      citations: [
        { ref: "1", docName: `<b onmouseover=alert(1)>doc</b>.md`, quote: hostile, claim: hostile },
      ],
      explanation: hostile,
    });
    expect(element.querySelector("img, script, b, iframe")).toBeNull();
    expect(element.querySelector(".text")?.textContent).toBe(
      `Here is the answer ${hostile} 1 and after the marker ${hostile}`,
    );
    expect(element.querySelector("blockquote")?.textContent).toBe(hostile);
    view.getByRole("button", { name: "[1] <b onmouseover=alert(1)>doc</b>.md" });
    expect((window as unknown as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("leaves a marker without a matching citation as plain text", () => {
    const { element, view } = show({
      ...vacationAnswer,
      content: "See the table [3] and section [1].",
      citations: [vacationAnswer.citations[0]!],
    });
    expect(view.getAllByRole("button", { name: /^Source/ })).toHaveLength(1);
    expect(element.querySelector(".text")?.textContent).toBe("See the table [3] and section 1.");
  });

  it("shows an abstention plainly: marked, said in words, without a confidence it does not have", () => {
    const { element, view } = show({
      ...vacationAnswer,
      content: "I could not find anything about company cars in the documents I can search.",
      citations: [],
      confidence: null,
      abstained: true,
      explanation: null,
    });
    expect(element.classList.contains("abstained")).toBe(true);
    view.getByText("Abstained");
    view.getByText("The agent could not find this in its sources, so it did not answer.");
    expect(view.queryByText(/^Confidence/)).toBeNull();
    expect(view.queryByRole("list", { name: "Sources" })).toBeNull();
  });

  it("shows a low-confidence abstention's confidence too", () => {
    const { view } = show({ ...vacationAnswer, abstained: true, confidence: 0.234, citations: [] });
    view.getByText("Confidence 23%");
    view.getByText("Abstained");
  });
});
