import type { ReactNode } from "react";
import {
  Box,
  Button,
  Chip,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { Trace } from "../../data/conversations";
import { useTrace } from "../../data/hooks/agents";
import { warningDark } from "../../theme";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { TraceMemorySection } from "./TraceMemorySection";

const stepLabels: Record<string, string> = {
  guardrails: "Guardrails",
  retrieval: "Retrieval",
  context: "Context",
  generation: "Generation",
  tools: "Tools",
  checks: "Checks",
  total: "Total",
};

const formatMs = (ms: number) => `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms`;

interface TracePanelProps {
  readonly traceId: string;
  readonly onClose: () => void;
}

/** How one answer was decided: the platform's immutable trace of the turn. */
export function TracePanel({ traceId, onClose }: TracePanelProps) {
  const trace = useTrace(traceId);
  return (
    <Stack spacing={2} component="section" aria-labelledby="trace-heading">
      <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
        <Typography variant="h2" id="trace-heading" sx={{ mr: "auto" }}>
          Trace
        </Typography>
        <Button size="small" onClick={onClose}>
          Close trace
        </Button>
      </Box>
      {trace.data ? (
        <TraceDetails trace={trace.data} />
      ) : trace.error ? (
        <RequestErrorAlert error={trace.error} onRetry={trace.retry} retrying={trace.pending} />
      ) : (
        <PageLoading label="Loading the trace…" />
      )}
    </Stack>
  );
}

function Section({ title, children }: { readonly title: string; readonly children: ReactNode }) {
  return (
    <Box>
      <Typography variant="h3" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

function Empty({ children }: { readonly children: ReactNode }) {
  return (
    <Typography variant="body2" color="text.secondary">
      {children}
    </Typography>
  );
}

function TraceDetails({ trace }: { readonly trace: Trace }) {
  return (
    <Stack spacing={2.5}>
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
        <Chip
          size="small"
          label={`Status: ${trace.status}`}
          color={trace.status === "answered" ? "success" : trace.status === "failed" ? "error" : "warning"}
          sx={trace.status === "answered" || trace.status === "failed" ? undefined : { bgcolor: warningDark }}
        />
        <Typography variant="body2" color="text.secondary">
          Model: {trace.model.label || `${trace.model.provider}/${trace.model.model}`}
        </Typography>
      </Box>

      <Section title="Timings">
        <Table size="small" aria-label="Timings per step">
          <TableHead>
            <TableRow>
              <TableCell>Step</TableCell>
              <TableCell align="right">Time</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {trace.timingsMs.map(([step, ms]) => (
              <TableRow key={step}>
                <TableCell component="th" scope="row">
                  {stepLabels[step] ?? step}
                </TableCell>
                <TableCell align="right">{formatMs(ms)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Section>

      <Section title="Retrieval candidates">
        {trace.candidates.length === 0 ? (
          <Empty>No passage was retrieved.</Empty>
        ) : (
          <Table size="small" aria-label="Retrieval candidates">
            <TableHead>
              <TableRow>
                <TableCell>Passage</TableCell>
                <TableCell align="right">Score</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {trace.candidates.map((candidate) => (
                <TableRow key={`${candidate.ref}-${candidate.chunkId}`}>
                  <TableCell component="th" scope="row">
                    [{candidate.ref}] {candidate.docName}
                  </TableCell>
                  <TableCell align="right">{candidate.score.toFixed(2)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>

      <Section title="Tool calls">
        {trace.toolCalls.length === 0 ? (
          <Empty>No tool was called.</Empty>
        ) : (
          <Table size="small" aria-label="Tool calls">
            <TableBody>
              {trace.toolCalls.map((call) => (
                <TableRow key={call.id}>
                  <TableCell component="th" scope="row">
                    {call.name}
                  </TableCell>
                  <TableCell>{call.status}</TableCell>
                  <TableCell align="right">{formatMs(call.durationMs)}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        )}
      </Section>

      {trace.memory && (
        <Section title="Memory">
          <TraceMemorySection memory={trace.memory} />
        </Section>
      )}

      <Section title="Checks">
        {trace.checks.length === 0 ? (
          <Empty>No sentence was checked.</Empty>
        ) : (
          <Stack spacing={1} component="ul" sx={{ m: 0, pl: 2 }}>
            {trace.checks.map((check, index) => (
              <Typography component="li" variant="body2" key={index}>
                {check.sentence}{" "}
                <Typography component="span" variant="body2" color="text.secondary">
                  — {check.verdict}, support {Math.round(check.support * 100)}%
                  {check.reason ? `: ${check.reason}` : ""}
                </Typography>
              </Typography>
            ))}
          </Stack>
        )}
      </Section>
    </Stack>
  );
}
