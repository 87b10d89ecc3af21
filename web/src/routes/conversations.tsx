import { Typography } from "@mui/material";

/** Placeholder until this page is built. */
export function ConversationsPage() {
  return <Typography component="h1">ConversationsPage</Typography>;
}
