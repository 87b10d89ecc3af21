import { Typography } from "@mui/material";

/** Placeholder until this page is built. */
export function SettingsPage() {
  return <Typography component="h1">SettingsPage</Typography>;
}
