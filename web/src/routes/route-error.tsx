import { isRouteErrorResponse, useRouteError } from "react-router";
import { Alert, AlertTitle, Button } from "@mui/material";
import { AppShell } from "../components/AppShell";
import { usePageTitle } from "../components/usePageTitle";

/**
 * A page that threw while rendering or whose code failed to download (typically a new deploy replaced the
 * chunk this tab expected). Reloading fetches the current build.
 */
export function RouteErrorPage() {
  usePageTitle("Something went wrong");
  const error = useRouteError();
  const message = isRouteErrorResponse(error)
    ? `${error.status} ${error.statusText}`
    : error instanceof Error
      ? error.message
      : "Unknown error";
  return (
    <AppShell>
      <Alert severity="error">
        <AlertTitle>This page failed to load</AlertTitle>
        {message}
        <div>
          <Button
            onClick={() => window.location.reload()}
            variant="outlined"
            color="inherit"
            size="small"
            sx={{ mt: 1.5 }}
          >
            Reload
          </Button>
        </div>
      </Alert>
    </AppShell>
  );
}
