import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Link,
  MenuItem,
  Paper,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { hasPermission } from "../../data/admin";
import { publishGateTimeout, type Agent, type PublishGate } from "../../data/agents";
import type { EvalDataset } from "../../data/evaluations";
import { useEvalDatasets } from "../../data/hooks/evaluations";
import { useSession } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import type { RemoteData } from "../../data/useRemoteData";
import { ConfirmDialog } from "../ConfirmDialog";
import { formatPoints } from "../evaluations/format";
import { datasetAddress, evaluationsRoot } from "../evaluations/sections";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";

interface PublishGatePanelProps {
  readonly agent: Agent;
  /** Editors on an agent that is not archived set, change and remove it. */
  readonly canChange: boolean;
  /** Takes the gate as stored (null once removed), and the sentence the page announces. */
  readonly onChanged: (gate: PublishGate | null, said: string) => void;
}

/**
 * The publish gate (its outcome is announced on the page's status line): the golden dataset publishing runs against the draft and the published version first, and
 * the largest drop in accuracy it lets through. Stored on the agent, outside its versions.
 */
export function PublishGatePanel({ agent, canChange, onChanged }: PublishGatePanelProps) {
  const gate = agent.publishGate;
  const [editing, setEditing] = useState(false);
  const [removing, setRemoving] = useState(false);
  const actions = useMutation<"remove">();
  const studio = useStudio();
  const { session } = useSession();
  // Datasets are read with `conversations.view` (editors and up); a viewer sees the gate's dataset id.
  const canReadDatasets = session !== undefined && hasPermission(session.role, "conversations.view");
  return (
    <Paper component="section" aria-labelledby="publish-gate-heading" sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id="publish-gate-heading" gutterBottom>
        Publish gate
      </Typography>
      {gate && canReadDatasets ? (
        <GateSummaryNamed gate={gate} agent={agent} />
      ) : gate ? (
        <GateSummary gate={gate} agent={agent} datasetName={undefined} missing={false} />
      ) : (
        <Typography variant="body2" color="text.secondary">
          No gate: publishing does not run an evaluation first. A gate runs a golden dataset against the draft
          and the published version, and refuses a draft whose accuracy drops by more than you allow.
        </Typography>
      )}
      {canChange && (
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", mt: 2 }}>
          <Button variant="outlined" onClick={() => setEditing(true)}>
            {gate ? "Change gate…" : "Set a gate…"}
          </Button>
          {gate && (
            <Button
              color="error"
              onClick={() => {
                actions.dismiss("remove");
                setRemoving(true);
              }}
            >
              Remove gate…
            </Button>
          )}
        </Box>
      )}
      {editing && (
        <PublishGateDialog
          agentId={agent.id}
          gate={gate}
          onCancel={() => setEditing(false)}
          onSaved={(saved) => {
            setEditing(false);
            onChanged(saved, "Publish gate saved.");
          }}
        />
      )}
      <ConfirmDialog
        open={removing}
        title="Remove the publish gate?"
        confirmLabel="Remove gate"
        destructive
        pending={actions.busy === "remove"}
        error={actions.error("remove")}
        errorTitle="The gate was not removed"
        onCancel={() => setRemoving(false)}
        onConfirm={() =>
          void actions
            .run("remove", async () => {
              await studio.removePublishGate(agent.id);
              onChanged(null, "Publish gate removed: publishing no longer runs an evaluation first.");
            })
            .then((ok) => ok && setRemoving(false))
        }
      >
        Publishing then no longer runs the dataset first, and a draft that answers worse is published all the
        same. The dataset and its runs stay.
      </ConfirmDialog>
    </Paper>
  );
}

/** The gate's dataset by name, for those who may read the Sandbox's datasets (editors and up). */
function GateSummaryNamed({ gate, agent }: { readonly gate: PublishGate; readonly agent: Agent }) {
  const datasets = useEvalDatasets();
  const dataset = datasets.data?.find((d) => d.id === gate.datasetId);
  return (
    <GateSummary
      gate={gate}
      agent={agent}
      datasetName={dataset?.name}
      missing={datasets.data !== undefined && dataset === undefined}
    />
  );
}

/** What the gate does; its dataset by name when known, else by id. */
function GateSummary({
  gate,
  agent,
  datasetName,
  missing,
}: {
  readonly gate: PublishGate;
  readonly agent: Agent;
  readonly datasetName: string | undefined;
  /** The datasets were read and it is not among them. */
  readonly missing: boolean;
}) {
  const datasetLink = (
    <Link component={RouterLink} to={datasetAddress(gate.datasetId)}>
      {datasetName === undefined ? gate.datasetId : `“${datasetName}”`}
    </Link>
  );
  return (
    <Stack spacing={1}>
      <Typography variant="body2">
        {gate.enabled ? "On" : "Off (kept, not run)"}: publishing runs {datasetLink} against the draft and{" "}
        {agent.publishedVersion === null ? "the published version" : `version ${agent.publishedVersion}`}, and
        refuses a drop in accuracy of more than {formatPoints(gate.maxDrop)}. It waits up to{" "}
        {gate.timeoutSeconds} s for the runs.
      </Typography>
      {missing && (
        <Typography variant="body2" color="error">
          This workspace has no dataset with the id {gate.datasetId} any more: publishing is refused until you
          choose another or remove the gate.
        </Typography>
      )}
      {agent.publishedVersion === null && gate.enabled && (
        <Typography variant="body2" color="text.secondary">
          A first publish has nothing to compare with: the gate lets it through.
        </Typography>
      )}
    </Stack>
  );
}

interface PublishGateDialogProps {
  readonly agentId: string;
  readonly gate: PublishGate | null;
  readonly onCancel: () => void;
  readonly onSaved: (gate: PublishGate) => void;
}

