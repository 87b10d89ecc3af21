import type { ReactNode } from "react";
import { Box, Typography } from "@mui/material";

interface SectionHeaderProps {
  readonly id: string;
  readonly title: string;
  /** `h2` for a section, `h3` for a part of one. */
  readonly level?: "h2" | "h3";
  readonly description?: ReactNode;
  /** The part's main action (Create API key…), at the end of the line on wide screens. */
  readonly action?: ReactNode;
}

/** The title of a settings section or of a part of one, with what it is for and its main action. */
export function SectionHeader({ id, title, level = "h2", description, action }: SectionHeaderProps) {
  return (
    <Box
      sx={{
        display: "flex",
        flexWrap: "wrap",
        gap: 2,
        alignItems: "flex-end",
        justifyContent: "space-between",
      }}
    >
      <Box sx={{ minWidth: 0, flex: "1 1 320px" }}>
        <Typography variant={level} id={id} gutterBottom={description !== undefined}>
          {title}
        </Typography>
        {description && (
          <Typography color="text.secondary" variant={level === "h3" ? "body2" : "body1"}>
            {description}
          </Typography>
        )}
      </Box>
      {action}
    </Box>
  );
}
