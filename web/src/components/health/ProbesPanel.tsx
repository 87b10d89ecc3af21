import { useId, useState, type FormEvent } from "react";
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  InputAdornment,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import type { Agent } from "../../data/agents";
import { useProbes } from "../../data/hooks/monitor";
import type { Probe, ProbeSettings } from "../../data/monitor";
import type { PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import type { RemoteData } from "../../data/useRemoteData";
import { ConfirmDialog } from "../ConfirmDialog";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "../settings/SectionLoadError";
import { compactCells, visuallyHidden } from "../shared/tableStyles";
import { probePresentation } from "./AgentsHealth";
import { formatMinutes } from "./format";
import { PresentationChip } from "./PresentationChip";
import { newProbeForm, probeFormOf, readProbeForm, type ProbeForm } from "./probeForm";

type ProbeAction = "save" | "delete";

/** An agent's row: the agent (or only its id, for a probe of an agent no longer listed) and its probe. */
interface ProbeRow {
  readonly agentId: string;
  readonly name: string;
  readonly published: boolean;
  readonly probe: Probe | undefined;
}

interface ProbesPanelProps {
  readonly canManage: boolean;
  /** The workspace's agents (archived ones left out). */
  readonly agents: RemoteData<Agent[]>;
}

/** Per agent, a canary question asked on a schedule, and what its latest run found. */
export function ProbesPanel({ canManage, agents }: ProbesPanelProps) {
  const headingId = useId();
  const studio = useStudio();
  const probes = useProbes();
  const changes = useMutation<ProbeAction>();
  const [editing, setEditing] = useState<ProbeRow | undefined>(undefined);
  const [removing, setRemoving] = useState<ProbeRow | undefined>(undefined);

  const save = (row: ProbeRow, settings: ProbeSettings) =>
    void changes.run("save", async () => {
      await studio.saveProbe(row.agentId, settings);
      setEditing(undefined);
      probes.retry();
      return `The probe of ${row.name} is saved${settings.enabled ? `: it runs every ${formatMinutes(settings.everyMinutes)}` : ", paused"}.`;
    });

  const remove = () => {
    const row = removing;
    if (!row) return;
    void changes.run("delete", async () => {
      await studio.deleteProbe(row.agentId);
      setRemoving(undefined);
      probes.retry();
      return `The probe of ${row.name} is removed.`;
    });
  };

  const listed = agents.data ?? [];
  const rows: ProbeRow[] = [
    ...listed.map((agent) => ({
      agentId: agent.id,
      name: agent.name,
      published: agent.publishedVersion !== null,
      probe: probes.data?.find((p) => p.agentId === agent.id),
    })),
    ...(probes.data ?? [])
      .filter((p) => !listed.some((agent) => agent.id === p.agentId))
      .map((probe) => ({ agentId: probe.agentId, name: probe.agentId, published: false, probe })),
  ];
  const loaded = probes.data !== undefined && agents.data !== undefined;
  const error = probes.error ?? agents.error;

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Probes"
        description="A probe asks an agent's published version a question whose answer you know, on a schedule, and checks the answer. A failed probe counts toward the probe-failures metric."
      />
      {!loaded &&
        (error ? (
          <SectionLoadError
            error={error}
            onRetry={() => {
              probes.retry();
              agents.retry();
            }}
            retrying={probes.pending || agents.pending}
          />
        ) : (
          <PageLoading label="Loading probes…" />
        ))}
      {loaded && rows.length === 0 && (
        <Typography color="text.secondary">
          This workspace has no agents yet: a probe asks one of them.
        </Typography>
      )}
      {loaded && rows.length > 0 && (
        <TableContainer component={Paper}>
          <Table aria-labelledby={headingId} sx={compactCells}>
            <TableHead>
              <TableRow>
                <TableCell>Agent</TableCell>
                <TableCell>Probe</TableCell>
                <TableCell>Latest run</TableCell>
                {canManage && (
                  <TableCell align="right">
                    <span style={visuallyHidden}>Actions</span>
                  </TableCell>
                )}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={row.agentId}>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>
                    <Box sx={{ fontWeight: 600 }}>{row.name}</Box>
                    {!row.published && (
                      <Typography variant="body2" color="text.secondary">
                        Not published: probes ask the published version
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>
                    {row.probe ? (
                      <>
                        <Box>“{row.probe.question}”</Box>
                        <Typography variant="body2" color="text.secondary">
                          Expects {row.probe.expect === "answers" ? "an answer" : "an abstention"}
                          {row.probe.mustContain.length > 0 &&
                            ` containing ${row.probe.mustContain.map((s) => `“${s}”`).join(", ")}`}{" "}
                          · every {formatMinutes(row.probe.everyMinutes)}
                        </Typography>
                      </>
                    ) : (
                      <Typography variant="body2" color="text.secondary">
                        No probe
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    {row.probe && (
                      <Stack spacing={0.5} sx={{ alignItems: "flex-start" }}>
                        <PresentationChip presentation={probePresentation(row.probe)} />
                        {row.probe.last && (
                          <Typography variant="body2" color="text.secondary">
                            {row.probe.last.detail} · <RelativeTime iso={row.probe.last.at} />
                          </Typography>
                        )}
                      </Stack>
                    )}
                  </TableCell>
                  {canManage && (
                    <TableCell align="right">
                      <Stack
                        direction={{ xs: "column", sm: "row" }}
                        spacing={1}
                        sx={{ justifyContent: "flex-end" }}
                      >
                        <Button
                          size="small"
                          aria-label={`${row.probe ? "Edit the probe of" : "Add probe to"} ${row.name}`}
                          onClick={() => {
                            changes.dismiss("save");
                            setEditing(row);
                          }}
                        >
                          {row.probe ? "Edit" : "Add probe"}
                        </Button>
                        {row.probe && (
                          <Button
                            size="small"
                            color="error"
                            aria-label={`Remove the probe of ${row.name}`}
                            onClick={() => {
                              changes.dismiss("delete");
                              setRemoving(row);
                            }}
                          >
                            Remove
                          </Button>
                        )}
                      </Stack>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      {loaded && probes.error && (
        <FormErrorAlert title="The probes could not be refreshed" error={probes.error} />
      )}
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>
      {editing && (
        <ProbeEditorDialog
          row={editing}
          pending={changes.busy === "save"}
          error={changes.error("save")}
          onSave={(settings) => save(editing, settings)}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <ConfirmDialog
        open={removing !== undefined}
        title={`Remove the probe of ${removing?.name ?? "this agent"}?`}
        confirmLabel="Remove probe"
        destructive
        pending={changes.busy === "delete"}
        error={changes.error("delete")}
        errorTitle="Not removed"
        onConfirm={remove}
        onCancel={() => setRemoving(undefined)}
      >
        The question is no longer asked of this agent.
      </ConfirmDialog>
    </Stack>
  );
}

interface ProbeEditorDialogProps {
  readonly row: ProbeRow;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onSave: (settings: ProbeSettings) => void;
  readonly onCancel: () => void;
}

function ProbeEditorDialog({ row, pending, error, onSave, onCancel }: ProbeEditorDialogProps) {
  const titleId = useId();
  const expectId = useId();
  const [form, setForm] = useState<ProbeForm>(() => (row.probe ? probeFormOf(row.probe) : newProbeForm));
  const [tried, setTried] = useState(false);
  const { settings, problems } = readProbeForm(form);
  const problem = (key: keyof ProbeForm) => (tried ? problems[key] : undefined);
  const set = <K extends keyof ProbeForm>(key: K, value: ProbeForm[K]) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (settings && !pending) onSave(settings);
  };

  return (
    <Dialog open onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>Probe of {row.name}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <TextField
              label="Question"
              required
              autoFocus
              multiline
              minRows={2}
              value={form.question}
              onChange={(event) => set("question", event.target.value)}
              error={problem("question") !== undefined}
              helperText={
                problem("question") ??
                "A question whose answer you know, e.g. “How many vacation days do we get?”"
              }
            />
            <FormControl>
              <FormLabel id={expectId}>The agent should</FormLabel>
              <RadioGroup
                row
                aria-labelledby={expectId}
                value={form.expect}
                onChange={(event) =>
                  set("expect", event.target.value === "abstains" ? "abstains" : "answers")
                }
              >
                <FormControlLabel value="answers" control={<Radio />} label="Answer" />
                <FormControlLabel value="abstains" control={<Radio />} label="Abstain" />
              </RadioGroup>
            </FormControl>
            {form.expect === "answers" && (
              <TextField
                label="The answer must contain"
                multiline
                minRows={2}
                value={form.mustContain}
                onChange={(event) => set("mustContain", event.target.value)}
                error={problem("mustContain") !== undefined}
                helperText={problem("mustContain") ?? "One per line, any case, e.g. “25 days”. Optional."}
              />
            )}
            <TextField
              label="Every"
              value={form.everyMinutes}
              onChange={(event) => set("everyMinutes", event.target.value)}
              error={problem("everyMinutes") !== undefined}
              helperText={problem("everyMinutes") ?? "Minutes between runs."}
              slotProps={{
                input: { endAdornment: <InputAdornment position="end">min</InputAdornment> },
                htmlInput: { inputMode: "numeric" },
              }}
              sx={{ maxWidth: 240 }}
            />
            <FormControlLabel
              control={
                <Switch checked={form.enabled} onChange={(event) => set("enabled", event.target.checked)} />
              }
              label="Enabled"
            />
            {error && <FormErrorAlert title="The probe was not saved" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Saving…" : "Save probe"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
