import { Fragment, useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
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
import type { Simulation } from "../../data/evaluations";
import { useAgents } from "../../data/hooks/agents";
import { useSimulations } from "../../data/hooks/evaluations";
import { useStudio } from "../../data/studio";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { conversationAddress } from "./sections";
import { StartSimulationDialog } from "./StartSimulationDialog";

const endedWords: Record<string, string> = {
  "script-end": "the script ended",
  "user-done": "the simulated user was done",
  "max-turns": "the turn limit was reached",
  "turn-failed": "a turn failed",
  "user-model-failed": "the simulated user's model failed",
  "time-budget": "the time budget ran out",
};

/**
 * Simulated end users walking a scenario (scripted, or model-driven with a model provider), with their checks;
 * editors start one here.
 */
export function SimulationsTab({ canEdit }: { readonly canEdit: boolean }) {
  const simulations = useSimulations();
  const agents = useAgents({ includeArchived: true });
  const studio = useStudio();
  const [open, setOpen] = useState<string | undefined>(undefined);
  const [starting, setStarting] = useState(false);
  const [status, setStatus] = useState("");
  const agentName = (id: string) => agents.data?.find((a) => a.id === id)?.name ?? id;
  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography color="text.secondary" sx={{ flex: 1, minWidth: 240 }}>
          A simulation has a scripted or model-driven end user walk a multi-turn scenario against an agent
          version, in the sandbox, and checks each answer. Their transcripts and checks are kept here.
        </Typography>
        {canEdit && (
          <Button variant="contained" onClick={() => setStarting(true)}>
            Start a simulation
          </Button>
        )}
      </Box>
      <Typography role="status">{status}</Typography>
      {simulations.error && !simulations.data && (
        <RequestErrorAlert
          error={simulations.error}
          onRetry={simulations.retry}
          retrying={simulations.pending}
        />
      )}
      {!simulations.data && !simulations.error && <PageLoading label="Loading simulations…" />}
      {simulations.data &&
        (simulations.data.length === 0 ? (
          <Typography color="text.secondary">No simulations yet.</Typography>
        ) : (
          <TableContainer component={Paper} tabIndex={0} role="group" aria-label="Simulations: the table">
            <Table aria-label="Simulations">
              <TableHead>
                <TableRow>
                  <TableCell scope="col">Simulation</TableCell>
                  <TableCell scope="col">Agent</TableCell>
                  <TableCell scope="col">Result</TableCell>
                  <TableCell scope="col" align="right">
                    Checks passed
                  </TableCell>
                  <TableCell scope="col">When</TableCell>
                  <TableCell scope="col">Steps</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {simulations.data.map((s) => (
                  <SimulationRow
                    key={s.id}
                    simulation={s}
                    agentName={agentName(s.agentId)}
                    open={open === s.id}
                    onToggle={() => setOpen((o) => (o === s.id ? undefined : s.id))}
                  />
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        ))}
      <StartSimulationDialog
        open={starting}
        onCancel={() => setStarting(false)}
        onRun={async (input) => {
          const simulation = await studio.createSimulation(input);
          setStarting(false);
          // The new one first, its steps open.
          simulations.replace([
            simulation,
            ...(simulations.data ?? []).filter((s) => s.id !== simulation.id),
          ]);
          setOpen(simulation.id);
          setStatus(
            `“${simulation.name}” ${simulation.status === "failed" ? "failed to run" : simulation.passed ? "passed" : "failed its checks"}: ` +
              `${simulation.summary.checksPassed} of ${simulation.summary.checks} checks passed.`,
          );
        }}
      />
    </Stack>
  );
}

function SimulationRow({
  simulation: s,
  agentName,
  open,
  onToggle,
}: {
  readonly simulation: Simulation;
  readonly agentName: string;
  readonly open: boolean;
  readonly onToggle: () => void;
}) {
  const stepsId = useId();
  return (
    <Fragment>
      <TableRow>
        <TableCell component="th" scope="row" sx={{ overflowWrap: "anywhere" }}>
          {s.name}
          <Typography variant="body2" color="text.secondary">
            {s.mode === "scripted" ? "Scripted" : "Model-driven"} ·{" "}
            {s.version === "draft" ? "the draft" : `version ${s.version}`}
          </Typography>
        </TableCell>
        <TableCell sx={{ overflowWrap: "anywhere" }}>{agentName}</TableCell>
        <TableCell sx={{ fontWeight: 600, color: s.passed ? "success.dark" : "error.dark" }}>
          {s.status === "failed" ? "Failed to run" : s.passed ? "Passed" : "Checks failed"}
          <Typography variant="body2" color="text.secondary" sx={{ fontWeight: 400 }}>
            Ended: {endedWords[s.endedBy] ?? s.endedBy}
          </Typography>
        </TableCell>
        <TableCell align="right">
          {s.summary.checksPassed} of {s.summary.checks}
        </TableCell>
        <TableCell sx={{ whiteSpace: "nowrap" }}>
          <RelativeTime iso={s.createdAt} />
        </TableCell>
        <TableCell>
          <Button
            size="small"
            onClick={onToggle}
            aria-label={`${open ? "Hide" : "Show"} the steps of ${s.name}`}
            aria-expanded={open}
            aria-controls={open ? stepsId : undefined}
          >
            {open ? "Hide" : "Show"}
          </Button>
        </TableCell>
      </TableRow>
      {open && (
        <TableRow id={stepsId}>
          <TableCell colSpan={6} sx={{ bgcolor: "grey.50" }}>
            <Stack component="ol" spacing={1.5} sx={{ m: 0, pl: 3 }}>
              {s.steps.map((step) => (
                <li key={step.index}>
                  <Typography variant="body2">
                    <strong>End user{step.userFrom === "model" ? " (model)" : ""}:</strong> {step.user}
                  </Typography>
                  <Typography variant="body2" sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
                    <strong>Agent:</strong> {step.answer ?? `(${step.status})`}
                  </Typography>
                  {step.checks.map((c, i) => (
                    <Typography key={i} variant="body2" color={c.passed ? "text.secondary" : "error"}>
                      {c.passed ? "Passed" : "Failed"}: {c.kind}{" "}
                      {typeof c.expected === "string" ? `“${c.expected}”` : String(c.expected)} — {c.detail}
                    </Typography>
                  ))}
                </li>
              ))}
            </Stack>
            <Button
              size="small"
              component={RouterLink}
              to={conversationAddress(s.conversationId)}
              sx={{ mt: 1 }}
            >
              Open the conversation
            </Button>
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
}
