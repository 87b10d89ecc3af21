import { Alert, AlertTitle, Button, Typography } from "@mui/material";
import { isPaymentRequired } from "../data/billing";
import { platformOrigin, type PlatformRequestError, type RequestFailure } from "../data/platform";
import { errorSentence, PaymentRequiredNote } from "./PaymentRequiredNote";
import { TwoStepRequiredNote } from "./TwoStepRequiredNote";

const titles: Record<RequestFailure, (origin: string) => string> = {
  network: (origin) => `Cannot reach the platform at ${origin}`,
  http: (origin) => `The platform at ${origin} answered with an error`,
  "invalid-response": (origin) => `Unexpected answer from ${origin}`,
};

interface RequestErrorAlertProps {
  readonly error: PlatformRequestError;
  readonly onRetry: () => void;
  readonly retrying: boolean;
  /** When older data is still on screen: when it arrived. */
  readonly staleSince?: Date | undefined;
}

/** The error state of every screen that reads the platform: what failed, where, and a way to try again. */
export function RequestErrorAlert({ error, onRetry, retrying, staleSince }: RequestErrorAlertProps) {
  return (
    <Alert severity={staleSince ? "warning" : "error"}>
      <AlertTitle>
        {isPaymentRequired(error)
          ? "The workspace's plan does not allow this now"
          : titles[error.failure](platformOrigin())}
      </AlertTitle>
      <Typography variant="body2">
        {isPaymentRequired(error) ? errorSentence(error) : error.message}
        {error.failure === "network" && " Is the runtime running? Locally, start it with npm start."}
        {staleSince && ` Showing what it reported at ${staleSince.toLocaleTimeString()}.`}
      </Typography>
      <PaymentRequiredNote error={error} />
      <TwoStepRequiredNote error={error} />
      {/* Never disabled while retrying: a disabled button would drop the keyboard focus. */}
      <Button onClick={onRetry} variant="outlined" color="inherit" size="small" sx={{ mt: 1.5 }}>
        {retrying ? "Retrying…" : "Retry"}
      </Button>
    </Alert>
  );
}
