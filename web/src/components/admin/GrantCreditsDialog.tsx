import { useId, useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  InputAdornment,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  creditAmountProblem,
  microsOfAmount,
  newGrantRequestId,
  operatorLimits,
  type CreditGrantInput,
} from "../../data/operator";
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";
import { formatMoney } from "../shared/money";

interface GrantCreditsDialogProps {
  readonly open: boolean;
  readonly workspaceName: string;
  readonly currency: string;
  readonly balanceMicros: number;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onGrant: (grant: CreditGrantInput) => void;
  readonly onCancel: () => void;
}

/**
 * Credits given by the operator: an amount and a note. The grant's request id is made once each time the
 * dialog opens (the `key` its parent gives it), so a double click, or trying again after an answer got lost,
 * is the same grant: the platform applies it once.
 */
export function GrantCreditsDialog({
  open,
  workspaceName,
  currency,
  balanceMicros,
  pending,
  error,
  onGrant,
  onCancel,
}: GrantCreditsDialogProps) {
  const titleId = useId();
  const [requestId] = useState(newGrantRequestId);
  const [amount, setAmount] = useState("");
  const [note, setNote] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const amountIssue = error?.issues.find((issue) => issue.path === "amount")?.message;
  const shownProblem = problem ?? amountIssue;
  const valid = creditAmountProblem(amount) === undefined;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const found = creditAmountProblem(amount);
    setProblem(found);
    if (found) return;
    const trimmedNote = note.trim();
    onGrant({ amount: amount.trim(), requestId, ...(trimmedNote ? { note: trimmedNote } : {}) });
  };

  return (
    <Dialog open={open} onClose={onCancel} aria-labelledby={titleId} maxWidth="xs" fullWidth>
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>Grant credits to {workspaceName}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              Added to the balance at once, recorded in its credit ledger and the audit trail. The balance is{" "}
              {formatMoney(balanceMicros, currency)}.
            </Typography>
            <TextField
              label="Amount"
              value={amount}
              onChange={(event) => {
                setAmount(event.target.value);
                setProblem(undefined);
              }}
              error={shownProblem !== undefined}
              helperText={
                shownProblem ??
                (valid
                  ? `The balance becomes ${formatMoney(balanceMicros + microsOfAmount(amount), currency)}.`
                  : `In ${currency.toUpperCase()}, such as 10 or 2.50.`)
              }
              required
              autoFocus
              fullWidth
              slotProps={{
                htmlInput: { inputMode: "decimal", maxLength: 16 },
                input: {
                  startAdornment: <InputAdornment position="start">{currency.toUpperCase()}</InputAdornment>,
                },
              }}
            />
            <TextField
              label="Note"
              value={note}
              onChange={(event) => setNote(event.target.value)}
              helperText="Why, for the ledger: a goodwill gesture, a support case."
              fullWidth
              slotProps={{ htmlInput: { maxLength: operatorLimits.creditNote } }}
            />
            {error && !amountIssue && <FormErrorAlert title="No credits were granted" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Granting…" : "Grant credits"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
