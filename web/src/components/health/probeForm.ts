/** The probe editor's form, read into the settings the platform accepts, or the problems per field. */
import { probeLimits, type Probe, type ProbeExpectation, type ProbeSettings } from "../../data/monitor";

export interface ProbeForm {
  readonly question: string;
  readonly expect: ProbeExpectation;
  /** One expected string per line. */
  readonly mustContain: string;
  readonly everyMinutes: string;
  readonly enabled: boolean;
}

export type ProbeFormProblems = Partial<Record<keyof ProbeForm, string>>;

export const newProbeForm: ProbeForm = {
  question: "",
  expect: "answers",
  mustContain: "",
  everyMinutes: "5",
  enabled: true,
};

export function probeFormOf(probe: Probe): ProbeForm {
  return {
    question: probe.question,
    expect: probe.expect,
    mustContain: probe.mustContain.join("\n"),
    everyMinutes: String(probe.everyMinutes),
    enabled: probe.enabled,
  };
}

export function readProbeForm(form: ProbeForm): {
  readonly settings: ProbeSettings | undefined;
  readonly problems: ProbeFormProblems;
} {
  const problems: ProbeFormProblems = {};
  const question = form.question.trim();
  if (question === "") problems.question = "Write the question the probe asks.";
  else if (question.length > probeLimits.question)
    problems.question = `At most ${probeLimits.question.toLocaleString("en")} characters.`;

  // An abstention has no text to look in.
  const mustContain =
    form.expect === "answers"
      ? form.mustContain
          .split("\n")
          .map((line) => line.trim())
          .filter((line) => line !== "")
      : [];
  if (mustContain.length > probeLimits.mustContain)
    problems.mustContain = `At most ${probeLimits.mustContain} lines.`;
  else if (mustContain.some((line) => line.length > probeLimits.mustContainLength))
    problems.mustContain = `At most ${probeLimits.mustContainLength} characters a line.`;

  const { min, max } = probeLimits.everyMinutes;
  const every = form.everyMinutes.trim();
  const everyMinutes = Number(every);
  if (!/^\d+$/.test(every) || everyMinutes < min || everyMinutes > max)
    problems.everyMinutes = `A whole number of minutes from ${min} to ${max.toLocaleString("en")}.`;

  if (Object.keys(problems).length > 0) return { settings: undefined, problems };
  return {
    settings: { question, expect: form.expect, mustContain, everyMinutes, enabled: form.enabled },
    problems,
  };
}
