import { describe, expect, it } from "vitest";
import { evenShares, sharesProblem } from "../../data/experiments";
import {
  draftProblems,
  inputOf,
  newExperimentDraft,
  platformDefaultModel,
  shareOf,
  withoutVariant,
  withVariant,
} from "./experimentForm";

describe("the experiment form", () => {
  it("spreads the traffic evenly as variants come and go, in shares that add up to exactly 1", () => {
    let draft = newExperimentDraft("agt_hr");
    draft = withVariant(withVariant(draft));
    expect(draft.variants.map((v) => v.sharePercent)).toEqual(["25", "25", "25", "25"]);
    draft = withVariant(draft);
    expect(draft.variants).toHaveLength(5);
    expect(withVariant(draft).variants).toHaveLength(5);
    const three = withoutVariant(withoutVariant(draft, 4), 3);
    expect(three.variants.map((v) => v.sharePercent)).toEqual(["34", "33", "33"]);
    expect(sharesProblem(inputOf(three).variants.map((v) => v.share))).toBeUndefined();
    expect(withoutVariant(withoutVariant(three, 2), 1).variants).toHaveLength(2);
    expect(evenShares(3)).toEqual([0.34, 0.33, 0.33]);
  });

  it("reads percents exactly, refusing what is not one", () => {
    expect(shareOf("33.33")).toBe(0.3333);
    expect(shareOf("50%")).toBe(0.5);
    expect(shareOf("half")).toBeNaN();
  });

  it("sends only what a variant changes", () => {
    const draft = newExperimentDraft("agt_hr");
    const [control, b] = draft.variants;
    const input = inputOf({
      ...draft,
      name: " Staging prompt ",
      variants: [
        control!,
        {
          ...b!,
          promptMode: "label",
          promptTemplateId: "prm_hr",
          promptLabel: "staging",
          modelName: platformDefaultModel,
          temperature: "0.1",
          replaceKnowledge: true,
          knowledgeBaseIds: [],
          agentVersion: "1",
        },
      ],
    });
    expect(input).toEqual({
      agentId: "agt_hr",
      name: "Staging prompt",
      description: "",
      metric: "answerRate",
      variants: [
        { name: "Control", share: 0.5, overrides: {} },
        {
          name: "Variant B",
          share: 0.5,
          overrides: {
            prompt: { templateId: "prm_hr", label: "staging" },
            modelName: null,
            temperature: 0.1,
            knowledgeBaseIds: [],
            agentVersion: 1,
          },
        },
      ],
    });
  });

  it("names each field that needs a change, and shares that do not add up to 100", () => {
    const draft = newExperimentDraft();
    const [a, b] = draft.variants;
    const problems = draftProblems({
      ...draft,
      variants: [
        { ...a!, sharePercent: "60", temperature: "3" },
        { ...b!, name: "", sharePercent: "30", promptMode: "version", promptTemplateId: "" },
      ],
    });
    expect(problems).toEqual({
      agentId: "Choose the agent whose traffic is split.",
      name: "Give the experiment a name.",
      "variants.0.overrides.temperature": "From 0 to 2.",
      "variants.1.name": "Name the variant.",
      "variants.1.overrides.prompt.templateId": "Choose a template.",
      "variants.1.overrides.prompt.version": "Choose a version.",
      shares: "The shares add up to 90%; they must add up to 100%.",
    });
  });
});
