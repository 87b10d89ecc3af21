import { Chip } from "@mui/material";
import type { WorkspaceStatus } from "../../data/operator";

const presentation: Record<WorkspaceStatus, { label: string; color: "success" | "error" }> = {
  active: { label: "Active", color: "success" },
  suspended: { label: "Suspended", color: "error" },
};

/** A workspace's status as a chip; the word carries the meaning, the color only repeats it. */
export function WorkspaceStatusChip({ status }: { readonly status: WorkspaceStatus }) {
  const { label, color } = presentation[status];
  return (
    <Chip label={label} color={color} size="small" variant={status === "active" ? "outlined" : "filled"} />
  );
}
