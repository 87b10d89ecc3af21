import { Box, Button } from "@mui/material";
import { monospace } from "../theme";
import { copyLabel, useCopy } from "./useCopy";

/** A shell command to read or copy; long lines scroll inside the block instead of widening the page. */
export function CodeBlock({ code, label }: { readonly code: string; readonly label: string }) {
  const { copied, copy } = useCopy(code);
  return (
    <Box sx={{ bgcolor: "grey.900", color: "grey.100", borderRadius: 1, overflow: "hidden" }}>
      {/* The copy button has a bar of its own: over the code it would hide the end of a long first line. */}
      <Box
        sx={{
          display: "flex",
          justifyContent: "flex-end",
          borderBottom: 1,
          borderColor: "grey.800",
          px: 0.5,
          py: 0.25,
        }}
      >
        <Button
          size="small"
          onClick={copy}
          aria-label={`Copy: ${label}`}
          sx={{ color: "grey.100", minWidth: 0, "&:hover": { bgcolor: "grey.800" } }}
        >
          {copyLabel(copied)}
        </Button>
      </Box>
      <Box
        component="pre"
        // Focusable so keyboard users can scroll a long command sideways.
        tabIndex={0}
        sx={{
          m: 0,
          p: 2,
          overflowX: "auto",
          fontFamily: monospace,
          fontSize: "0.8125rem",
          lineHeight: 1.6,
        }}
      >
        <code>{code}</code>
      </Box>
    </Box>
  );
}
