import { Link as RouterLink, useNavigate, useSearchParams } from "react-router";
import {
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
import { AgentFilterSelect } from "../components/AgentFilterSelect";
import { ExperimentForm } from "../components/experiments/ExperimentForm";
import { ExperimentStatusChip } from "../components/experiments/ExperimentStatusChip";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import type { Agent } from "../data/agents";
import { experimentMetricLabels, type Experiment } from "../data/experiments";
import { useAgents } from "../data/hooks/agents";
import { useExperiments } from "../data/hooks/experiments";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";

export const experimentAddress = (experimentId: string) => `/experiments/${encodeURIComponent(experimentId)}`;

/** Loaded on demand (see routes/index.tsx). `/experiments`: the workspace's experiments, of one agent or all. */
export function ExperimentsPage() {
  usePageTitle("Experiments");
  const [searchParams, setSearchParams] = useSearchParams();
  const agentId = searchParams.get("agent") ?? undefined;
  const experiments = useExperiments(agentId);
  const agents = useAgents({ includeArchived: true });
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Experiments"
        intro="Split an agent's live traffic between variants (prompts, models, temperature, knowledge, versions), see which answers better with the significance of the difference, and promote the winner."
        actions={
          canEdit && (
            <Button
              component={RouterLink}
              to={agentId ? `/experiments/new?agent=${encodeURIComponent(agentId)}` : "/experiments/new"}
              variant="contained"
            >
              New experiment
            </Button>
          )
        }
      />
      <AgentFilterSelect
        agentId={agentId}
        agents={agents}
        onChange={(id) => setSearchParams(id ? { agent: id } : {}, { replace: true })}
        sx={{ maxWidth: 360 }}
      />
      {experiments.error && !experiments.data && (
        <RequestErrorAlert
          error={experiments.error}
          onRetry={experiments.retry}
          retrying={experiments.pending}
        />
      )}
      {!experiments.data && !experiments.error && <PageLoading label="Loading experiments…" />}
      {experiments.data &&
        (experiments.data.length === 0 ? (
          <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
            <Typography variant="h2" gutterBottom>
              No experiments yet
            </Typography>
            <Typography color="text.secondary">
              {canEdit
                ? "Create one to compare two to five variants of an agent on real traffic."
                : "Experiments appear here once an editor of this workspace creates one."}
            </Typography>
          </Paper>
        ) : (
          <ExperimentTable experiments={experiments.data} agents={agents.data ?? []} />
        ))}
    </Stack>
  );
}

function ExperimentTable({
  experiments,
  agents,
}: {
  readonly experiments: readonly Experiment[];
  readonly agents: readonly Agent[];
}) {
  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Experiments">
        <TableHead>
          <TableRow>
            <TableCell>Experiment</TableCell>
            <TableCell>Agent</TableCell>
            <TableCell>Status</TableCell>
            <TableCell align="right">Variants</TableCell>
            <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Decided on</TableCell>
            <TableCell sx={{ whiteSpace: "nowrap" }}>Last change</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {experiments.map((e) => (
            <TableRow key={e.id} hover>
              <TableCell>
                <Link
                  component={RouterLink}
                  to={experimentAddress(e.id)}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {e.name}
                </Link>
              </TableCell>
              <TableCell sx={{ overflowWrap: "anywhere" }}>{agentName(e.agentId)}</TableCell>
              <TableCell>
                <ExperimentStatusChip status={e.status} />
              </TableCell>
              <TableCell align="right">{e.variants.length}</TableCell>
              <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>
                {experimentMetricLabels[e.metric]}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={e.updatedAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Loaded on demand. `/experiments/new`: the form, for editors. */
export function NewExperimentPage() {
  usePageTitle("New experiment");
  const [searchParams] = useSearchParams();
  const navigate = useNavigate();
  const studio = useStudio();
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  return (
    <Stack spacing={3}>
      <Box component="header">
        <Link
          component={RouterLink}
          to="/experiments"
          variant="body2"
          sx={{ display: "inline-block", mb: 1 }}
        >
          ← Experiments
        </Link>
        <Typography variant="h1">New experiment</Typography>
      </Box>
      {canEdit ? (
        <ExperimentForm
          initialAgentId={searchParams.get("agent") ?? undefined}
          onCreate={async (input) => {
            const created = await studio.createExperiment(input);
            void navigate(experimentAddress(created.id));
          }}
          onCancel={() => void navigate("/experiments")}
        />
      ) : (
        <Typography color="text.secondary">Only editors, admins and owners create experiments.</Typography>
      )}
    </Stack>
  );
}
