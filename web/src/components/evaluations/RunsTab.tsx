import { Box, Typography } from "@mui/material";
import { useAgents } from "../../data/hooks/agents";
import { useEvalRuns } from "../../data/hooks/evaluations";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { RunsTable } from "./RunsTable";

/** Every run of the workspace, newest first. Runs start from a dataset's page. */
export function RunsTab() {
  const runs = useEvalRuns({});
  const agents = useAgents({ includeArchived: true });
  return (
    <Box sx={{ display: "flex", flexDirection: "column", gap: 2 }}>
      <Typography color="text.secondary">
        Each run asks a dataset's questions of an agent version or the draft, in the sandbox: its turns are
        billed as sandbox usage and left out of analytics. Start one from a dataset's page.
      </Typography>
      {runs.error && !runs.data && (
        <RequestErrorAlert error={runs.error} onRetry={runs.retry} retrying={runs.pending} />
      )}
      {!runs.data && !runs.error && <PageLoading label="Loading runs…" />}
      {runs.data && <RunsTable runs={runs.data} agents={agents.data ?? []} showDataset label="Runs" />}
    </Box>
  );
}
