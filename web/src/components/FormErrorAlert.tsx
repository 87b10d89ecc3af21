import { Alert, AlertTitle } from "@mui/material";
import type { PlatformRequestError } from "../data/platform";
import { errorSentence, PaymentRequiredNote } from "./PaymentRequiredNote";
import { TwoStepRequiredNote } from "./TwoStepRequiredNote";

interface FormErrorAlertProps {
  /** What was being done, e.g. "The draft was not saved". */
  readonly title: string;
  readonly error: PlatformRequestError;
}

/**
 * Why a form's request failed, in the platform's own words when it gave some ("Incorrect email or
 * password"), and what to check when it did not answer at all; a refusal for the plan or the credits (402)
 * says where those are. Announced as it appears (role "alert").
 */
export function FormErrorAlert({ title, error }: FormErrorAlertProps) {
  return (
    <Alert severity="error">
      <AlertTitle>{title}</AlertTitle>
      {errorSentence(error)}
      {error.failure === "network" && " Is the runtime running? Locally, start it with npm start."}
      <PaymentRequiredNote error={error} />
      <TwoStepRequiredNote error={error} />
    </Alert>
  );
}
