import { useId } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
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
import type { AgentHealth, ProbeStatus } from "../../data/monitor";
import { formatCount, formatLatency, formatRate } from "../shared/format";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { compactCells } from "../shared/tableStyles";
import { agentStatusPresentation, type Presentation } from "./format";
import { PresentationChip } from "./PresentationChip";
import { healthPath } from "./sections";

/** What a probe's latest run says, as a chip. */
export function probePresentation(probe: ProbeStatus | null): Presentation {
  if (probe === null) return { label: "No probe", color: "default" };
  if (!probe.enabled) return { label: "Paused", color: "default" };
  if (probe.last === null) return { label: "Not run yet", color: "default" };
  return probe.last.ok ? { label: "Passed", color: "success" } : { label: "Failed", color: "error" };
}

function ProbeResult({ probe }: { readonly probe: ProbeStatus | null }) {
  return (
    <Stack spacing={0.5} sx={{ alignItems: "flex-start" }}>
      <PresentationChip presentation={probePresentation(probe)} />
      {probe?.last && (
        <Typography variant="body2" color="text.secondary">
          {probe.last.detail} · <RelativeTime iso={probe.last.at} />
        </Typography>
      )}
    </Stack>
  );
}

interface AgentsHealthProps {
  readonly agents: readonly AgentHealth[];
  /** What the figures cover. */
  readonly window: { readonly from: string; readonly to: string };
}

/** Each agent over the last hour: status, turns, error rate, p95 latency, abstentions and its probe. */
export function AgentsHealth({ agents, window }: AgentsHealthProps) {
  const headingId = useId();
  const minutes = Math.round((Date.parse(window.to) - Date.parse(window.from)) / 60_000);
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Agents"
        level="h3"
        description={
          <>
            Over the last {minutes === 60 ? "hour" : `${formatCount(minutes)} minutes`}. A probe asks an agent
            a question whose answer you know, on a schedule:{" "}
            <Link component={RouterLink} to={healthPath("rules")}>
              set one up under Alert rules
            </Link>
            .
          </>
        }
      />
      {agents.length === 0 ? (
        <Typography color="text.secondary">
          This workspace has no agents yet.{" "}
          <Link component={RouterLink} to="/agents">
            Create one
          </Link>{" "}
          and its figures appear here.
        </Typography>
      ) : (
        <TableContainer component={Paper}>
          <Table size="small" aria-labelledby={headingId} sx={compactCells}>
            <TableHead>
              <TableRow>
                <TableCell>Agent</TableCell>
                <TableCell>Status</TableCell>
                <TableCell align="right">Turns</TableCell>
                <TableCell align="right">Error rate</TableCell>
                <TableCell align="right" sx={{ display: { xs: "none", sm: "table-cell" } }}>
                  p95
                </TableCell>
                <TableCell align="right" sx={{ display: { xs: "none", md: "table-cell" } }}>
                  Abstentions
                </TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Probe</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {agents.map((agent) => (
                <TableRow key={agent.agentId}>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>
                    <Link component={RouterLink} to={`/agents/${encodeURIComponent(agent.agentId)}`}>
                      {agent.name}
                    </Link>
                    {!agent.published && (
                      <Typography variant="body2" color="text.secondary">
                        Not published
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <PresentationChip presentation={agentStatusPresentation[agent.status]} />
                  </TableCell>
                  <TableCell align="right">{formatCount(agent.turns)}</TableCell>
                  <TableCell align="right">{formatRate(agent.errorRate)}</TableCell>
                  <TableCell
                    align="right"
                    sx={{ display: { xs: "none", sm: "table-cell" }, whiteSpace: "nowrap" }}
                  >
                    {formatLatency(agent.p95Ms)}
                  </TableCell>
                  <TableCell align="right" sx={{ display: { xs: "none", md: "table-cell" } }}>
                    {formatRate(agent.abstentionRate)}
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                    <Box sx={{ minWidth: 120 }}>
                      <ProbeResult probe={agent.probe} />
                    </Box>
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
