/**
 * The alert rule editor's form: every field as typed, read into the rule the platform accepts, or the
 * problems that keep it from being sent (the platform's limits, repeated so the form says so first). Shares
 * are typed as percentages.
 */
import type {
  AlertMetric,
  AlertRule,
  AlertRuleInput,
  Comparison,
  ConditionType,
  RuleCondition,
  RuleFilter,
  Severity,
} from "../../data/monitor";
import { alertMetrics, ruleLimits } from "../../data/monitor";
import { fromThresholdInput, toThresholdInput } from "./format";

export interface RuleForm {
  readonly name: string;
  readonly metric: AlertMetric;
  /** "" for every agent, channel or route. */
  readonly agentId: string;
  readonly channel: string;
  readonly route: string;
  readonly conditionType: ConditionType;
  readonly op: Comparison;
  /** In the metric's input unit (a percentage for shares). */
  readonly threshold: string;
  readonly factor: string;
  readonly windowMinutes: string;
  readonly forMinutes: string;
  readonly minSamples: string;
  readonly severity: Severity;
  readonly renotifyMinutes: string;
  /** Notification channel ids; none: every channel. */
  readonly channels: readonly string[];
  readonly enabled: boolean;
}

export type RuleFormField = keyof RuleForm;
/** The fields typed (or picked) as free text. */
export type RuleTextField = {
  [K in keyof RuleForm]: string extends RuleForm[K] ? K : never;
}[keyof RuleForm];
export type RuleFormProblems = Partial<Record<RuleFormField, string>>;

/** What a workspace's rule may watch: the queue's age is the operator's (queues are shared). */
export const workspaceMetrics: readonly AlertMetric[] = alertMetrics.filter((m) => m !== "queue-age");

/**
 * The conditions that apply to a metric, as the platform checks them: an absence watches turns, and the
 * credits spent are compared with a threshold only.
 */
export function conditionTypesFor(metric: AlertMetric): readonly ConditionType[] {
  if (metric === "turns") return ["threshold", "change", "absent"];
  if (metric === "budget" || metric === "queue-age") return ["threshold"];
  return ["threshold", "change"];
}

/** The form with another metric, its condition kept when it still applies. */
export function withMetric(form: RuleForm, metric: AlertMetric): RuleForm {
  const types = conditionTypesFor(metric);
  return {
    ...form,
    metric,
    conditionType: types.includes(form.conditionType) ? form.conditionType : "threshold",
  };
}

/** Metrics the platform reads live, with no history for a preview to replay. */
export const liveMetrics: readonly AlertMetric[] = ["budget", "queue-age"];

/** A new rule: an error rate above 5% over 10 minutes, for 5 minutes. */
export const newRuleForm: RuleForm = {
  name: "",
  metric: "error-rate",
  agentId: "",
  channel: "",
  route: "",
  conditionType: "threshold",
  op: ">",
  threshold: "5",
  factor: "2",
  windowMinutes: "10",
  forMinutes: "5",
  minSamples: "20",
  severity: "warning",
  renotifyMinutes: "60",
  channels: [],
  enabled: true,
};

/** The form of an existing rule, as its editor opens. */
export function ruleFormOf(rule: AlertRule): RuleForm {
  const { condition } = rule;
  return {
    name: rule.name,
    metric: rule.metric,
    agentId: rule.filter.agentId ?? "",
    channel: rule.filter.channel ?? "",
    route: rule.filter.route ?? "",
    conditionType: condition.type,
    op: condition.type === "threshold" ? condition.op : newRuleForm.op,
    threshold:
      condition.type === "threshold"
        ? String(toThresholdInput(rule.metric, condition.value))
        : newRuleForm.threshold,
    factor: condition.type === "change" ? String(condition.factor) : newRuleForm.factor,
    windowMinutes: String(rule.windowMinutes),
    forMinutes: String(rule.forMinutes),
    minSamples: String(rule.minSamples),
    severity: rule.severity,
    renotifyMinutes: String(rule.renotifyMinutes),
    channels: rule.channels,
    enabled: rule.enabled,
  };
}

/** A whole number in `[min, max]`, or why not. */
function wholeNumber(
  text: string,
  { min, max }: { readonly min: number; readonly max: number },
): number | string {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return `A whole number from ${min} to ${max.toLocaleString("en")}.`;
  const value = Number(trimmed);
  if (value < min || value > max) return `From ${min} to ${max.toLocaleString("en")}.`;
  return value;
}

/** A decimal number, or undefined. */
function decimal(text: string): number | undefined {
  const trimmed = text.trim();
  if (!/^-?(\d+\.?\d*|\.\d+)$/.test(trimmed)) return undefined;
  return Number(trimmed);
}

/** Reads the form: the rule to send, or the problems, per field, that keep it from being sent. */
export function readRuleForm(form: RuleForm): {
  readonly input: AlertRuleInput | undefined;
  readonly problems: RuleFormProblems;
} {
  const problems: RuleFormProblems = {};
  const name = form.name.trim();
  if (name === "") problems.name = "Give the rule a name.";
  else if (name.length > ruleLimits.name) problems.name = `At most ${ruleLimits.name} characters.`;

  let condition: RuleCondition | undefined;
  if (!conditionTypesFor(form.metric).includes(form.conditionType)) {
    problems.conditionType =
      form.conditionType === "absent"
        ? "Only turns can be watched for no data."
        : "This metric is compared with a threshold.";
  } else if (form.conditionType === "threshold") {
    const typed = decimal(form.threshold);
    if (typed === undefined) problems.threshold = "A number.";
    else condition = { type: "threshold", op: form.op, value: fromThresholdInput(form.metric, typed) };
  } else if (form.conditionType === "change") {
    const factor = decimal(form.factor);
    if (factor === undefined || factor <= 0 || factor > ruleLimits.maxFactor)
      problems.factor = `A number above 0, at most ${ruleLimits.maxFactor}.`;
    else condition = { type: "change", factor };
  } else {
    condition = { type: "absent" };
  }

  const minutes = (field: RuleFormField, range: { readonly min: number; readonly max: number }) => {
    const value = wholeNumber(String(form[field]), range);
    if (typeof value === "string") {
      problems[field] = value;
      return 0;
    }
    return value;
  };
  const windowMinutes = minutes("windowMinutes", ruleLimits.windowMinutes);
  const forMinutes = minutes("forMinutes", ruleLimits.forMinutes);
  const minSamples = minutes("minSamples", ruleLimits.minSamples);
  const renotifyMinutes = minutes("renotifyMinutes", ruleLimits.renotifyMinutes);
  if (form.channels.length > ruleLimits.channels)
    problems.channels = `At most ${ruleLimits.channels} channels.`;

  const filter: RuleFilter = {
    ...(form.agentId !== "" ? { agentId: form.agentId } : {}),
    ...(form.channel !== "" ? { channel: form.channel } : {}),
    ...(form.route.trim() !== "" ? { route: form.route.trim() } : {}),
  };
  if (Object.keys(problems).length > 0 || condition === undefined) return { input: undefined, problems };
  return {
    input: {
      name,
      metric: form.metric,
      filter,
      condition,
      windowMinutes,
      forMinutes,
      minSamples,
      severity: form.severity,
      renotifyMinutes,
      channels: form.channels,
      enabled: form.enabled,
    },
    problems,
  };
}
