import { useId, useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useOperatorPlans } from "../../data/hooks/operator";
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";

interface ChangePlanDialogProps {
  readonly open: boolean;
  readonly workspaceName: string;
  /** The plan's id now. */
  readonly plan: string;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onChange: (plan: string) => void;
  readonly onCancel: () => void;
}

/**
 * Moves a workspace to another plan of the catalog (`/v1/admin/plans`), without Stripe: for a contract
 * agreed elsewhere, or to correct one. Rendered only while open, so the plans are read each time.
 */
export function ChangePlanDialog({
  open,
  workspaceName,
  plan,
  pending,
  error,
  onChange,
  onCancel,
}: ChangePlanDialogProps) {
  const titleId = useId();
  const plans = useOperatorPlans();
  const [chosen, setChosen] = useState(plan);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!pending && chosen !== plan) onChange(chosen);
  };

  return (
    <Dialog open={open} onClose={onCancel} aria-labelledby={titleId} maxWidth="xs" fullWidth>
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>Change the plan of {workspaceName}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              The new plan&apos;s limits and included credits apply at once. Nothing is charged through
              Stripe.
            </Typography>
            {plans.error && !plans.data && (
              <RequestErrorAlert error={plans.error} onRetry={plans.retry} retrying={plans.pending} />
            )}
            {!plans.data && !plans.error && <PageLoading label="Loading plans…" />}
            {plans.data && (
              <TextField
                select
                label="Plan"
                value={chosen}
                onChange={(event) => setChosen(event.target.value)}
                fullWidth
              >
                {plans.data.map((p) => (
                  <MenuItem key={p.id} value={p.id}>
                    {p.name}
                    {p.id === plan ? " (current)" : ""}
                  </MenuItem>
                ))}
              </TextField>
            )}
            {error && <FormErrorAlert title="The plan was not changed" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={!plans.data || chosen === plan}>
            {pending ? "Changing…" : "Change plan"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
