import {
  Chip,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useDeployments } from "../../data/hooks/operator";
import type { DeploymentOutcome } from "../../data/operator";
import { monospace } from "../../theme";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { compactCells } from "../shared/tableStyles";

const outcomes: Record<DeploymentOutcome, { label: string; color: "success" | "error" | "warning" }> = {
  succeeded: { label: "Succeeded", color: "success" },
  failed: { label: "Failed", color: "error" },
  "rolled-back": { label: "Rolled back", color: "warning" },
};

/** `/admin/deployments`: what `npm run deploy` shipped, when, where, and what its checks said. */
export function DeploymentsTab() {
  const deployments = useDeployments();
  const { data, error } = deployments;
  if (!data) {
    if (error)
      return <RequestErrorAlert error={error} onRetry={deployments.retry} retrying={deployments.pending} />;
    return <PageLoading label="Loading deployments…" />;
  }
  if (data.length === 0) {
    return (
      <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
        <Typography variant="h2" gutterBottom>
          No deployments recorded
        </Typography>
        <Typography color="text.secondary">
          Each <code>npm run deploy</code> to Firebase records itself here, with its checks.
        </Typography>
      </Paper>
    );
  }
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Deployments" sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Outcome</TableCell>
            <TableCell>Commit</TableCell>
            <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Project</TableCell>
            <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Targets</TableCell>
            <TableCell>Checks</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {data.map((d) => {
            const failed = d.checks.filter((c) => !c.ok);
            return (
              <TableRow key={d.id}>
                <TableCell sx={{ whiteSpace: "nowrap" }}>
                  <RelativeTime iso={d.at} />
                  <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
                    by {d.by}
                  </Typography>
                </TableCell>
                <TableCell>
                  <Chip label={outcomes[d.outcome].label} color={outcomes[d.outcome].color} size="small" />
                </TableCell>
                <TableCell sx={{ fontFamily: monospace }}>{d.commit.slice(0, 12)}</TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" }, overflowWrap: "anywhere" }}>
                  {d.project}
                </TableCell>
                <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>
                  {d.targets.join(", ")}
                </TableCell>
                <TableCell>
                  {d.checks.length === 0
                    ? "None"
                    : failed.length === 0
                      ? `${d.checks.length} passed`
                      : failed.map((c) => `${c.name} failed${c.detail ? `: ${c.detail}` : ""}`).join("; ")}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
