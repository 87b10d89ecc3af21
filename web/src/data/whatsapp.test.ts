/** The connect and edit forms' rules: the platform's, checked before sending, and the bodies they send. */
import { describe, expect, it } from "vitest";
import { supportLine, whatsAppSecrets } from "../test/whatsappFixtures";
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
    expect(whatsAppDraftFieldOf("toString")).toBeUndefined();
    expect(whatsAppDraftFieldOf("")).toBeUndefined();
  });
});
