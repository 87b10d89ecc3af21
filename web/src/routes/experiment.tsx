import { useEffect, useState, type ReactNode } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router";
import {
  Alert,
  Box,
  Button,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { ConfirmDialog } from "../components/ConfirmDialog";
import {
  SignificancePanel,
  VariantCharts,
  VariantFiguresTable,
} from "../components/experiments/ExperimentResultsView";
import { ExperimentStatusChip } from "../components/experiments/ExperimentStatusChip";
import { PageLoading } from "../components/PageLoading";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import {
  describeOverrides,
  experimentMetricLabels,
  type Experiment,
  type Variant,
} from "../data/experiments";
import { useAgent } from "../data/hooks/agents";
import { useExperiment, useExperimentResults } from "../data/hooks/experiments";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";

function Header({ title, children }: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <Box component="header">
      <Link component={RouterLink} to="/experiments" variant="body2" sx={{ display: "inline-block", mb: 1 }}>
        ← Experiments
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }} gutterBottom={children !== undefined}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

/** Loaded on demand (see routes/index.tsx). `/experiments/:experimentId`: one experiment's dashboard. */
export function ExperimentPage() {
  const { experimentId = "" } = useParams();
  const experiment = useExperiment(experimentId);
  usePageTitle(experiment.data ? `${experiment.data.name} · Experiments` : "Experiment");
  if (experiment.data) {
    return <Dashboard key={experimentId} experiment={experiment.data} onChange={experiment.replace} />;
  }
  return (
    <Stack spacing={3}>
      <Header title="Experiment" />
      {experiment.error?.status === 404 ? (
        <Alert severity="warning">
          This workspace has no experiment with the id {experimentId}. It may belong to another workspace.
        </Alert>
      ) : experiment.error ? (
        <RequestErrorAlert
          error={experiment.error}
          onRetry={experiment.retry}
          retrying={experiment.pending}
        />
      ) : (
        <PageLoading label="Loading the experiment…" />
      )}
    </Stack>
  );
}

type Action = "start" | "stop" | "promote" | "delete";

/** The figures, charts and significance of an experiment that has run; read again every 30 s while it runs. */
function Results({
  experiment,
  onWinner,
}: {
  readonly experiment: Experiment;
  readonly onWinner: (variantId: string | null) => void;
}) {
  const results = useExperimentResults(experiment.id, experiment.status === "running");
  const winner = results.data?.winnerVariantId ?? null;
  useEffect(() => onWinner(winner), [winner, onWinner]);
  if (results.error && !results.data) {
    return <RequestErrorAlert error={results.error} onRetry={results.retry} retrying={results.pending} />;
  }
  if (!results.data) return <PageLoading label="Loading the results…" />;
  return (
    <>
      <Paper component="section" aria-labelledby="experiment-figures-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="experiment-figures-heading" gutterBottom>
          Results
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          From {results.data.tracesRead.toLocaleString("en")} turns of live traffic
          {results.data.truncated ? " (the first ones read: the figures cover only those)" : ""}; updated{" "}
          <RelativeTime iso={results.data.generatedAt} />. Sandbox turns (evaluations) are not counted.
        </Typography>
        <VariantFiguresTable variants={results.data.variants} />
      </Paper>
      <VariantCharts variants={results.data.variants} />
      <SignificancePanel results={results.data} metric={experiment.metric} />
    </>
  );
}

/** The variant a served prompt is, in words: its pinned version once started. */
function changesOf(variant: Variant): string {
  const words = describeOverrides(variant.overrides);
  const pinned = variant.resolvedPrompt;
  return pinned ? `${words} (prompt fixed at version ${pinned.version})` : words;
}

