import { describe, expect, it } from "vitest";
import { parseAlertRule } from "../../data/rest/monitor";
import { abstentionRule, errorRateRule } from "../../test/monitorFixtures";
import { readChannelForm, recipientsOf } from "./channelForm";
import { newProbeForm, readProbeForm } from "./probeForm";
import { conditionTypesFor, newRuleForm, readRuleForm, ruleFormOf, withMetric } from "./ruleForm";

describe("the alert rule form", () => {
  it("reads a new rule, its threshold typed as a percentage", () => {
    const { input, problems } = readRuleForm({
      ...newRuleForm,
      name: " HR assistant errors ",
      agentId: "agt_hr",
    });
    expect(problems).toEqual({});
    expect(input).toEqual({
      name: "HR assistant errors",
      metric: "error-rate",
      filter: { agentId: "agt_hr" },
      condition: { type: "threshold", op: ">", value: 0.05 },
      windowMinutes: 10,
      forMinutes: 5,
      minSamples: 20,
      severity: "warning",
      renotifyMinutes: 60,
      channels: [],
      enabled: true,
    });
  });

  it("opens an existing rule as it was saved, and reads it back unchanged", () => {
    for (const fixture of [errorRateRule, abstentionRule]) {
      const rule = parseAlertRule(fixture);
      const { id: _id, builtIn: _b, createdAt: _c, updatedAt: _u, state: _s, ...saved } = rule;
      expect(readRuleForm(ruleFormOf(rule)).input).toEqual(saved);
    }
    expect(ruleFormOf(parseAlertRule(errorRateRule)).threshold).toBe("5");
  });

  it("names each field the platform would refuse", () => {
    const { input, problems } = readRuleForm({
      ...newRuleForm,
      name: "",
      threshold: "five",
      windowMinutes: "0",
      forMinutes: "2000",
      minSamples: "1.5",
      renotifyMinutes: "",
    });
    expect(input).toBeUndefined();
    expect(problems).toEqual({
      name: "Give the rule a name.",
      threshold: "A number.",
      windowMinutes: "From 1 to 1,440.",
      forMinutes: "From 0 to 1,440.",
      minSamples: "A whole number from 0 to 1,000,000.",
      renotifyMinutes: "A whole number from 0 to 10,080.",
    });
    expect(
      readRuleForm({ ...newRuleForm, name: "x", conditionType: "change", factor: "0" }).problems,
    ).toEqual({
      factor: "A number above 0, at most 1000.",
    });
  });

  it("offers only the conditions the platform accepts for a metric", () => {
    expect(conditionTypesFor("turns")).toEqual(["threshold", "change", "absent"]);
    expect(conditionTypesFor("budget")).toEqual(["threshold"]);
    expect(conditionTypesFor("error-rate")).toEqual(["threshold", "change"]);
    const absentTurns = {
      ...newRuleForm,
      name: "Nobody asks",
      metric: "turns" as const,
      conditionType: "absent" as const,
    };
    expect(readRuleForm(absentTurns).input?.condition).toEqual({ type: "absent" });
    // Another metric keeps the condition when it applies, and falls back to a threshold when not.
    expect(withMetric(absentTurns, "error-rate").conditionType).toBe("threshold");
    expect(withMetric({ ...absentTurns, conditionType: "change" }, "latency-p95").conditionType).toBe(
      "change",
    );
    expect(readRuleForm({ ...absentTurns, metric: "error-rate" }).problems.conditionType).toBe(
      "Only turns can be watched for no data.",
    );
  });
});

describe("the probe form", () => {
  it("reads the expected strings one per line, and none for an abstention", () => {
    const form = {
      ...newProbeForm,
      question: " How many vacation days? ",
      mustContain: "25 days\n\n  paid \n",
    };
    expect(readProbeForm(form).settings).toEqual({
      question: "How many vacation days?",
      expect: "answers",
      mustContain: ["25 days", "paid"],
      everyMinutes: 5,
      enabled: true,
    });
    expect(readProbeForm({ ...form, expect: "abstains" }).settings?.mustContain).toEqual([]);
  });

  it("refuses an empty question, too many lines and a schedule out of range", () => {
    const { settings, problems } = readProbeForm({
      ...newProbeForm,
      mustContain: Array.from({ length: 11 }, (_, i) => `line ${i}`).join("\n"),
      everyMinutes: "0",
    });
    expect(settings).toBeUndefined();
    expect(problems).toEqual({
      question: "Write the question the probe asks.",
      mustContain: "At most 10 lines.",
      everyMinutes: "A whole number of minutes from 1 to 1,440.",
    });
  });
});

describe("the notification channel form", () => {
  it("reads email addresses separated any way, once each", () => {
    expect(recipientsOf("ops@acme.example, Ann@Acme.example\nann@acme.example;bob@acme.example")).toEqual([
      "ops@acme.example",
      "ann@acme.example",
      "bob@acme.example",
    ]);
    expect(readChannelForm({ type: "email", name: "Ops", url: "", to: "ops@acme.example" }).input).toEqual({
      type: "email",
      name: "Ops",
      to: ["ops@acme.example"],
    });
  });

  it("sends a webhook's address, and only what its type takes", () => {
    expect(
      readChannelForm({ type: "webhook", name: " Pager ", url: " https://hooks.acme.example/a ", to: "x" })
        .input,
    ).toEqual({ type: "webhook", name: "Pager", url: "https://hooks.acme.example/a" });
    expect(readChannelForm({ type: "in-app", name: "Studio", url: "ignored", to: "" }).input).toEqual({
      type: "in-app",
      name: "Studio",
    });
  });

  it("refuses Slack over http, credentials in an address, and a wrong email", () => {
    expect(
      readChannelForm({ type: "slack", name: "Ops", url: "http://hooks.slack.com/x", to: "" }).problems,
    ).toEqual({
      url: "An https:// address.",
    });
    expect(
      readChannelForm({ type: "webhook", name: "Ops", url: "https://user:pw@hooks.acme.example", to: "" })
        .problems,
    ).toEqual({ url: "Without a user name or password in it." });
    expect(
      readChannelForm({ type: "email", name: "", url: "", to: "ops@acme, ann@acme.example" }).problems,
    ).toEqual({
      name: "Give the channel a name, e.g. “On-call Slack”.",
      to: "“ops@acme” is not an email address.",
    });
  });
});
