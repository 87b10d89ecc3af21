import { useEffect, useRef, useState, type ReactNode } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router";
import {
  Alert,
  Box,
  Button,
  LinearProgress,
  Link,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EvaluationsOnlyForEditors } from "../components/evaluations/EvaluationsOnlyForEditors";
import { progressText, runStatusWords, targetLabel } from "../components/evaluations/format";
import { ResultsTable } from "../components/evaluations/ResultsTable";
import { CalibrationChart, RunScoresTable } from "../components/evaluations/RunScoresView";
import { RunStatusChip } from "../components/evaluations/RunsTable";
import { compareAddress, datasetAddress, evaluationsPath } from "../components/evaluations/sections";
import { PageLoading } from "../components/PageLoading";
import { TraceAside } from "../components/playground/TraceAside";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { isRunActive, type EvalRun } from "../data/evaluations";
import { useAgent } from "../data/hooks/agents";
import { useEvalResults, useEvalRun, useEvalRuns } from "../data/hooks/evaluations";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";

function Header({ title, children }: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <Box component="header">
      <Link
        component={RouterLink}
        to={evaluationsPath("runs")}
        variant="body2"
        sx={{ display: "inline-block", mb: 1 }}
      >
        ← Runs
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }} gutterBottom={children !== undefined}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

/** Loaded on demand (see routes/index.tsx). `/evaluations/runs/:runId`: progress, scores, per-item results. */
export function EvalRunPage() {
  const { runId = "" } = useParams();
  const { session } = useSession();
  if (!session || !hasPermission(session.role, "conversations.view")) {
    return (
      <Stack spacing={3}>
        <Header title="Evaluation run" />
        <EvaluationsOnlyForEditors />
      </Stack>
    );
  }
  return <RunLoader key={runId} runId={runId} />;
}

function RunLoader({ runId }: { readonly runId: string }) {
  // Read again every 2 s while it runs; the flag follows the last answer.
  const [live, setLive] = useState(true);
  const run = useEvalRun(runId, live);
  if (run.data && live !== isRunActive(run.data)) setLive(isRunActive(run.data));
  const title = run.data
    ? `${run.data.datasetName || "Dataset"} against ${targetLabel(run.data.version).toLowerCase()}`
    : "Evaluation run";
  usePageTitle(run.data ? `${title} · Evaluations` : "Evaluation run");
  if (run.data) return <RunView run={run.data} title={title} onChange={run.replace} />;
  return (
    <Stack spacing={3}>
      <Header title="Evaluation run" />
      {run.error?.status === 404 ? (
        <Alert severity="warning">
          This workspace has no evaluation run with the id {runId}. It may belong to another workspace.
        </Alert>
      ) : run.error ? (
        <RequestErrorAlert error={run.error} onRetry={run.retry} retrying={run.pending} />
      ) : (
        <PageLoading label="Loading the run…" />
      )}
    </Stack>
  );
}

