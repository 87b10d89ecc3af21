/** The connect and edit forms' rules: the platform's, checked before sending, and the bodies they send. */
import { describe, expect, it } from "vitest";
import { salesLine, supportLine, whatsAppSecrets } from "../test/whatsappFixtures";
import {
  emptyWhatsAppDraft,
  whatsAppDraftFieldOf,
  whatsAppDraftOf,
  whatsAppDraftProblems,
  whatsAppInputOf,
  whatsAppPatchOf,
  type WhatsAppConnectionDraft,
} from "./whatsapp";

const complete: WhatsAppConnectionDraft = {
  ...emptyWhatsAppDraft,
  label: "Support line",
  phoneNumberId: " 106540352242922 ",
  wabaId: "102290129340398",
  agentId: "agt_hr",
  ...whatsAppSecrets,
};

describe("whatsAppDraftProblems", () => {
  it("finds nothing wrong with a complete draft", () => {
    expect(whatsAppDraftProblems(complete, "connect")).toEqual({});
    expect(
      whatsAppDraftProblems({ ...complete, templateName: "follow_up", templateLanguage: "en_US" }, "connect"),
    ).toEqual({});
  });

  it("names each field the platform would refuse", () => {
    const problems = whatsAppDraftProblems(
      {
        ...emptyWhatsAppDraft,
        label: "x".repeat(101),
        phoneNumberId: "+31 6 1234 5678",
        wabaId: "1234",
        agentId: "",
        accessToken: "short",
        appSecret: "",
        verifyToken: "       7",
        templateName: "Follow-Up",
        templateLanguage: "english",
      },
      "connect",
    );

    expect(problems).toEqual({
      label: "At most 100 characters.",
      phoneNumberId: "Enter the numeric id Meta shows: 5 to 30 digits.",
      wabaId: "Enter the numeric id Meta shows: 5 to 30 digits.",
      agentId: "Choose the agent that answers on this number.",
      accessToken: "At least 8 characters.",
      appSecret: "At least 8 characters.",
      // The platform trims before counting.
      verifyToken: "At least 8 characters.",
      templateName: "Lower-case letters, digits and _ only, as the template is named in Meta.",
      templateLanguage: "A language code such as en or en_US.",
    });
  });

  it("asks for both halves of a template", () => {
    expect(whatsAppDraftProblems({ ...complete, templateName: "follow_up" }, "connect")).toEqual({
      templateLanguage: "Give the template's language too, such as en or en_US.",
    });
    expect(whatsAppDraftProblems({ ...complete, templateLanguage: "en" }, "connect")).toEqual({
      templateName: "Give the template's name too.",
    });
  });

  it("checks the documents setting only when it is on", () => {
    const off = { ...complete, documentsSenders: "not a number" };
    expect(whatsAppDraftProblems(off, "connect")).toEqual({});

    expect(whatsAppDraftProblems({ ...off, documentsOn: true, documentsSenders: " \n" }, "connect")).toEqual({
      documentsKnowledgeBaseId: "Choose the knowledge base the documents go to.",
      documentsSenders: "List at least one number allowed to add documents.",
    });
  });

  it("names each sender line the platform would refuse, by its number", () => {
    const problems = (senders: string) =>
      whatsAppDraftProblems(
        {
          ...complete,
          documentsOn: true,
          documentsKnowledgeBaseId: "kb_handbook",
          documentsSenders: senders,
        },
        "connect",
      ).documentsSenders;

    // As people paste numbers: a leading +, spaces, dashes, parentheses; blank lines are ignored.
    expect(problems("+31 6 1234 5678\n\n  49 (151) 123-45678  ")).toBeUndefined();
    expect(problems("31612345678\nAnn's phone\n0612345678\n1234\n+31 6 1234 5678")).toBe(
      "Line 2: digits only, such as +31 6 1234 5678. " +
        "Line 3: start with the country code, without 0 or 00. " +
        "Line 4: 5 to 20 digits, country code first.",
    );
    expect(problems(["x1", "x2", "x3", "x4", "x5"].join("\n"))).toMatch(/Line 3: .*\. And 2 more lines\.$/);
    expect(problems("1".repeat(21))).toBe("Line 1: 5 to 20 digits, country code first.");
    const fiftyOne = Array.from({ length: 51 }, (_, i) => `3161234${String(i).padStart(4, "0")}`);
    expect(problems(fiftyOne.join("\n"))).toBe("At most 50 numbers.");
    // The same number twice is sent once, so it counts once.
    expect(problems([...fiftyOne.slice(0, 50), fiftyOne[0]].join("\n"))).toBeUndefined();
  });

  it("lets an edit leave secrets empty, but not its label", () => {
    const draft = { ...whatsAppDraftOf(supportLine), label: " " };
    expect(whatsAppDraftProblems(draft, "edit")).toEqual({ label: "Give the number a label." });
    expect(whatsAppDraftProblems({ ...draft, label: "Support", appSecret: "short" }, "edit")).toEqual({
      appSecret: "At least 8 characters.",
    });
  });
});

