import { Chip } from "@mui/material";
import type { HttpMethod } from "../data/apiDescription";
import { monospace } from "../theme";

const colors: Partial<Record<HttpMethod, "info" | "success" | "warning" | "error">> = {
  get: "info",
  post: "success",
  put: "warning",
  patch: "warning",
  delete: "error",
};

export function MethodChip({ method }: { readonly method: HttpMethod }) {
  return (
    <Chip
      label={method.toUpperCase()}
      color={colors[method] ?? "default"}
      size="small"
      sx={{ fontFamily: monospace, minWidth: 64, borderRadius: 1 }}
    />
  );
}
