import { Link as RouterLink, useSearchParams } from "react-router";
import {
  Button,
  FormControlLabel,
  Link,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { AgentStatusChip } from "../components/AgentStatusChip";
import { PageLoading } from "../components/PageLoading";
import { PublishedVersion } from "../components/PublishedVersion";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import type { Agent } from "../data/agents";
import { useAgents } from "../data/hooks/agents";
import { roleAtLeast, useSession } from "../data/session";
import { PageHeader } from "../components/PageHeader";

/** Loaded on demand (see routes/index.tsx). Every agent of the workspace, most recently changed first. */
export function AgentsPage() {
  usePageTitle("Agents");
  const [searchParams, setSearchParams] = useSearchParams();
  const includeArchived = searchParams.get("archived") === "shown";
  const { data, error, pending, retry } = useAgents({ includeArchived });
  const { session } = useSession();
  const canCreate = session !== undefined && roleAtLeast(session.role, "editor");

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Agents"
        intro="Each agent answers from its knowledge bases, with sources and a confidence for every answer."
        actions={
          canCreate &&
          data &&
          data.length > 0 && (
            <Button component={RouterLink} to="/agents/new" variant="contained">
              Create agent
            </Button>
          )
        }
      />

      <FormControlLabel
        sx={{ alignSelf: "flex-start" }}
        control={
          <Switch
            checked={includeArchived}
            onChange={(event) =>
              setSearchParams(event.target.checked ? { archived: "shown" } : {}, { replace: true })
            }
          />
        }
        label="Show archived agents"
      />

      {error && !data && <RequestErrorAlert error={error} onRetry={retry} retrying={pending} />}
      {!data && !error && <PageLoading label="Loading agents…" />}
      {data &&
        (data.length === 0 ? (
          <NoAgents canCreate={canCreate} includeArchived={includeArchived} />
        ) : (
          <AgentTable agents={data} />
        ))}
    </Stack>
  );
}

function NoAgents({
  canCreate,
  includeArchived,
}: {
  readonly canCreate: boolean;
  readonly includeArchived: boolean;
}) {
  return (
    <Paper
      component="section"
      aria-labelledby="no-agents-heading"
      sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
    >
      <Typography variant="h2" id="no-agents-heading" gutterBottom>
        {includeArchived ? "This workspace has no agents" : "No agents yet"}
      </Typography>
      <Typography color="text.secondary" sx={{ maxWidth: 520, mx: "auto", mb: canCreate ? 3 : 0 }}>
        {canCreate
          ? "Create an agent, give it instructions and knowledge bases, test the draft, then publish it for your channels."
          : "Agents appear here once an editor of this workspace creates one."}
      </Typography>
      {canCreate && (
        <Button component={RouterLink} to="/agents/new" variant="contained" size="large">
          Create agent
        </Button>
      )}
    </Paper>
  );
}

function AgentTable({ agents }: { readonly agents: readonly Agent[] }) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Agents">
        <TableHead>
          <TableRow>
            <TableCell>Agent</TableCell>
            <TableCell>Status</TableCell>
            <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Published version</TableCell>
            <TableCell sx={{ whiteSpace: "nowrap", display: { xs: "none", md: "table-cell" } }}>
              Last activity
            </TableCell>
            <TableCell sx={{ whiteSpace: "nowrap" }}>Last change</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {agents.map((agent) => (
            <TableRow key={agent.id} hover>
              <TableCell sx={{ maxWidth: 420 }}>
                <Link
                  component={RouterLink}
                  to={`/agents/${encodeURIComponent(agent.id)}`}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {agent.name}
                </Link>
                {agent.description && (
                  <Typography
                    variant="body2"
                    color="text.secondary"
                    sx={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}
                  >
                    {agent.description}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                <AgentStatusChip status={agent.status} />
              </TableCell>
              <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                <PublishedVersion agent={agent} />
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap", display: { xs: "none", md: "table-cell" } }}>
                {agent.lastActivityAt ? (
                  <RelativeTime iso={agent.lastActivityAt} />
                ) : agent.lastActivityAt === null ? (
                  <Typography component="span" variant="body2" color="text.secondary">
                    No conversations yet
                  </Typography>
                ) : (
                  <Typography component="span" variant="body2" color="text.secondary">
                    Unknown
                  </Typography>
                )}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={agent.updatedAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