describe("the bodies the forms send", () => {
  it("connects with trimmed values, no label when none is given, and no template when none is set", () => {
    expect(whatsAppInputOf({ ...complete, label: "  " })).toEqual({
      phoneNumberId: "106540352242922",
      wabaId: "102290129340398",
      agentId: "agt_hr",
      ...whatsAppSecrets,
      template: null,
    });
  });

  it("connects with the documents setting when it is on: each number once, in digits", () => {
    const draft = {
      ...complete,
      documentsOn: true,
      documentsKnowledgeBaseId: "kb_handbook",
      documentsSenders: "+31 6 1234 5678\n4915112345678\n\n31612345678",
    };
    expect(whatsAppInputOf(draft).documents).toEqual({
      knowledgeBaseId: "kb_handbook",
      senders: ["31612345678", "4915112345678"],
    });
    // Off, the field is left out: the platform adds no document by default.
    expect(whatsAppInputOf({ ...draft, documentsOn: false })).not.toHaveProperty("documents");
  });

  it("sends the documents setting in an edit only when it changed, and null to turn it off", () => {
    const draft = whatsAppDraftOf(supportLine);
    expect(draft).toMatchObject({
      documentsOn: true,
      documentsKnowledgeBaseId: "kb_handbook",
      documentsSenders: "31612345678\n4915112345678",
    });
    expect(whatsAppPatchOf(draft, supportLine)).not.toHaveProperty("documents");
    expect(whatsAppPatchOf({ ...draft, documentsOn: false }, supportLine)).toMatchObject({ documents: null });
    expect(
      whatsAppPatchOf(
        { ...draft, documentsSenders: `${draft.documentsSenders}\n+44 7700 900123` },
        supportLine,
      ).documents,
    ).toEqual({ knowledgeBaseId: "kb_handbook", senders: ["31612345678", "4915112345678", "447700900123"] });
    // A number without documents, and an edit that leaves them off, says nothing of them.
    expect(whatsAppPatchOf(whatsAppDraftOf(salesLine), salesLine)).not.toHaveProperty("documents");
  });

  it("edits without the secrets left empty or an unchanged agent, but always with the label and template", () => {
    const draft = whatsAppDraftOf(supportLine);
    expect(draft.accessToken).toBe("");
    expect(whatsAppPatchOf({ ...draft, label: "Support (EU)" }, supportLine)).toEqual({
      label: "Support (EU)",
      template: null,
    });
    expect(
      whatsAppPatchOf(
        {
          ...draft,
          agentId: "agt_travel",
          appSecret: " new-app-secret-2027 ",
          templateName: "follow_up",
          templateLanguage: "en",
        },
        supportLine,
      ),
    ).toEqual({
      label: "Support line",
      agentId: "agt_travel",
      template: { name: "follow_up", language: "en" },
      appSecret: "new-app-secret-2027",
    });
  });

  it("places the platform's validation issues under their fields", () => {
    expect(whatsAppDraftFieldOf("phoneNumberId")).toBe("phoneNumberId");
    expect(whatsAppDraftFieldOf("template.language")).toBe("templateLanguage");
    expect(whatsAppDraftFieldOf("template.name")).toBe("templateName");
    expect(whatsAppDraftFieldOf("documents.knowledgeBaseId")).toBe("documentsKnowledgeBaseId");
    expect(whatsAppDraftFieldOf("documents.senders")).toBe("documentsSenders");
    expect(whatsAppDraftFieldOf("documents.senders.3")).toBe("documentsSenders");
    expect(whatsAppDraftFieldOf("toString")).toBeUndefined();
    expect(whatsAppDraftFieldOf("")).toBeUndefined();
  });
});
