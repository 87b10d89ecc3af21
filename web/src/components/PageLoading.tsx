import { useId } from "react";
import { Box, CircularProgress, Typography } from "@mui/material";

export function PageLoading({ label }: { readonly label: string }) {
  const labelId = useId();
  return (
    <Box
      role="status"
      sx={{ display: "flex", alignItems: "center", gap: 2, py: 6, justifyContent: "center" }}
    >
      <CircularProgress size={28} aria-labelledby={labelId} />
      <Typography id={labelId} color="text.secondary">
        {label}
      </Typography>
    </Box>
  );
}
