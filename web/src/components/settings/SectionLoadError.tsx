import { Alert, AlertTitle, Button, Typography } from "@mui/material";
import type { PlatformRequestError } from "../../data/platform";
import { RequestErrorAlert } from "../RequestErrorAlert";

interface SectionLoadErrorProps {
  readonly error: PlatformRequestError;
  readonly onRetry: () => void;
  readonly retrying: boolean;
}

/** Ends a message with a period, once. */
export function asSentence(text: string): string {
  return /[.!?]$/.test(text.trim()) ? text.trim() : `${text.trim()}.`;
}

/**
 * Why a settings list did not load. A refusal (403) is not a failure to retry: the role the studio knew
 * at sign-in has changed since, so it says that plainly, in the platform's words.
 */
export function SectionLoadError({ error, onRetry, retrying }: SectionLoadErrorProps) {
  if (error.status !== 403) return <RequestErrorAlert error={error} onRetry={onRetry} retrying={retrying} />;
  return (
    <Alert severity="info">
      <AlertTitle>Your role does not allow this</AlertTitle>
      <Typography variant="body2">
        The platform says: {asSentence(error.reason ?? error.message)} Your role may have changed since you
        signed in: sign in again to see what you may use now, or ask an owner of this workspace.
      </Typography>
      <Button onClick={onRetry} variant="outlined" color="inherit" size="small" sx={{ mt: 1.5 }}>
        {retrying ? "Checking…" : "Check again"}
      </Button>
    </Alert>
  );
}
