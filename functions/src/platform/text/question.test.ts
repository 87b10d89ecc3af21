import { describe, expect, it } from "vitest";
import { answerTypeOf, hasAnswerType } from "./question.js";

describe("answerTypeOf", () => {
  it.each([
    ["How many vacation days do I get?", "number"],
    ["What is the maximum file size?", "number"],
    ["How long can one version component be before coerce ignores it?", "number"],
    ["Which Node.js versions does it need?", "number"],
    ["On what date will Beacon 4.7 be released?", "date"],
    ["When will version 5 be released?", "date"],
    ["How do I turn off URL-encoding?", "instruction"],
    ["What's the command to convert a file from the terminal?", "instruction"],
    ["Which option makes it retry?", "instruction"],
    ["Who maintains qs today?", "name"],
    ["Why is fun() risky for large outputs?", "any"],
    ["Does mammoth sanitise its HTML?", "any"],
    ["What is the default value of the idPrefix option?", "any"],
  ])("%s → %s", (question, type) => {
    expect(answerTypeOf(question)).toBe(type);
  });
});

describe("hasAnswerType", () => {
  it("finds a number in digits or in words", () => {
    expect(hasAnswerType("number", "Up to 1000 parameters are parsed.")).toBe(true);
    expect(hasAnswerType("number", "Requests are answered within two days.")).toBe(true);
    expect(hasAnswerType("number", "Requests are answered quickly.")).toBe(false);
  });

  it("finds a date, and not a version number", () => {
    expect(hasAnswerType("date", "Beacon 4.7 ships on March 3.")).toBe(true);
    expect(hasAnswerType("date", "It was released in 2024.")).toBe(true);
    expect(hasAnswerType("date", "The legacy CSV importer will be removed in Beacon 4.7.")).toBe(false);
  });

  it("finds something to type or call", () => {
    expect(hasAnswerType("instruction", "qs.parse('?a=b', { ignoreQueryPrefix: true })")).toBe(true);
    expect(hasAnswerType("instruction", "Run `npm install` first.")).toBe(true);
    expect(hasAnswerType("instruction", "-p --include-prerelease Always include prereleases")).toBe(true);
    expect(hasAnswerType("instruction", "The behaviour is described below.")).toBe(false);
  });

  it("finds a name", () => {
    expect(hasAnswerType("name", "It was created by TJ Holowaychuk.")).toBe(true);
    expect(hasAnswerType("name", "it was created long ago.")).toBe(false);
  });

  it("accepts anything for a question of no particular type", () => {
    expect(hasAnswerType("any", "Yes.")).toBe(true);
  });
});
