import { Typography } from "@mui/material";

/** Placeholder until this page is built. */
export function ConversationPage() {
  return <Typography component="h1">ConversationPage</Typography>;
}
