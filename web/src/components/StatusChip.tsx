import { Chip } from "@mui/material";
import type { HealthStatus } from "../data/health";

const presentation: Record<HealthStatus, { label: string; color: "success" | "warning" | "error" }> = {
  ok: { label: "OK", color: "success" },
  degraded: { label: "Degraded", color: "warning" },
  down: { label: "Down", color: "error" },
};

/** A health status as a colored chip; the word carries the meaning, the color only repeats it. */
export function StatusChip({
  status,
  size = "small",
}: {
  readonly status: HealthStatus;
  readonly size?: "small" | "medium";
}) {
  const { label, color } = presentation[status];
  return <Chip label={label} color={color} size={size} />;
}
