import { Typography } from "@mui/material";

/** Placeholder until this page is built. */
export function AnalyticsPage() {
  return <Typography component="h1">AnalyticsPage</Typography>;
}