function RunView({
  run,
  title,
  onChange,
}: {
  readonly run: EvalRun;
  readonly title: string;
  readonly onChange: (run: EvalRun) => void;
}) {
  const studio = useStudio();
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  const agent = useAgent(run.agentId);
  const results = useEvalResults(run.id);
  // Results are read again as items finish and when the run ends, keeping the table on screen meanwhile.
  const progress = `${run.status}:${run.progress.done}`;
  const shownProgress = useRef(progress);
  const { retry: readResultsAgain } = results;
  useEffect(() => {
    if (shownProgress.current === progress) return;
    shownProgress.current = progress;
    readResultsAgain();
  }, [progress, readResultsAgain]);
  const [traceId, setTraceId] = useState<string | undefined>(undefined);
  const [cancelling, setCancelling] = useState(false);
  const actions = useMutation<"cancel">();
  const active = isRunActive(run);
  const percent = run.progress.total === 0 ? 0 : Math.round((run.progress.done / run.progress.total) * 100);

  return (
    <Stack spacing={3}>
      <Header title={title}>
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
          <RunStatusChip status={run.status} />
          <Typography variant="body2" color="text.secondary">
            Dataset{" "}
            <Link component={RouterLink} to={datasetAddress(run.datasetId)}>
              {run.datasetName || run.datasetId}
            </Link>
            {" · "}agent{" "}
            <Link component={RouterLink} to={`/agents/${encodeURIComponent(run.agentId)}`}>
              {agent.data?.name ?? run.agentId}
            </Link>
            {" · "}started <RelativeTime iso={run.startedAt ?? run.createdAt} />
            {run.origin === "gate" && " · by the publish gate"}
          </Typography>
        </Box>
      </Header>

      {active && (
        <Paper sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography id="run-progress-label" gutterBottom>
            {runStatusWords[run.status]}: {progressText(run)}
          </Typography>
          <LinearProgress
            variant="determinate"
            value={percent}
            aria-labelledby="run-progress-label"
            sx={{ height: 10, borderRadius: 5 }}
          />
          {canEdit && (
            <Button sx={{ mt: 2 }} onClick={() => setCancelling(true)}>
              Cancel the run
            </Button>
          )}
        </Paper>
      )}
      {run.error && (
        <Alert severity={run.status === "cancelled" ? "warning" : "error"}>
          {run.status === "cancelled" ? "Cancelled: " : "The run failed: "}
          {run.error.message}
        </Alert>
      )}
      <Typography role="status">{actions.announcement}</Typography>

      {run.scores && (
        <Paper component="section" aria-labelledby="run-scores-heading" sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h2" id="run-scores-heading" gutterBottom>
            Scores
          </Typography>
          <RunScoresTable scores={run.scores} />
          <Box sx={{ mt: 2 }}>
            <CalibrationChart scores={run.scores} />
          </Box>
          <CompareWith run={run} />
        </Paper>
      )}

      <Paper component="section" aria-labelledby="run-results-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="run-results-heading" gutterBottom>
          Results by item
        </Typography>
        {results.error && !results.data && (
          <RequestErrorAlert error={results.error} onRetry={results.retry} retrying={results.pending} />
        )}
        {!results.data && !results.error && <PageLoading label="Loading results…" />}
        {results.data && <ResultsTable results={results.data} onShowTrace={setTraceId} />}
      </Paper>

      <TraceAside traceId={traceId} onClose={() => setTraceId(undefined)} wide={false} placeholder="" />
      <ConfirmDialog
        open={cancelling}
        title="Cancel the run?"
        confirmLabel="Cancel the run"
        destructive
        pending={actions.busy === "cancel"}
        error={actions.error("cancel")}
        errorTitle="The run was not cancelled"
        onCancel={() => {
          actions.dismiss("cancel");
          setCancelling(false);
        }}
        onConfirm={() =>
          void actions
            .run("cancel", async () => {
              onChange(await studio.cancelEvalRun(run.id));
              return "The run was cancelled; the items already done are kept and scored.";
            })
            .then((ok) => ok && setCancelling(false))
        }
      >
        <Typography>Nothing more starts; the items already answered are kept and scored.</Typography>
      </ConfirmDialog>
    </Stack>
  );
}

/** Another finished run of the same dataset to compare with, item by item. */
function CompareWith({ run }: { readonly run: EvalRun }) {
  const runs = useEvalRuns({ datasetId: run.datasetId });
  const navigate = useNavigate();
  const [other, setOther] = useState("");
  const choices = (runs.data ?? []).filter((r) => r.id !== run.id && r.scores !== null);
  if (choices.length === 0) return null;
  return (
    <Box
      component="form"
      onSubmit={(event) => {
        event.preventDefault();
        if (other) void navigate(compareAddress(other, run.id));
      }}
      sx={{ display: "flex", gap: 2, alignItems: "flex-start", flexWrap: "wrap", mt: 3 }}
    >
      <TextField
        select
        size="small"
        label="Compare with"
        value={other}
        onChange={(event) => setOther(event.target.value)}
        helperText="Another finished run of this dataset, as the base."
        sx={{ minWidth: 280 }}
      >
        {choices.map((r) => (
          <MenuItem key={r.id} value={r.id}>
            {targetLabel(r.version)}, {new Date(r.createdAt).toLocaleString()}
          </MenuItem>
        ))}
      </TextField>
      <Button type="submit" variant="outlined" disabled={other === ""}>
        Compare
      </Button>
    </Box>
  );
}
