import { useCallback, useId, useState, type ReactNode } from "react";
import { Alert, Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Stack } from "@mui/material";
import { monospace } from "../../theme";
import { copyLabel, useCopy } from "../useCopy";

interface SecretRevealDialogProps {
  readonly open: boolean;
  /** The secret to show; kept while the dialog fades out, then forgotten (see `useShownOnce`). */
  readonly secret: string | undefined;
  readonly title: string;
  /** What it is and what to do with it. */
  readonly children: ReactNode;
  /** Names the secret for the copy button ("API key", "Invitation link"). */
  readonly secretLabel: string;
  /** Why it cannot be shown again, and what to do if it is lost. */
  readonly warning: ReactNode;
  /** How to use it, under the warning. */
  readonly usage?: ReactNode;
  /** Closing forgets the secret: the parent clears it once the dialog has faded out (`onExited`). */
  readonly onClose: () => void;
  readonly onExited: () => void;
}

/**
 * Shows a secret the platform tells only once (a new API key, an invitation link) with a copy button. A
 * click beside the dialog does not close it: only Done (or Escape) does, so the secret is not lost by
 * accident.
 */
export function SecretRevealDialog({
  open,
  secret,
  title,
  children,
  secretLabel,
  warning,
  usage,
  onClose,
  onExited,
}: SecretRevealDialogProps) {
  const titleId = useId();
  return (
    <Dialog
      open={open}
      onClose={(_event, reason) => {
        if (reason !== "backdropClick") onClose();
      }}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited } }}
    >
      <DialogTitle id={titleId}>{title}</DialogTitle>
      <DialogContent>
        <Stack spacing={2}>
          <div>{children}</div>
          {secret !== undefined && <SecretValue value={secret} label={secretLabel} />}
          <Alert severity="warning">{warning}</Alert>
          {usage}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose} variant="contained" autoFocus>
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * Something shown once (a created key, an invitation): `show` opens the dialog, `close` closes it, and
 * `forget` (the dialog's `onExited`) drops it once the dialog has faded out, so its text never flashes.
 */
export function useShownOnce<T>() {
  const [subject, setSubject] = useState<T | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const show = useCallback((value: T) => {
    setSubject(value);
    setOpen(true);
  }, []);
  const close = useCallback(() => setOpen(false), []);
  const forget = useCallback(() => setSubject(undefined), []);
  return { subject, open, show, close, forget };
}

/**
 * The secret in full, wrapped rather than scrolled (so it can be read and checked on a phone), with a
 * copy button that says whether copying worked.
 */
function SecretValue({ value, label }: { readonly value: string; readonly label: string }) {
  const { copied, copy } = useCopy(value);
  return (
    <Box
      sx={{
        display: "flex",
        alignItems: "flex-start",
        gap: 1,
        p: 1.5,
        pl: 2,
        bgcolor: "grey.900",
        color: "grey.100",
        borderRadius: 1,
      }}
    >
      <Box
        component="code"
        sx={{
          flex: 1,
          minWidth: 0,
          py: 0.5,
          fontFamily: monospace,
          fontSize: "0.875rem",
          lineHeight: 1.6,
          // Anywhere, evenly: a break at a "-" inside a key would read as part of it.
          wordBreak: "break-all",
        }}
      >
        {value}
      </Box>
      <Button
        size="small"
        variant="outlined"
        color="inherit"
        onClick={copy}
        aria-label={`Copy: ${label}`}
        sx={{ flexShrink: 0 }}
      >
        {copyLabel(copied)}
      </Button>
    </Box>
  );
}
