import { useId } from "react";
import {
  Box,
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
import type { CheckSample, CheckStatus, DependencyCheck } from "../../data/monitor";
import { monospace, warningDark } from "../../theme";
import { formatLatency } from "../shared/format";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { compactCells } from "../shared/tableStyles";
import { checkStatusPresentation, formatPointTime } from "./format";
import { PresentationChip } from "./PresentationChip";

const stripColors: Record<CheckStatus, string> = {
  ok: "success.main",
  degraded: warningDark,
  down: "error.main",
  unknown: "grey.400",
};

/** The most recent results a strip shows. */
const stripLength = 30;

/** "28 OK, 2 degraded": how a strip's results add up, for screen readers and the tooltip. */
export function describeHistory(samples: readonly CheckSample[]): string {
  if (samples.length === 0) return "No earlier results";
  const counts = new Map<CheckStatus, number>();
  for (const s of samples) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
  const parts = (["ok", "degraded", "down", "unknown"] as const)
    .filter((status) => counts.has(status))
    .map((status) => `${counts.get(status)} ${checkStatusPresentation[status].label.toLowerCase()}`);
  const first = samples[0];
  return `Last ${samples.length} ${samples.length === 1 ? "result" : "results"}${first ? ` since ${formatPointTime(first.at, "minute")}` : ""}: ${parts.join(", ")}`;
}

/**
 * A check's recent results, oldest to newest, as a strip of small bars coloured by status (a taller bar for
 * down, so colour is not the only cue); one sentence says the same for screen readers.
 */
export function CheckHistoryStrip({ history }: { readonly history: readonly CheckSample[] }) {
  const samples = history.slice(-stripLength);
  const summary = describeHistory(samples);
  if (samples.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No history yet
      </Typography>
    );
  }
  return (
    <Box
      role="img"
      aria-label={summary}
      title={summary}
      sx={{ display: "flex", alignItems: "flex-end", gap: "2px", height: 20 }}
    >
      {samples.map((sample) => (
        <Box
          key={sample.at}
          sx={{
            width: 5,
            height: sample.status === "down" ? 20 : sample.status === "degraded" ? 14 : 10,
            borderRadius: 0.5,
            bgcolor: stripColors[sample.status],
          }}
        />
      ))}
    </Box>
  );
}

/** The platform's dependencies: each check's status, latency, when it ran, and its recent history. */
export function DependencyChecks({ checks }: { readonly checks: readonly DependencyCheck[] }) {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Dependencies"
        level="h3"
        description="What every agent relies on (the store, the task queue, the models), checked about every minute."
      />
      {checks.length === 0 ? (
        <Typography color="text.secondary">The platform reports no checks yet.</Typography>
      ) : (
        <TableContainer component={Paper}>
          <Table size="small" aria-labelledby={headingId} sx={compactCells}>
            <TableHead>
              <TableRow>
                <TableCell>Check</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Latency</TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>History</TableCell>
                <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Checked</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {checks.map((check) => (
                <TableRow key={check.name}>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>
                    <Box sx={{ fontFamily: monospace }}>{check.name}</Box>
                    {check.detail && (
                      <Typography variant="body2" color="text.secondary">
                        {check.detail}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <PresentationChip presentation={checkStatusPresentation[check.status]} />
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                    {formatLatency(check.latencyMs)}
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                    <CheckHistoryStrip history={check.history} />
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", md: "table-cell" }, whiteSpace: "nowrap" }}>
                    {check.checkedAt ? <RelativeTime iso={check.checkedAt} /> : "Not yet"}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}
