import { Chip } from "@mui/material";
import type { ExperimentStatus } from "../../data/experiments";

/**
 * Each status's words and colors. Dark shades where the palette's main one is under 4.5:1 with white text
 * (info's blue is 3.9:1).
 */
const presentation: Record<
  ExperimentStatus,
  { readonly label: string; readonly color: "default" | "success" | "info" | "primary"; readonly bg?: string }
> = {
  draft: { label: "Draft", color: "default" },
  running: { label: "Running", color: "success" },
  stopped: { label: "Stopped", color: "info", bg: "info.dark" },
  promoted: { label: "Promoted", color: "primary" },
};

/** An experiment's status; the word carries the meaning, the color only repeats it. */
export function ExperimentStatusChip({ status }: { readonly status: ExperimentStatus }) {
  const { label, color, bg } = presentation[status];
  return (
    <Chip
      size="small"
      label={label}
      color={color}
      variant={status === "draft" ? "outlined" : "filled"}
      sx={bg ? { bgcolor: bg } : undefined}
    />
  );
}