/** Sets or changes the gate; opened fresh each time, so it starts from the gate as stored. */
function PublishGateDialog({ agentId, gate, onCancel, onSaved }: PublishGateDialogProps) {
  const titleId = useId();
  const studio = useStudio();
  const datasets = useEvalDatasets();
  const saving = useMutation<"save">();
  const [datasetId, setDatasetId] = useState(gate?.datasetId ?? "");
  const [enabled, setEnabled] = useState(gate?.enabled ?? true);
  const [maxDrop, setMaxDrop] = useState(gate ? String(Math.round(gate.maxDrop * 1000) / 10) : "5");
  const [timeout, setTimeoutSeconds] = useState(String(gate?.timeoutSeconds ?? publishGateTimeout.default));
  const [errors, setErrors] = useState<Partial<Record<"datasetId" | "maxDrop" | "timeoutSeconds", string>>>(
    {},
  );

  const submit = () => {
    const problems: typeof errors = {};
    const drop = Number(maxDrop);
    const seconds = Number(timeout);
    if (datasetId === "" || (datasets.data && !datasets.data.some((d) => d.id === datasetId))) {
      problems.datasetId = "Choose the dataset the gate runs.";
    }
    if (maxDrop.trim() === "" || !Number.isFinite(drop) || drop < 0 || drop > 100) {
      problems.maxDrop = "A number of percentage points from 0 to 100.";
    }
    if (
      timeout.trim() === "" ||
      !Number.isInteger(seconds) ||
      seconds < publishGateTimeout.min ||
      seconds > publishGateTimeout.max
    ) {
      problems.timeoutSeconds = `A whole number of seconds from ${publishGateTimeout.min} to ${publishGateTimeout.max}.`;
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    void saving.run(
      "save",
      async () => {
        // Points to a share, rounded to a tenth of a point: 5 → 0.05.
        const input = { enabled, datasetId, maxDrop: Math.round(drop * 10) / 1000, timeoutSeconds: seconds };
        onSaved(await studio.setPublishGate(agentId, input));
      },
      {
        onFailure: (error) => {
          const fieldErrors: typeof errors = {};
          for (const issue of error.issues) {
            if (issue.path === "datasetId" || issue.path === "maxDrop" || issue.path === "timeoutSeconds") {
              fieldErrors[issue.path] = issue.message;
            }
          }
          setErrors(fieldErrors);
        },
      },
    );
  };

  const failure = saving.error("save");
  return (
    <Dialog open onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <DialogTitle id={titleId}>{gate ? "Change the publish gate" : "Set a publish gate"}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography variant="body2" color="text.secondary">
              Before each publish, the dataset runs against the draft and the published version (runs of the
              same dataset and configuration are reused), and publishing waits for them. A draft whose
              accuracy is lower by more than the margin is not published.
            </Typography>
            <DatasetPicker
              datasets={datasets}
              value={datasetId}
              onChange={setDatasetId}
              error={errors.datasetId}
            />
            <TextField
              label="Largest drop allowed (percentage points)"
              type="number"
              value={maxDrop}
              onChange={(event) => setMaxDrop(event.target.value)}
              error={errors.maxDrop !== undefined}
              helperText={
                errors.maxDrop ??
                "5: the draft may score up to 5 points lower than the published version (80% → 75%). 0: no drop at all."
              }
              slotProps={{ htmlInput: { min: 0, max: 100, step: 0.5 } }}
              fullWidth
            />
            <TextField
              label="Wait for the runs at most (seconds)"
              type="number"
              value={timeout}
              onChange={(event) => setTimeoutSeconds(event.target.value)}
              error={errors.timeoutSeconds !== undefined}
              helperText={
                errors.timeoutSeconds ??
                `${publishGateTimeout.min} to ${publishGateTimeout.max}. Past it the publish is refused; the runs go on, and publishing again reuses them.`
              }
              slotProps={{
                htmlInput: { min: publishGateTimeout.min, max: publishGateTimeout.max, step: 1 },
              }}
              fullWidth
            />
            <FormControlLabel
              control={<Switch checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />}
              label="Run the gate when publishing"
            />
            {failure && <FormErrorAlert title="The gate was not saved" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {saving.busy ? "Saving…" : "Save gate"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

function DatasetPicker({
  datasets,
  value,
  onChange,
  error,
}: {
  readonly datasets: RemoteData<EvalDataset[]>;
  readonly value: string;
  readonly onChange: (datasetId: string) => void;
  readonly error: string | undefined;
}) {
  if (datasets.error && !datasets.data) {
    return <RequestErrorAlert error={datasets.error} onRetry={datasets.retry} retrying={datasets.pending} />;
  }
  if (!datasets.data) return <PageLoading label="Loading datasets…" />;
  if (datasets.data.length === 0) {
    return (
      <Typography color="error">
        The workspace has no eval dataset yet.{" "}
        <Link component={RouterLink} to={evaluationsRoot}>
          Create one in Evaluations
        </Link>{" "}
        with the questions every version must get right.
      </Typography>
    );
  }
  const known = datasets.data.some((d) => d.id === value);
  return (
    <TextField
      select
      label="Golden dataset"
      value={known ? value : ""}
      onChange={(event) => onChange(event.target.value)}
      error={error !== undefined}
      helperText={error ?? "The questions every version must get right."}
      fullWidth
    >
      {datasets.data.map((d) => (
        <MenuItem key={d.id} value={d.id}>
          {d.name} ({d.itemCount.toLocaleString("en")} item{d.itemCount === 1 ? "" : "s"})
        </MenuItem>
      ))}
    </TextField>
  );
}
