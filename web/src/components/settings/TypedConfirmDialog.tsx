import { useId, useState, type FormEvent, type ReactNode } from "react";
import { Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack, TextField } from "@mui/material";
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";

interface TypedConfirmDialogProps {
  readonly open: boolean;
  readonly title: string;
  readonly children: ReactNode;
  /** What to type, exactly, before the action can run. */
  readonly phrase: string;
  readonly confirmLabel: string;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly errorTitle: string;
  readonly onConfirm: () => void;
  readonly onCancel: () => void;
}

/** For what cannot be undone and would be costly by mistake: the action waits until `phrase` is typed. */
export function TypedConfirmDialog({
  open,
  title,
  children,
  phrase,
  confirmLabel,
  pending,
  error,
  errorTitle,
  onConfirm,
  onCancel,
}: TypedConfirmDialogProps) {
  const titleId = useId();
  const [typed, setTyped] = useState("");
  const matches = typed.trim() === phrase;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (matches && !pending) onConfirm();
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: () => setTyped("") } }}
    >
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <div>{children}</div>
            <TextField
              label={`Type ${phrase} to confirm`}
              value={typed}
              onChange={(event) => setTyped(event.target.value)}
              autoComplete="off"
              autoFocus
              fullWidth
              slotProps={{ htmlInput: { spellCheck: false } }}
            />
            {error && <FormErrorAlert title={errorTitle} error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained" color="error" disabled={!matches}>
            {pending ? "Working…" : confirmLabel}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
