import { Typography } from "@mui/material";

/** Placeholder until this page is built. */
export function KnowledgePage() {
  return <Typography component="h1">KnowledgePage</Typography>;
}
