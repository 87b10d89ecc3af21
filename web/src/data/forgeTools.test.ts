import { describe, expect, it } from "vitest";
import { billingToolSet } from "../test/toolFixtures";
import { editIssueField, tagsOf, toolEditProblems, toolMatches, toolsWithEdit } from "./forgeTools";
import { parseToolSetRecord } from "./rest/toolSets";

const { tools } = parseToolSetRecord(billingToolSet);
const refund = tools.find((t) => t.name === "refundInvoice");
if (!refund) throw new Error("the fixture has refundInvoice");
const keep = { name: "refundInvoice", description: refund.description, select: "" };

describe("toolEditProblems", () => {
  it("accepts a tool kept as it is, and a new unique name", () => {
    expect(toolEditProblems(tools, "refundInvoice", keep)).toEqual({});
    expect(toolEditProblems(tools, "refundInvoice", { ...keep, name: "refund_invoice-v2" })).toEqual({});
  });

  it.each([
    ["", "Give the tool a name."],
    ["refund invoice", "1 to 64 letters, digits, '_' or '-': no spaces or other characters."],
    ["r".repeat(65), "1 to 64 letters, digits, '_' or '-': no spaces or other characters."],
    ["getInvoice", "Another tool of this set is named getInvoice."],
  ])("refuses the name %j", (name, problem) => {
    expect(toolEditProblems(tools, "refundInvoice", { ...keep, name })).toEqual({ name: problem });
  });

  it("asks for a description of at most 2,000 characters", () => {
    expect(toolEditProblems(tools, "refundInvoice", { ...keep, description: "  " }).description).toBe(
      "Say what the tool does: the model reads it.",
    );
    expect(
      toolEditProblems(tools, "refundInvoice", { ...keep, description: "x".repeat(2001) }).description,
    ).toBe("At most 2,000 characters (2,001 now).");
  });

  it.each([
    ["/data/items", undefined],
    ["/a~1b/~0c", undefined],
    [
      "data/items",
      "A JSON pointer starts with / (such as /data/items), or stays empty for the whole answer.",
    ],
    [
      "/bad~2escape",
      "A JSON pointer starts with / (such as /data/items), or stays empty for the whole answer.",
    ],
  ])("checks the response pointer %j", (select, problem) => {
    expect(toolEditProblems(tools, "refundInvoice", { ...keep, select }).select).toBe(problem);
  });
});

describe("finding tools", () => {
  it("counts the tags in alphabetical order", () => {
    expect(tagsOf(tools)).toEqual([
      { tag: "customers", count: 1 },
      { tag: "invoices", count: 3 },
      { tag: "refunds", count: 1 },
    ]);
  });

  it("matches every word of a search, within a tag", () => {
    const names = (search: string, tag: string | null) =>
      tools.filter((t) => toolMatches(t, search, tag)).map((t) => t.name);
    expect(names("", "invoices")).toEqual(["listInvoices", "getInvoice", "refundInvoice"]);
    expect(names("POST refunds", null)).toEqual(["refundInvoice"]);
    expect(names("card", "customers")).toEqual([]);
  });
});

describe("saving an edit", () => {
  it("changes the three fields of one tool and sends the others back as stored", () => {
    const sent = toolsWithEdit(tools, "refundInvoice", {
      name: " refund_invoice ",
      description: " Refund a paid invoice. ",
      select: "",
    });
    expect(sent[2]).toEqual({
      ...billingToolSet.tools[2],
      name: "refund_invoice",
      description: "Refund a paid invoice.",
      select: null,
    });
    expect(sent.filter((_, i) => i !== 2)).toEqual(billingToolSet.tools.filter((_, i) => i !== 2));
  });

  it("names the field a refusal points at, for the edited tool only", () => {
    expect(editIssueField("tools.2.name", 2)).toBe("name");
    expect(editIssueField("tools.2.select", 2)).toBe("select");
    expect(editIssueField("tools.1.name", 2)).toBeUndefined();
    expect(editIssueField("tools.2.operation.path", 2)).toBeUndefined();
  });
});
