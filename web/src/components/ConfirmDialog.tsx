import { useId, type ReactNode } from "react";
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from "@mui/material";
import type { PlatformRequestError } from "../data/platform";
import { FormErrorAlert } from "./FormErrorAlert";

interface ConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children: ReactNode;
  readonly confirmLabel: string;
  /** Archive, leave without saving: the confirm button says it cannot be taken back. */
  readonly destructive?: boolean;
  readonly pending?: boolean;
  /** Why the last attempt failed; the dialog stays open to try again. */
  readonly error?: PlatformRequestError | undefined;
  readonly errorTitle?: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** Asks before an action that is hard to undo; Escape or Cancel keeps things as they are. */
export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  destructive = false,
  pending = false,
  error,
  errorTitle = "That did not work",
  onConfirm,
  onCancel,
}: ConfirmDialogProps) {
  const titleId = useId();
  return (
    <Dialog open={open} onClose={onCancel} aria-labelledby={titleId} maxWidth="xs" fullWidth>
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <div>{children}</div>
          {error && <FormErrorAlert title={errorTitle} error={error} />}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2, "& .MuiButton-root": { whiteSpace: "nowrap" } }}>
        <Button onClick={onCancel}>Cancel</Button>
        <Button
          onClick={() => {
            if (!pending) onConfirm();
          }}
          variant="contained"
          color={destructive ? "error" : "primary"}
          autoFocus={!destructive}
        >
          {pending ? "Working…" : confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
