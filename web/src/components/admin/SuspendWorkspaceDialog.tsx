import { useId, useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { operatorLimits } from "../../data/operator";
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";

interface SuspendWorkspaceDialogProps {
  readonly open: boolean;
  readonly workspaceName: string;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onSuspend: (reason: string) => void;
  readonly onCancel: () => void;
}

/**
 * Suspending a workspace: a reason is required, because its members are shown it (and it is audited).
 * The button says what it does; the dialog forgets the reason once it has closed.
 */
export function SuspendWorkspaceDialog({
  open,
  workspaceName,
  pending,
  error,
  onSuspend,
  onCancel,
}: SuspendWorkspaceDialogProps) {
  const titleId = useId();
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const reasonIssue = error?.issues.find((issue) => issue.path === "reason")?.message;
  const shownProblem = problem ?? reasonIssue;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const trimmed = reason.trim();
    const found =
      trimmed === ""
        ? "Give a reason: the workspace's members see it on every page."
        : trimmed.length > operatorLimits.suspensionReason
          ? `At most ${operatorLimits.suspensionReason} characters.`
          : undefined;
    setProblem(found);
    if (!found) onSuspend(trimmed);
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{
        transition: {
          onExited: () => {
            setReason("");
            setProblem(undefined);
          },
        },
      }}
    >
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>Suspend {workspaceName}?</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography>
              Every change in the workspace is refused and its agents stop answering on every channel (API,
              widget, WhatsApp, OpenAI-compatible, MCP) until you resume it. Its data is kept, and its members
              can still read and export it.
            </Typography>
            <TextField
              label="Reason"
              value={reason}
              onChange={(event) => {
                setReason(event.target.value);
                setProblem(undefined);
              }}
              error={shownProblem !== undefined}
              helperText={shownProblem ?? "Shown to the workspace's members and kept in the audit trail."}
              required
              multiline
              minRows={2}
              autoFocus
              fullWidth
              slotProps={{ htmlInput: { maxLength: operatorLimits.suspensionReason } }}
            />
            {error && !reasonIssue && (
              <FormErrorAlert title="The workspace was not suspended" error={error} />
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained" color="error">
            {pending ? "Suspending…" : "Suspend workspace"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