function Dashboard({
  experiment,
  onChange,
}: {
  readonly experiment: Experiment;
  readonly onChange: (experiment: Experiment) => void;
}) {
  const studio = useStudio();
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  const agent = useAgent(experiment.agentId);
  const actions = useMutation<Action>();
  // Which variant the results favour, once they are read (a draft has none).
  const [winner, setWinner] = useState<string | null>(null);
  const [confirm, setConfirm] = useState<"start" | "stop" | undefined>(undefined);
  const [promoting, setPromoting] = useState<Variant | undefined>(undefined);
  const [deleting, setDeleting] = useState(false);
  const navigate = useNavigate();
  const agentName = agent.data?.name ?? experiment.agentId;

  const change = (action: "start" | "stop") =>
    actions
      .run(action, async () => {
        const next =
          action === "start"
            ? await studio.startExperiment(experiment.id)
            : await studio.stopExperiment(experiment.id);
        onChange(next);
        return action === "start" ? "The experiment is running." : "The experiment is stopped.";
      })
      .then((ok) => ok && setConfirm(undefined));

  return (
    <Stack spacing={3}>
      <Header title={experiment.name}>
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
          <ExperimentStatusChip status={experiment.status} />
          <Typography variant="body2" color="text.secondary">
            On{" "}
            <Link component={RouterLink} to={`/agents/${encodeURIComponent(experiment.agentId)}`}>
              {agentName}
            </Link>
            {" · "}decided on {experimentMetricLabels[experiment.metric].toLowerCase()}
            {experiment.startedAt && (
              <>
                {" · "}started <RelativeTime iso={experiment.startedAt} />
              </>
            )}
            {experiment.status === "stopped" && experiment.stoppedAt && (
              <>
                {" · "}stopped <RelativeTime iso={experiment.stoppedAt} />
              </>
            )}
          </Typography>
        </Box>
      </Header>
      {experiment.description && <Typography color="text.secondary">{experiment.description}</Typography>}
      {experiment.status === "promoted" && (
        <Alert severity="success">
          Variant “
          {experiment.variants.find((v) => v.id === experiment.promotedVariantId)?.name ??
            experiment.promotedVariantId}
          ” was promoted: it became version {experiment.promotedVersion} of {agentName}.
        </Alert>
      )}
      {canEdit &&
        (experiment.status === "draft" ||
          experiment.status === "running" ||
          experiment.status === "stopped") && (
          <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
            {experiment.status !== "running" ? (
              <Button variant="contained" onClick={() => setConfirm("start")}>
                {experiment.status === "draft" ? "Start" : "Start again"}
              </Button>
            ) : (
              <Button variant="outlined" onClick={() => setConfirm("stop")}>
                Stop
              </Button>
            )}
            {experiment.status !== "running" && (
              <Button
                color="error"
                onClick={() => {
                  actions.dismiss("delete");
                  setDeleting(true);
                }}
              >
                Delete…
              </Button>
            )}
          </Box>
        )}
      <Typography role="status">{actions.announcement}</Typography>

      <Paper component="section" aria-labelledby="experiment-variants-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="experiment-variants-heading" gutterBottom>
          Variants
        </Typography>
        <TableContainer tabIndex={0} role="group" aria-label="Variants: the table">
          <Table size="small" aria-label="Variants">
            <TableHead>
              <TableRow>
                <TableCell scope="col">Variant</TableCell>
                <TableCell scope="col" align="right">
                  Share
                </TableCell>
                <TableCell scope="col">Changes</TableCell>
                {canEdit && experiment.status !== "draft" && experiment.status !== "promoted" && (
                  <TableCell scope="col">Promote</TableCell>
                )}
              </TableRow>
            </TableHead>
            <TableBody>
              {experiment.variants.map((variant, index) => (
                <TableRow key={variant.id}>
                  <TableCell component="th" scope="row">
                    {variant.name}
                    {index === 0 ? " (baseline)" : ""}
                    {variant.id === winner ? " — winner" : ""}
                  </TableCell>
                  <TableCell align="right">{Math.round(variant.share * 1000) / 10}%</TableCell>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>{changesOf(variant)}</TableCell>
                  {canEdit && experiment.status !== "draft" && experiment.status !== "promoted" && (
                    <TableCell>
                      <Button
                        size="small"
                        variant={variant.id === winner ? "contained" : "text"}
                        onClick={() => setPromoting(variant)}
                        aria-label={`${variant.id === winner ? "Promote winner" : "Promote"} ${variant.name}`}
                      >
                        {variant.id === winner ? "Promote winner" : "Promote"}
                      </Button>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      </Paper>

      {experiment.status === "draft" ? (
        <Alert severity="info">
          This experiment has not started: end users get the agent as it is. Start it to split the traffic;
          its figures appear here as end users talk to the agent.
        </Alert>
      ) : (
        // Keyed by status: a start or a stop reads the figures again.
        <Results key={experiment.status} experiment={experiment} onWinner={setWinner} />
      )}

      <ConfirmDialog
        open={confirm !== undefined}
        title={confirm === "stop" ? "Stop the experiment?" : "Start the experiment?"}
        confirmLabel={confirm === "stop" ? "Stop" : "Start"}
        pending={actions.busy === confirm}
        error={confirm ? actions.error(confirm) : undefined}
        errorTitle={confirm === "stop" ? "The experiment was not stopped" : "The experiment was not started"}
        onCancel={() => {
          if (confirm) actions.dismiss(confirm);
          setConfirm(undefined);
        }}
        onConfirm={() => confirm && void change(confirm)}
      >
        <Typography>
          {confirm === "stop"
            ? `Every end user gets ${agentName}'s published version again from their next message. The figures so far are kept, and you can start it again.`
            : `From their next message, end users of ${agentName}'s published version are split between the variants by the shares. The shares are then fixed.`}
        </Typography>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting}
        title={`Delete “${experiment.name}”?`}
        confirmLabel="Delete experiment"
        destructive
        pending={actions.busy === "delete"}
        error={actions.error("delete")}
        errorTitle="The experiment was not deleted"
        onCancel={() => setDeleting(false)}
        onConfirm={() =>
          void actions
            .run("delete", () => studio.deleteExperiment(experiment.id))
            .then((ok) => ok && void navigate("/experiments"))
        }
      >
        <Typography>
          The experiment and its settings are deleted. {agentName} is not changed: its end users already get
          its published version
          {experiment.status === "draft"
            ? "."
            : " since the experiment stopped. Its figures are no longer shown."}
        </Typography>
      </ConfirmDialog>
      <ConfirmDialog
        open={promoting !== undefined}
        title={`Promote “${promoting?.name ?? ""}”?`}
        confirmLabel="Promote and publish"
        pending={actions.busy === "promote"}
        error={actions.error("promote")}
        errorTitle="The variant was not promoted"
        onCancel={() => {
          actions.dismiss("promote");
          setPromoting(undefined);
        }}
        onConfirm={() => {
          const variant = promoting;
          if (!variant) return;
          void actions
            .run("promote", async () => {
              const outcome = await studio.promoteVariant(experiment.id, variant.id);
              onChange(outcome.experiment);
              return `“${variant.name}” is now version ${outcome.version} of ${agentName}.`;
            })
            .then((ok) => ok && setPromoting(undefined));
        }}
      >
        <Stack spacing={1.5}>
          <Typography>
            This publishes a new version of {agentName} with this variant's changes (
            {promoting ? changesOf(promoting) : ""}) and stops the experiment. Every end user gets the new
            version from their next message.
          </Typography>
          {promoting && promoting.id !== winner && (
            <Alert severity="warning">
              The results do not show this variant to be significantly better than the others.
            </Alert>
          )}
        </Stack>
      </ConfirmDialog>
    </Stack>
  );
}
