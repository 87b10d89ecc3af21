import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { hrAssistant } from "../test/fixtures";
import { customerConversationDocument, customerMessages } from "../test/historyFixtures";
import {
  berlinMemory,
  customerKey,
  customerListed,
  danaDetail,
  danaKey,
  memoryTrace,
  vacationFlag,
} from "../test/narrativeFixtures";
import { errorResponse, jsonResponse, stubPlatform, type PlatformRoute } from "../test/platformFetch";
import { renderApp } from "../test/renderApp";
import { signInAs } from "../test/session";

beforeEach(() => {
  signInAs();
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const danaPath = `/v1/end-users/${danaKey}`;

/** The platform's side of Dana's page: memories change as the requests say, the page reads them again. */
function danaPlatform(overrides: Record<string, PlatformRoute> = {}) {
  let detail: { memories: unknown[]; flags: unknown[] } & Record<string, unknown> = {
    ...danaDetail,
    memories: [...danaDetail.memories],
    flags: [...danaDetail.flags],
  };
  return stubPlatform({
    "GET /v1/agents": () => jsonResponse({ agents: [hrAssistant] }),
    [`GET ${danaPath}`]: () => jsonResponse(detail),
    [`POST ${danaPath}/memories`]: (request) => {
      const body = request.body as Record<string, unknown>;
      const created = {
        ...berlinMemory,
        ...body,
        id: "mem_email",
        method: "editor",
        pattern: "acc_ann",
        source: null,
        supersedes: null,
      };
      detail = { ...detail, memories: [created, ...detail.memories] };
      return jsonResponse(created, 201);
    },
    [`DELETE ${danaPath}/memories/mem_berlin`]: () => {
      detail = {
        ...detail,
        memories: detail.memories.filter(
          (m) => !["mem_berlin", "mem_paris"].includes((m as { id: string }).id),
        ),
      };
      return new Response(null, { status: 204 });
    },
    [`PATCH ${danaPath}/flags/cfl_vacation`]: (request) => {
      const flag = {
        ...vacationFlag,
        ...(request.body as object),
        reviewedBy: "acc_ann",
        reviewedAt: new Date().toISOString(),
      };
      detail = { ...detail, flags: [flag] };
      return jsonResponse(flag);
    },
    ...overrides,
  });
}

async function openDana() {
  renderApp(`/end-users/${danaKey}`);
  expect(await screen.findByRole("heading", { level: 1, name: "End user widget:dana" })).toBeInTheDocument();
  return screen.getByRole("region", { name: /^Memories/ });
}

const memoryCard = (text: string) => screen.getByRole("article", { name: text });

describe("End user page", () => {
  it("shows each memory with its kind, method, confidence, source and expiry, and what it replaced", async () => {
    const user = userEvent.setup();
    danaPlatform();
    const memories = await openDana();

    expect(within(memories).getByRole("heading", { name: "Memories (3)" })).toBeInTheDocument();
    const berlin = memoryCard("You live in Berlin.");
    expect(within(berlin).getByText("Fact")).toBeInTheDocument();
    expect(within(berlin).getByText("Key: city")).toBeInTheDocument();
    expect(within(berlin).getByText("Method: Rules · moved-to")).toBeInTheDocument();
    expect(within(berlin).getByText("Confidence 90%")).toBeInTheDocument();
    expect(await within(berlin).findByText(/Only Acme HR assistant/)).toBeInTheDocument();
    expect(within(berlin).getByText(/From “I moved to Berlin last month”/)).toBeInTheDocument();
    expect(within(berlin).getByRole("link", { name: "Open the conversation" })).toHaveAttribute(
      "href",
      "/conversations/cnv_dana3",
    );
    const french = memoryCard("You prefer French.");
    expect(within(french).getByText("Method: Model · gpt-4o-mini")).toBeInTheDocument();
    expect(within(french).getByText(/expires/)).toBeInTheDocument();

    // Paris was replaced by Berlin: it is Berlin's history, not a memory of its own.
    expect(screen.queryByRole("article", { name: "You live in Paris." })).not.toBeInTheDocument();
    await user.click(within(berlin).getByRole("button", { name: "History (1 earlier memory)" }));
    const history = within(berlin).getByRole("list", { name: "Earlier memories" });
    expect(history).toHaveTextContent(
      /You live in Paris\..*Rules · live-in, replaced .*from “I live in Paris”/,
    );

    const conversations = screen.getByRole("table", { name: "Conversations of this end user" });
    expect(
      within(conversations)
        .getAllByRole("link")
        .map((a) => a.getAttribute("href")),
    ).toEqual(["/conversations/cnv_dana3", "/conversations/cnv_dana1"]);
  });

  it("adds a memory for an agent with a key, then reads the page again", async () => {
    const user = userEvent.setup();
    const platform = danaPlatform();
    await openDana();

    await user.click(screen.getByRole("button", { name: "Add memory" }));
    const dialog = await screen.findByRole("dialog", { name: "Add a memory" });
    await user.click(within(dialog).getByRole("button", { name: "Add memory" }));
    expect(within(dialog).getByRole("textbox", { name: "What to remember" })).toHaveAccessibleDescription(
      /Write what to remember/,
    );
    expect(platform.sent(`POST ${danaPath}/memories`)).toHaveLength(0);

    await user.type(within(dialog).getByRole("textbox", { name: "What to remember" }), "You prefer email.");
    await user.click(within(dialog).getByRole("combobox", { name: "Kind" }));
    await user.click(await screen.findByRole("option", { name: "Preference" }));
    await user.type(within(dialog).getByRole("textbox", { name: "Key (optional)" }), "contact");
    await user.click(within(dialog).getByRole("button", { name: "Add memory" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent(`POST ${danaPath}/memories`)[0]?.body).toEqual({
      agentId: "agt_hr",
      kind: "preference",
      key: "contact",
      text: "You prefer email.",
    });
    expect(await screen.findByRole("article", { name: "You prefer email." })).toBeInTheDocument();
    expect(screen.getByText("The memory was added.")).toBeInTheDocument();
    expect(platform.sent(`GET ${danaPath}`)).toHaveLength(2);
  });

  it("shows the platform's refusal of an edit under the field, and keeps the dialog open", async () => {
    const user = userEvent.setup();
    const platform = danaPlatform({
      [`PATCH ${danaPath}/memories/mem_french`]: () =>
        errorResponse(
          400,
          "invalid-argument",
          "text: Write the memory to the end user, in the second person.",
          {
            issues: [{ path: "text", message: "Write the memory to the end user, in the second person." }],
          },
        ),
    });
    await openDana();

    await user.click(within(memoryCard("You prefer French.")).getByRole("button", { name: "Edit" }));
    const dialog = await screen.findByRole("dialog", { name: "Edit memory" });
    const text = within(dialog).getByRole("textbox", { name: "What to remember" });
    expect(text).toHaveValue("You prefer French.");
    expect(within(dialog).getByLabelText("Forget it after (optional)")).toHaveValue("2027-06-30");
    await user.clear(text);
    await user.type(text, "Dana prefers French.");
    await user.click(within(dialog).getByRole("button", { name: "Save" }));

    expect(await within(dialog).findByRole("alert")).toHaveTextContent("The memory was not saved");
    expect(text).toHaveAccessibleDescription("Write the memory to the end user, in the second person.");
    expect(text).toHaveAttribute("aria-invalid", "true");
    // Only what changed was sent; the expiry, untouched, was not.
    expect(platform.sent(`PATCH ${danaPath}/memories/mem_french`)[0]?.body).toEqual({
      text: "Dana prefers French.",
    });

    await user.type(text, "!");
    expect(text).not.toHaveAttribute("aria-invalid", "true");
  });

  it("asks before deleting a memory and its history, then deletes both", async () => {
    const user = userEvent.setup();
    const platform = danaPlatform();
    await openDana();

    await user.click(within(memoryCard("You live in Berlin.")).getByRole("button", { name: "Delete" }));
    const confirm = await screen.findByRole("dialog", { name: "Delete this memory?" });
    expect(confirm).toHaveTextContent(
      "“You live in Berlin.”: this deletes it and its history (1 earlier memory). No agent will recall it again.",
    );
    await user.click(within(confirm).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(platform.sent(`DELETE ${danaPath}/memories/mem_berlin`)).toHaveLength(0);

    await user.click(within(memoryCard("You live in Berlin.")).getByRole("button", { name: "Delete" }));
    await user.click(
      within(await screen.findByRole("dialog", { name: "Delete this memory?" })).getByRole("button", {
        name: "Delete memory",
      }),
    );
    await waitFor(() =>
      expect(screen.queryByRole("article", { name: "You live in Berlin." })).not.toBeInTheDocument(),
    );
    expect(platform.sent(`DELETE ${danaPath}/memories/mem_berlin`)).toHaveLength(1);
    expect(screen.getByText("The memory and its history were deleted.")).toBeInTheDocument();
    expect(await screen.findByRole("heading", { name: "Memories (2)" })).toBeInTheDocument();
  });

  it("shows a contradiction with both claims and their sources, and marks it reviewed", async () => {
    const user = userEvent.setup();
    const platform = danaPlatform();
    await openDana();

    const flags = screen.getByRole("region", { name: "Consistency flags (1 open)" });
    const flag = within(flags).getByRole("article", { name: /^Contradiction: states 20/ });
    expect(flag).toHaveTextContent(
      /Earlier, .*“Full-time employees receive 25 vacation days per calendar year\.”/,
    );
    expect(flag).toHaveTextContent(/Now“Full-time employees receive 20 vacation days per calendar year\.”/);
    expect(flag).toHaveTextContent("employee-handbook.md: “Full-time employees receive 20 vacation days");
    expect(flag).toHaveTextContent("Why they disagree: states 20 where the earlier answer stated 25");
    expect(within(flag).getByText("Open")).toBeInTheDocument();

    await user.click(within(flag).getByRole("button", { name: "Mark reviewed" }));
    expect(await screen.findByRole("region", { name: "Consistency flags (0 open)" })).toBeInTheDocument();
    expect(platform.sent(`PATCH ${danaPath}/flags/cfl_vacation`)[0]?.body).toEqual({ status: "reviewed" });
    expect(screen.getByText(/^Reviewed by acc_ann on/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Reopen" })).toBeInTheDocument();
  });

  it("says so for an end user the workspace does not have", async () => {
    stubPlatform({
      "GET /v1/agents": () => jsonResponse({ agents: [] }),
      [`GET ${danaPath}`]: () => errorResponse(404, "not-found", "No end user"),
    });
    renderApp(`/end-users/${danaKey}`);
    expect(await screen.findByText(/This workspace has no end user with the key/)).toBeInTheDocument();
  });
});

describe("The transcript links to its end user", () => {
  const transcriptRoutes = {
    "GET /v1/conversations/cnv_customer118": () => jsonResponse(customerConversationDocument),
    "GET /v1/conversations/cnv_customer118/messages": () => jsonResponse({ messages: customerMessages }),
    "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
  };
  const endUserFact = () =>
    screen.getByText("End user", { selector: "dt" }).nextElementSibling as HTMLElement;

  it("finds the end user by their exact reference and links to their page", async () => {
    const platform = stubPlatform({
      ...transcriptRoutes,
      // A search is by substring: another reference containing this one comes first.
      "GET /v1/end-users": () =>
        jsonResponse({
          endUsers: [
            { ...customerListed, endUserKey: "f".repeat(40), endUserRef: "customer-1180" },
            customerListed,
          ],
          nextCursor: null,
        }),
    });
    renderApp("/conversations/cnv_customer118");
    const link = await within(
      await screen.findByText("End user", { selector: "dt" }).then(() => endUserFact()),
    ).findByRole("link", { name: "customer-118" });
    expect(link).toHaveAttribute("href", `/end-users/${customerKey}`);
    expect(platform.sent("GET /v1/end-users")[0]?.query.get("q")).toBe("customer-118");
  });

  it("shows the reference without a link when no agent with memory has met them", async () => {
    const platform = stubPlatform({
      ...transcriptRoutes,
      "GET /v1/end-users": () => jsonResponse({ endUsers: [], nextCursor: null }),
    });
    renderApp("/conversations/cnv_customer118");
    await screen.findByRole("list", { name: "Messages" });
    await waitFor(() => expect(platform.sent("GET /v1/end-users")).toHaveLength(1));
    expect(endUserFact()).toHaveTextContent("customer-118");
    expect(within(endUserFact()).queryByRole("link")).not.toBeInTheDocument();
  });
});

describe("A trace's memory section", () => {
  it("lists the memories used, cited or not, what was remembered and forgotten, and the contradiction", async () => {
    const user = userEvent.setup();
    const messages = customerMessages.map((m) =>
      m.id === "msg_a1"
        ? {
            ...m,
            content: `${m.content} You live in Berlin. [M1]`,
            citations: [
              ...m.citations,
              {
                ref: "M1",
                kbId: "",
                docId: "memory:mem_berlin",
                docName: "You live in Berlin.",
                memoryId: "mem_berlin",
                quote: "You live in Berlin.",
                location: { headingPath: [] },
                score: 0.82,
              },
            ],
          }
        : m,
    );
    stubPlatform({
      "GET /v1/conversations/cnv_customer118": () => jsonResponse(customerConversationDocument),
      "GET /v1/conversations/cnv_customer118/messages": () => jsonResponse({ messages }),
      "GET /v1/agents/agt_hr": () => jsonResponse(hrAssistant),
      "GET /v1/end-users": () => jsonResponse({ endUsers: [], nextCursor: null }),
      "GET /v1/traces/trc_vacation": () => jsonResponse(memoryTrace),
    });
    renderApp("/conversations/cnv_customer118");
    await screen.findByRole("list", { name: "Messages" });

    // A memory is cited as what it is, not as a document.
    const chip = screen.getByRole("button", { name: "[M1] Memory" });
    await user.click(chip);
    const citation = await screen.findByRole("dialog", { name: "[M1] Memory" });
    expect(citation).toHaveTextContent(/Something the agent remembers about this end user/);
    expect(citation).not.toHaveTextContent("Location:");
    await user.click(within(citation).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());

    await user.click(screen.getAllByRole("button", { name: "Trace" })[0] as HTMLElement);
    const used = await screen.findByRole("list", { name: "Memories used" });
    const items = within(used).getAllByRole("listitem");
    expect(items[0]).toHaveTextContent(/\[M1\] You live in Berlin\. — Fact \(city\), score 0\.82.*Cited/);
    expect(items[1]).toHaveTextContent(/\[M2\] Your name is Dana\..*Not cited/);
    expect(
      screen.getByText(
        /3 memories recalled; 2 shown to the model as evidence, 1 cited by the answer\. Forgot 1 memory as the end user asked\./,
      ),
    ).toBeInTheDocument();
    expect(screen.getByRole("list", { name: "Remembered from this turn" })).toHaveTextContent(
      "Fact (city) by the rule patterns, replacing what was remembered before",
    );
    expect(screen.getByRole("list", { name: "Contradictions" })).toHaveTextContent(
      /Earlier \(.*\): “Full-time employees receive 25 vacation days per calendar year\.”Now: “Full-time employees receive 20 .*states 20 where the earlier answer stated 25/,
    );
  });
});
