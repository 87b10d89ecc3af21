import { Chip } from "@mui/material";
import { warningDark } from "../../theme";
import type { Presentation } from "./format";

/**
 * A status as a chip: the word carries the meaning, the colour only repeats it. Warnings use the theme's dark
 * orange, which small white text reads on (the palette's own fails contrast).
 */
export function PresentationChip({
  presentation,
  size = "small",
  title,
}: {
  readonly presentation: Presentation;
  readonly size?: "small" | "medium";
  /** More about it, on hover. */
  readonly title?: string;
}) {
  const { label, color } = presentation;
  return (
    <Chip
      label={label}
      color={color}
      size={size}
      title={title}
      sx={color === "warning" ? { bgcolor: warningDark } : undefined}
    />
  );
}
