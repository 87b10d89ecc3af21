/** What differs between two agent configurations: field by field, and line by line for the instructions. */
import {
  inChannelOrder,
  isPinnedToolSet,
  sameValue,
  type AgentConfig,
  type AgentTool,
} from "../../data/agents";
import { channelLabel } from "../history/describe";

export interface ConfigFieldDiff {
  readonly key: string;
  readonly label: string;
  /** As shown to people (knowledge bases by name, "Platform default" for no model…). */
  readonly before: string;
  readonly after: string;
  readonly changed: boolean;
  /** For lists whose difference is easy to miss ("Adds WhatsApp."); only when changed. */
  readonly summary?: string;
}

interface FieldSpec {
  readonly key: string;
  readonly label: string;
  readonly value: (config: AgentConfig) => unknown;
  readonly show: (config: AgentConfig, names: (kbId: string) => string) => string;
  readonly summarize?: (before: AgentConfig, after: AgentConfig) => string;
}

const listOrNone = (items: readonly string[]) => (items.length === 0 ? "None" : items.join(", "));

/** "Adds WhatsApp. Removes MCP." */
function channelChanges(before: AgentConfig, after: AgentConfig): string {
  const added = inChannelOrder(after.channels).filter((c) => !before.channels.includes(c));
  const removed = inChannelOrder(before.channels).filter((c) => !after.channels.includes(c));
  return [
    added.length > 0 ? `Adds ${added.map(channelLabel).join(", ")}.` : "",
    removed.length > 0 ? `Removes ${removed.map(channelLabel).join(", ")}.` : "",
  ]
    .filter((sentence) => sentence !== "")
    .join(" ");
}

const fields: readonly FieldSpec[] = [
  { key: "name", label: "Name", value: (c) => c.name, show: (c) => c.name },
  {
    key: "description",
    label: "Description",
    value: (c) => c.description,
    show: (c) => c.description || "None",
  },
  { key: "instructions", label: "Instructions", value: (c) => c.instructions, show: (c) => c.instructions },
  {
    key: "model.name",
    label: "Model",
    value: (c) => c.model.name,
    show: (c) => c.model.name ?? "Platform default",
  },
  {
    key: "model.temperature",
    label: "Temperature",
    value: (c) => c.model.temperature,
    show: (c) => String(c.model.temperature),
  },
  {
    key: "model.maxOutputTokens",
    label: "Max output tokens",
    value: (c) => c.model.maxOutputTokens,
    show: (c) => c.model.maxOutputTokens.toLocaleString("en"),
  },
  {
    key: "knowledgeBaseIds",
    label: "Knowledge bases",
    value: (c) => [...c.knowledgeBaseIds].sort(),
    show: (c, names) => listOrNone(c.knowledgeBaseIds.map(names)),
  },
  {
    key: "tools",
    label: "Tools",
    value: (c) => c.tools,
    show: (c) => listOrNone(c.tools.map(toolLabel)),
  },
  {
    key: "maxToolSteps",
    label: "Tool steps per turn",
    value: (c) => c.maxToolSteps,
    show: (c) => String(c.maxToolSteps),
  },
  {
    key: "guardrails.blockedTopics",
    label: "Blocked topics",
    value: (c) => c.guardrails.blockedTopics,
    show: (c) => listOrNone(c.guardrails.blockedTopics),
  },
  {
    key: "guardrails.redactPii",
    label: "Redact personal data",
    value: (c) => c.guardrails.redactPii,
    show: (c) => (c.guardrails.redactPii ? "On" : "Off"),
  },
  {
    key: "confidenceThreshold",
    label: "Confidence threshold",
    value: (c) => c.confidenceThreshold,
    show: (c) => c.confidenceThreshold.toFixed(2),
  },
  {
    key: "memoryWindow",
    label: "Memory window",
    value: (c) => c.memoryWindow,
    show: (c) => `${c.memoryWindow} messages`,
  },
  {
    key: "longTermMemory",
    label: "Long-term memory",
    value: (c) => c.longTermMemory,
    show: (c) =>
      c.longTermMemory.enabled
        ? `On, kept ${c.longTermMemory.retentionDays} days, ${c.longTermMemory.scope === "workspace" ? "shared with the workspace" : "this agent only"}`
        : "Off",
  },
  {
    key: "contextBudgetTokens",
    label: "Context budget",
    value: (c) => c.contextBudgetTokens,
    show: (c) => `${c.contextBudgetTokens.toLocaleString("en")} tokens`,
  },
  {
    key: "channels",
    label: "Channels",
    value: (c) => inChannelOrder(c.channels),
    show: (c) => listOrNone(inChannelOrder(c.channels).map(channelLabel)),
    summarize: channelChanges,
  },
];

/** Every configuration field, in the builder's order, marked changed or not. */
export function compareConfigs(
  before: AgentConfig,
  after: AgentConfig,
  knowledgeBaseName: (kbId: string) => string = (id) => id,
): ConfigFieldDiff[] {
  return fields.map((spec) => {
    const changed = !sameValue(spec.value(before), spec.value(after));
    return {
      key: spec.key,
      label: spec.label,
      before: spec.show(before, knowledgeBaseName),
      after: spec.show(after, knowledgeBaseName),
      changed,
      ...(changed && spec.summarize ? { summary: spec.summarize(before, after) } : {}),
    };
  });
}

export interface DiffLine {
  readonly kind: "same" | "added" | "removed";
  readonly text: string;
}

/** Above this many line pairs the table would cost too much memory; the diff is then "all removed, all added". */
const maxDiffCells = 4_000_000;

/** A line diff (longest common subsequence): enough to see what changed in a few pages of instructions. */
export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split("\n");
  const b = after.split("\n");
  if (a.length * b.length > maxDiffCells) {
    return [
      ...a.map((text): DiffLine => ({ kind: "removed", text })),
      ...b.map((text): DiffLine => ({ kind: "added", text })),
    ];
  }
  // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const width = b.length + 1;
  const common = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i * width + j] =
        a[i] === b[j]
          ? (common[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(common[(i + 1) * width + j] ?? 0, common[i * width + j + 1] ?? 0);
    }
  }
  const lines: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      lines.push({ kind: "same", text: a[i] as string });
      i++;
      j++;
    } else if ((common[(i + 1) * width + j] ?? 0) >= (common[i * width + j + 1] ?? 0)) {
      lines.push({ kind: "removed", text: a[i] as string });
      i++;
    } else {
      lines.push({ kind: "added", text: b[j] as string });
      j++;
    }
  }
  for (; i < a.length; i++) lines.push({ kind: "removed", text: a[i] as string });
  for (; j < b.length; j++) lines.push({ kind: "added", text: b[j] as string });
  return lines;
}

/** How a tool is named in a list: its name, or a pinned tool set's id and version. */
export function toolLabel(tool: AgentTool): string {
  return isPinnedToolSet(tool) ? `tool set ${tool.toolSetId} v${tool.version}` : (tool.name ?? tool.kind);
}
