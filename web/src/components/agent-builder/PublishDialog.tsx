import { useId, useState } from "react";
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
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";

const maxNoteLength = 500;

interface PublishDialogProps {
  readonly open: boolean;
  /** The version publishing will create. */
  readonly nextVersion: number;
  /** Unsaved edits are saved first, and the button says so. */
  readonly savesFirst: boolean;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  /** The workspace's environments, in promotion order (production last); empty: production only. */
  readonly environments: readonly { readonly name: string; readonly label: string }[];
  readonly onPublish: (note: string, environment: string) => void;
  readonly onCancel: () => void;
}

/** Publishing with an optional note that says why, shown in the version history. */
export function PublishDialog({
  open,
  nextVersion,
  savesFirst,
  pending,
  error,
  environments,
  onPublish,
  onCancel,
}: PublishDialogProps) {
  const titleId = useId();
  const [note, setNote] = useState("");
  const [environment, setEnvironment] = useState("production");
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
            setNote("");
            setEnvironment("production");
          },
        },
      }}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (!pending) onPublish(note.trim(), environment);
        }}
      >
        <DialogTitle id={titleId}>Publish version {nextVersion}</DialogTitle>
        <DialogContent>
          <Stack spacing={2}>
            <Typography>
              {savesFirst ? "Your changes are saved, then the draft " : "The draft "}
              becomes version {nextVersion}
              {environment === "production"
                ? ", and conversations get it from their next message. You can roll back at any time."
                : `, served in ${environments.find((e) => e.name === environment)?.label ?? environment} only; ` +
                  "promote it from the Environments panel when it is ready."}
            </Typography>
            {environments.length > 1 && (
              <TextField
                select
                label="Publish to"
                value={environment}
                onChange={(event) => setEnvironment(event.target.value)}
                helperText="Production serves every channel bound to it; the others serve their own keys and channels."
                fullWidth
              >
                {environments.map((e) => (
                  <MenuItem key={e.name} value={e.name}>
                    {e.label}
                  </MenuItem>
                ))}
              </TextField>
            )}
            <TextField
              label="Release note (optional)"
              value={note}
              onChange={(event) => setNote(event.target.value)}
              helperText={`What changed and why, for whoever reads the history. ${note.length} / ${maxNoteLength}`}
              multiline
              minRows={2}
              fullWidth
              autoFocus
              slotProps={{ htmlInput: { maxLength: maxNoteLength } }}
            />
            {error && <FormErrorAlert title="Not published" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Publishing…" : savesFirst ? "Save and publish" : "Publish"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
