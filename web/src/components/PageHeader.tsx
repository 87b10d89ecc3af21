import type { ReactNode } from "react";
import { Box, Typography } from "@mui/material";

interface PageHeaderProps {
  readonly title: string;
  /** One sentence on what the page is for, under the title. */
  readonly intro?: ReactNode;
  /** The page's main action (e.g. "Create agent"), at the right of the title; under it on phones. */
  readonly actions?: ReactNode;
}

/** The top of a page: its one `h1`, what the page is for, and its main action. */
export function PageHeader({ title, intro, actions }: PageHeaderProps) {
  return (
    <Box
      component="header"
      sx={{
        display: "flex",
        flexWrap: "wrap",
        gap: 2,
        alignItems: "flex-end",
        justifyContent: "space-between",
      }}
    >
      <Box>
        <Typography variant="h1" gutterBottom={intro !== undefined}>
          {title}
        </Typography>
        {intro !== undefined && <Typography color="text.secondary">{intro}</Typography>}
      </Box>
      {actions}
    </Box>
  );
}
