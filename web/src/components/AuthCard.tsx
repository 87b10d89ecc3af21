import type { ReactNode } from "react";
import { Box, Paper, Stack, Typography } from "@mui/material";

interface AuthCardProps {
  readonly title: string;
  readonly intro?: ReactNode;
  readonly children: ReactNode;
  /** Links to the other ways in ("No account? Create one"). */
  readonly footer?: ReactNode;
}

/** The frame of the sign-in, sign-up and invitation pages: one narrow card, centered. */
export function AuthCard({ title, intro, children, footer }: AuthCardProps) {
  return (
    <Box sx={{ display: "flex", justifyContent: "center", py: { xs: 0, sm: 4 } }}>
      <Paper
        component="section"
        aria-labelledby="auth-heading"
        sx={{ p: { xs: 2.5, sm: 4 }, width: "100%", maxWidth: 440 }}
      >
        <Stack spacing={3}>
          <Box>
            <Typography
              variant="h1"
              id="auth-heading"
              sx={{ fontSize: "1.6rem" }}
              gutterBottom={intro !== undefined}
            >
              {title}
            </Typography>
            {intro && <Typography color="text.secondary">{intro}</Typography>}
          </Box>
          {children}
          {footer && (
            <Typography variant="body2" color="text.secondary">
              {footer}
            </Typography>
          )}
        </Stack>
      </Paper>
    </Box>
  );
}
