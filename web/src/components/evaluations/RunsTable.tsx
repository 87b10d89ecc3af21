import { useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import {
  Box,
  Button,
  Checkbox,
  Chip,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { Agent } from "../../data/agents";
import { isRunActive, type EvalRun, type RunStatus } from "../../data/evaluations";
import { visuallyHidden } from "../shared/ChartCard";
import { warningDark } from "../../theme";
import { RelativeTime } from "../RelativeTime";
import { accuracyOf, progressText, runStatusWords, targetLabel } from "./format";
import { compareAddress, datasetAddress, runAddress } from "./sections";

/**
 * Each status's color, as text and border of an outlined chip on white: shades that read at 4.5:1 or more
 * (the palette's info and warning main shades do not).
 */
const statusColors: Record<RunStatus, string> = {
  queued: "text.secondary",
  running: "info.dark",
  completed: "success.dark",
  failed: "error.dark",
  cancelled: warningDark,
};

/** A run's status; the word carries the meaning, the color only repeats it. */
export function RunStatusChip({ status }: { readonly status: RunStatus }) {
  const color = statusColors[status];
  return (
    <Chip size="small" label={runStatusWords[status]} variant="outlined" sx={{ color, borderColor: color }} />
  );
}

interface RunsTableProps {
  readonly runs: readonly EvalRun[];
  readonly agents: readonly Agent[];
  /** Shows the dataset column (the Runs tab lists every dataset's runs). */
  readonly showDataset: boolean;
  readonly label: string;
}

/** Runs, newest first; two finished ones can be picked and compared. */
export function RunsTable({ runs, agents, showDataset, label }: RunsTableProps) {
  const navigate = useNavigate();
  const [picked, setPicked] = useState<string[]>([]);
  const agentName = (id: string) => agents.find((a) => a.id === id)?.name ?? id;
  const comparable = (run: EvalRun) => run.scores !== null;
  const toggle = (id: string) =>
    setPicked((current) =>
      current.includes(id) ? current.filter((x) => x !== id) : [...current.slice(-1), id],
    );
  const [first, second] = picked;
  if (runs.length === 0) {
    return <Typography color="text.secondary">No runs yet.</Typography>;
  }
  return (
    <Box sx={{ display: "flex", flexDirection: "column", gap: 1.5 }}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography variant="body2" color="text.secondary" sx={{ flex: 1 }} role="status">
          {picked.length === 2
            ? "Two runs picked: compare them item by item."
            : "Pick two finished runs to compare them item by item."}
        </Typography>
        <Button
          variant="outlined"
          disabled={first === undefined || second === undefined}
          onClick={() => {
            // The older run is the base: "better" reads as what the newer run improved.
            const older =
              runs.findIndex((r) => r.id === first) > runs.findIndex((r) => r.id === second) ? first : second;
            const newer = older === first ? second : first;
            if (older && newer) void navigate(compareAddress(older, newer));
          }}
        >
          Compare
        </Button>
      </Box>
      <TableContainer component={Paper} tabIndex={0} role="group" aria-label={`${label}: the table`}>
        <Table aria-label={label}>
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox">
                <Box component="span" sx={visuallyHidden}>
                  Compare
                </Box>
              </TableCell>
              <TableCell>Run</TableCell>
              {showDataset && <TableCell>Dataset</TableCell>}
              <TableCell>Agent</TableCell>
              <TableCell>Status</TableCell>
              <TableCell align="right">Accuracy</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>Started</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {runs.map((run) => (
              <TableRow key={run.id} hover>
                <TableCell padding="checkbox">
                  <Checkbox
                    checked={picked.includes(run.id)}
                    disabled={!comparable(run)}
                    onChange={() => toggle(run.id)}
                    slotProps={{
                      input: {
                        "aria-label": comparable(run)
                          ? `Pick run of ${run.datasetName || "the dataset"} against ${targetLabel(run.version).toLowerCase()} to compare`
                          : "Not finished: cannot be compared yet",
                      },
                    }}
                  />
                </TableCell>
                <TableCell>
                  <Link component={RouterLink} to={runAddress(run.id)} sx={{ fontWeight: 600 }}>
                    {targetLabel(run.version)}
                  </Link>
                  {run.origin === "gate" && (
                    <Typography variant="body2" color="text.secondary">
                      Publish gate
                    </Typography>
                  )}
                </TableCell>
                {showDataset && (
                  <TableCell>
                    <Link component={RouterLink} to={datasetAddress(run.datasetId)}>
                      {run.datasetName || run.datasetId}
                    </Link>
                  </TableCell>
                )}
                <TableCell sx={{ overflowWrap: "break-word" }}>{agentName(run.agentId)}</TableCell>
                <TableCell>
                  <RunStatusChip status={run.status} />
                  {isRunActive(run) && (
                    <Typography variant="body2" color="text.secondary">
                      {progressText(run)}
                    </Typography>
                  )}
                </TableCell>
                <TableCell align="right">{accuracyOf(run)}</TableCell>
                <TableCell sx={{ whiteSpace: "nowrap" }}>
                  <RelativeTime iso={run.createdAt} />
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}
