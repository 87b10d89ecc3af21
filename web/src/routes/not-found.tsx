import { Link as RouterLink, useLocation } from "react-router";
import { Button, Stack, Typography } from "@mui/material";
import { usePageTitle } from "../components/usePageTitle";
import { monospace } from "../theme";

export function NotFoundPage() {
  usePageTitle("Page not found");
  const { pathname } = useLocation();
  return (
    <Stack spacing={2} sx={{ alignItems: "flex-start", py: { xs: 2, sm: 6 } }}>
      <Typography variant="overline" color="text.secondary">
        404
      </Typography>
      <Typography variant="h1">Page not found</Typography>
      <Typography>
        There is no page at{" "}
        <Typography component="span" sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
          {pathname}
        </Typography>
        . The studio has an overview of the platform and its API reference.
      </Typography>
      <Stack direction="row" spacing={1.5}>
        <Button component={RouterLink} to="/" variant="contained">
          Go to the overview
        </Button>
        <Button component={RouterLink} to="/api">
          API reference
        </Button>
      </Stack>
    </Stack>
  );
}
