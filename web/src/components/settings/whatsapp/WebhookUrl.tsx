import { Box, Button } from "@mui/material";
import { monospace } from "../../../theme";
import { copyLabel, useCopy } from "../../useCopy";

/** The URL Meta's webhook calls for one connection, with a copy button (`label` names it for screen readers). */
export function WebhookUrl({ url, label }: { readonly url: string; readonly label: string }) {
  const { copied, copy } = useCopy(url);
  return (
    <Box sx={{ display: "flex", alignItems: "center", flexWrap: "wrap", columnGap: 1 }}>
      <Box component="code" sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
        {url}
      </Box>
      <Button size="small" onClick={copy} aria-label={`Copy: ${label}`} sx={{ minWidth: 0 }}>
        {copyLabel(copied)}
      </Button>
    </Box>
  );
}
