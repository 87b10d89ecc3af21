/** The new notification channel form, read into what the platform accepts (functions/src/monitor/notify.ts). */
import { looksLikeEmail } from "../../data/admin";
import type { NotificationChannelInput, NotificationChannelType } from "../../data/monitor";

export const channelLimits = { name: 100, recipients: 10, url: 2048 } as const;

export interface ChannelForm {
  readonly type: NotificationChannelType;
  readonly name: string;
  /** A webhook's or Slack's address. */
  readonly url: string;
  /** Email addresses, separated by commas, spaces or lines. */
  readonly to: string;
}

export type ChannelFormProblems = Partial<Record<"name" | "url" | "to", string>>;

export const newChannelForm: ChannelForm = { type: "webhook", name: "", url: "", to: "" };

export const channelTypeLabels: Record<NotificationChannelType, string> = {
  webhook: "Webhook",
  slack: "Slack",
  email: "Email",
  "in-app": "In-app",
};

function urlProblem(text: string, httpsOnly: boolean): string | undefined {
  if (text === "")
    return httpsOnly ? "Paste the Slack incoming webhook's address." : "Enter the address to post to.";
  if (text.length > channelLimits.url) return `At most ${channelLimits.url.toLocaleString("en")} characters.`;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "An absolute address, starting with https://.";
  }
  if (httpsOnly ? url.protocol !== "https:" : url.protocol !== "https:" && url.protocol !== "http:")
    return httpsOnly ? "An https:// address." : "An http:// or https:// address.";
  if (url.username !== "" || url.password !== "") return "Without a user name or password in it.";
  return undefined;
}

/** The addresses typed, deduplicated (any case). */
export function recipientsOf(text: string): string[] {
  const all = text
    .split(/[\s,;]+/)
    .map((a) => a.trim())
    .filter((a) => a !== "");
  return [...new Set(all.map((a) => a.toLowerCase()))];
}

export function readChannelForm(form: ChannelForm): {
  readonly input: NotificationChannelInput | undefined;
  readonly problems: ChannelFormProblems;
} {
  const problems: ChannelFormProblems = {};
  const name = form.name.trim();
  if (name === "") problems.name = "Give the channel a name, e.g. “On-call Slack”.";
  else if (name.length > channelLimits.name) problems.name = `At most ${channelLimits.name} characters.`;

  const url = form.url.trim();
  const to = recipientsOf(form.to);
  if (form.type === "webhook" || form.type === "slack") {
    const problem = urlProblem(url, form.type === "slack");
    if (problem) problems.url = problem;
  } else if (form.type === "email") {
    const wrong = to.find((address) => !looksLikeEmail(address));
    if (to.length === 0) problems.to = "Enter at least one email address.";
    else if (wrong) problems.to = `“${wrong}” is not an email address.`;
    else if (to.length > channelLimits.recipients)
      problems.to = `At most ${channelLimits.recipients} addresses.`;
  }
  if (Object.keys(problems).length > 0) return { input: undefined, problems };
  switch (form.type) {
    case "webhook":
    case "slack":
      return { input: { type: form.type, name, url }, problems };
    case "email":
      return { input: { type: "email", name, to }, problems };
    case "in-app":
      return { input: { type: "in-app", name }, problems };
  }
}
