import { Alert } from "@mui/material";

/**
 * Why a viewer sees no evaluations: datasets, runs and their results hold end users' questions and the
 * answers they got, which only editors, admins and owners read (the platform refuses them too).
 */
export function EvaluationsOnlyForEditors() {
  return (
    <Alert severity="info">
      Evaluations hold questions and the answers agents gave, so only editors, admins and owners can see them.
    </Alert>
  );
}
