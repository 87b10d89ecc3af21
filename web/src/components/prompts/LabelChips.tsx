import { Box, Chip } from "@mui/material";
import { sortedLabels } from "../../data/prompts";

const colors: Record<string, "success" | "info" | "default"> = { production: "success", staging: "info" };
/** The palette's info blue is 3.9:1 under white text; its dark shade reads at 7:1 (WCAG AA for small text). */
const backgrounds: Record<string, string> = { staging: "info.dark" };

/** Labels as chips: "production → v3"; the words carry the meaning, the color only repeats it. */
export function LabelChips({
  labels,
  showVersion = true,
}: {
  readonly labels: Readonly<Record<string, number>>;
  readonly showVersion?: boolean;
}) {
  const entries = sortedLabels(labels);
  if (entries.length === 0) return null;
  return (
    <Box component="span" sx={{ display: "inline-flex", gap: 0.5, flexWrap: "wrap" }}>
      {entries.map(([label, version]) => (
        <Chip
          key={label}
          size="small"
          variant={colors[label] ? "filled" : "outlined"}
          color={colors[label] ?? "default"}
          label={showVersion ? `${label} → v${version}` : label}
          sx={backgrounds[label] ? { bgcolor: backgrounds[label] } : undefined}
        />
      ))}
    </Box>
  );
}
