import { Typography } from "@mui/material";

/** Placeholder until this page is built. */
export function KnowledgeBasePage() {
  return <Typography component="h1">KnowledgeBasePage</Typography>;
}
