/**
 * The builder's HTTP tool form: what an editor types (numbers and JSON still as text), checked before it
 * joins the draft with the platform's own rules (agents/schema.ts `toolSchema`), so a tool is never refused
 * at save time for something the form could have said.
 */
import { toolHostAllowed } from "./agentOptions";
import { agentLimits, toolNamePattern, type HttpTool } from "./agents";
import { isRecord } from "./platform";

export interface HttpToolForm {
  readonly name: string;
  readonly description: string;
  readonly method: "GET" | "POST";
  readonly url: string;
  readonly timeoutMs: string;
  /** JSON Schema of the arguments object, as text. */
  readonly parameters: string;
}

export type HttpToolErrors = Partial<Record<keyof HttpToolForm, string>>;

export const exampleParameters = JSON.stringify(
  {
    type: "object",
    properties: { accountId: { type: "string", description: "The customer's account number" } },
    required: ["accountId"],
  },
  null,
  2,
);

export const newHttpToolForm: HttpToolForm = {
  name: "",
  description: "",
  method: "POST",
  url: "https://",
  timeoutMs: "10000",
  parameters: exampleParameters,
};

export function httpToolFormOf(tool: HttpTool): HttpToolForm {
  return {
    name: tool.name,
    description: tool.description,
    method: tool.method,
    url: tool.url,
    timeoutMs: String(tool.timeoutMs),
    parameters: JSON.stringify(tool.parameters, null, 2),
  };
}

/**
 * The tool the form describes, or why not. `takenNames` are the agent's other tools' names; `toolHosts` the
 * hosts the platform lets tools call (`null`: any public host, which only the platform can check).
 */
export function readHttpToolForm(
  form: HttpToolForm,
  takenNames: readonly string[],
  toolHosts: readonly string[] | null = null,
): { readonly tool: HttpTool } | { readonly errors: HttpToolErrors } {
  const errors: HttpToolErrors = {};
  const name = form.name.trim();
  if (!toolNamePattern.test(name)) {
    errors.name = "1 to 64 letters, digits, '_' or '-' (the model calls the tool by this name).";
  } else if (takenNames.includes(name)) {
    errors.name = "Another tool of this agent has this name.";
  }
  const description = form.description.trim();
  if (description === "")
    errors.description = "Say what the tool does and when to use it: the model reads this.";
  else if (description.length > agentLimits.toolDescription)
    errors.description = `At most ${agentLimits.toolDescription.toLocaleString("en")} characters.`;
  let url: URL | undefined;
  try {
    url = new URL(form.url.trim());
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.hostname === "") {
    errors.url = "A full http:// or https:// address.";
  } else if (!toolHostAllowed(url.hostname, toolHosts)) {
    errors.url = `This platform's tools may only call ${(toolHosts ?? []).join(", ")}.`;
  }
  const timeout = /^\d+$/.test(form.timeoutMs.trim()) ? Number(form.timeoutMs.trim()) : NaN;
  if (!(timeout >= agentLimits.minToolTimeoutMs && timeout <= agentLimits.maxToolTimeoutMs)) {
    errors.timeoutMs = `A whole number of milliseconds from ${agentLimits.minToolTimeoutMs} to ${agentLimits.maxToolTimeoutMs.toLocaleString("en")}.`;
  }
  let parameters: unknown;
  try {
    parameters = JSON.parse(form.parameters) as unknown;
  } catch (error) {
    errors.parameters = `Not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  if (errors.parameters === undefined) {
    if (!isRecord(parameters)) errors.parameters = "A JSON Schema object, like the example.";
    else if (parameters.type !== "object")
      errors.parameters = 'The arguments are an object: the schema needs "type": "object".';
  }
  if (Object.keys(errors).length > 0 || !isRecord(parameters)) return { errors };
  return {
    tool: {
      kind: "http",
      name,
      description,
      method: form.method,
      url: form.url.trim(),
      timeoutMs: timeout,
      parameters,
    },
  };
}
