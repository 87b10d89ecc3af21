import { useId, useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  LinearProgress,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import type { PublishGate } from "../../data/agents";
import { useEvalDatasets } from "../../data/hooks/evaluations";
import type { PlatformRequestError } from "../../data/platform";
import { formatPoints } from "../evaluations/format";
import { PublishRefusal } from "./PublishGateVerdict";

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
  /** The agent's publish gate, run before publishing when enabled and a version is published. */
  readonly gate: PublishGate | null;
  readonly publishedVersion: number | null;
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
  gate,
  publishedVersion,
  onPublish,
  onCancel,
}: PublishDialogProps) {
  const gateRuns = gate !== null && gate.enabled && publishedVersion !== null;
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
            {gateRuns ? (
              <GateNotes gate={gate} publishedVersion={publishedVersion} pending={pending} error={error} />
            ) : (
              error && <PublishRefusal error={error} datasetName={(id) => id} />
            )}
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

/**
 * What the publish gate does to this publish (it runs first, and publishing waits), the wait while it runs, and
 * its verdict when it refuses; the dataset named as the Evaluations pages name it.
 */
function GateNotes({
  gate,
  publishedVersion,
  pending,
  error,
}: {
  readonly gate: PublishGate;
  readonly publishedVersion: number;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
}) {
  const datasets = useEvalDatasets();
  const datasetName = (id: string) => datasets.data?.find((d) => d.id === id)?.name ?? id;
  return (
    <>
      <Typography variant="body2" color="text.secondary">
        The publish gate runs first: “{datasetName(gate.datasetId)}” is evaluated against the draft and
        version {publishedVersion} (runs already made of the same configuration are reused), and publishing
        waits for them, up to {gate.timeoutSeconds} s. A drop in accuracy of more than{" "}
        {formatPoints(gate.maxDrop)} refuses the publish.
      </Typography>
      {pending && (
        <Stack spacing={1}>
          <LinearProgress aria-label="The publish gate's evaluation" />
          <Typography variant="body2" role="status">
            Evaluating the draft against version {publishedVersion}…
          </Typography>
        </Stack>
      )}
      {error && <PublishRefusal error={error} datasetName={datasetName} />}
    </>
  );
}
