import { Chip } from "@mui/material";
import type { AgentStatus } from "../data/agents";

const presentation: Record<
  AgentStatus,
  { label: string; color: "default" | "success" | "warning"; variant: "filled" | "outlined" }
> = {
  draft: { label: "Draft", color: "default", variant: "filled" },
  published: { label: "Published", color: "success", variant: "filled" },
  paused: { label: "Paused", color: "warning", variant: "filled" },
  archived: { label: "Archived", color: "default", variant: "outlined" },
};

/** An agent's lifecycle status; the word carries the meaning, the color only repeats it. */
export function AgentStatusChip({ status }: { readonly status: AgentStatus }) {
  const { label, color, variant } = presentation[status];
  return <Chip label={label} color={color} variant={variant} size="small" />;
}
