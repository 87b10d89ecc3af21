import { Chip } from "@mui/material";
import type { HttpMethod } from "../data/apiDescription";
import { monospace } from "../theme";

/**
 * Dark shades, so the white label reads at WCAG AA contrast (at least 4.5:1; these give 5.6 to 7.9) on every
 * chip; the palette's main info and warning colours give 3.9:1 and 3.1:1, its dark warning 3.8:1.
 */
const colors: Partial<Record<HttpMethod, string>> = {
  get: "info.dark",
  post: "success.dark",
  put: "#a84300",
  patch: "#a84300",
  delete: "error.dark",
};

export function MethodChip({ method }: { readonly method: HttpMethod }) {
  return (
    <Chip
      label={method.toUpperCase()}
      size="small"
      sx={{
        fontFamily: monospace,
        minWidth: 64,
        borderRadius: 1,
        ...(colors[method] ? { bgcolor: colors[method], color: "common.white" } : {}),
      }}
    />
  );
}
