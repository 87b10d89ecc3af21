import { useState } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useAgents } from "../../data/hooks/agents";
import { useFineTuneJobs, useTuningExports } from "../../data/hooks/evaluations";
import type { PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";
import {
  suggestedBaseModel,
  tuningFiles,
  type FineTuneJob,
  type TuningExport,
  type TuningFile,
  type ValidationReport,
} from "../../data/tuning";
import { useMutation } from "../../data/useMutation";
import { formatCount, plural } from "../shared/format";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { saveFile } from "../saveFile";

/** A fine-tuning request refused because no model provider is configured: said as a fact, not as an error. */
export function needsProvider(error: PlatformRequestError | undefined): boolean {
  return error?.code === "failed-precondition" && /provider/i.test(error.reason ?? error.message);
}

const usd = new Intl.NumberFormat("en", { style: "currency", currency: "USD", maximumFractionDigits: 2 });

const exclusionWords: Record<string, string> = {
  ratedDownWithoutCorrection: "rated down and never corrected",
  belowMinConfidence: "below the confidence floor",
  outsideDates: "outside the dates",
  instructionsUnavailable: "whose instructions cannot be recovered",
  answerUnavailable: "no longer stored",
  emptyAfterRedaction: "empty once redacted",
  tooLong: "too long to train on",
};

/** Training data exported from rated and corrected answers, and fine-tuning jobs (which need a provider). */
export function TuningTab() {
  const exports = useTuningExports();
  const jobs = useFineTuneJobs();
  return (
    <Stack spacing={3}>
      <Typography color="text.secondary">
        Export answers rated thumbs-up and editors' corrections as OpenAI fine-tuning JSONL (chat format):
        personal data redacted, split by conversation into training and validation, with token counts, a cost
        estimate and the format check's report.
      </Typography>
      <NewExport onCreated={exports.retry} />
      {exports.error && !exports.data && (
        <RequestErrorAlert error={exports.error} onRetry={exports.retry} retrying={exports.pending} />
      )}
      {!exports.data && !exports.error && <PageLoading label="Loading exports…" />}
      {exports.data &&
        (exports.data.length === 0 ? (
          <Typography color="text.secondary">No exports yet.</Typography>
        ) : (
          exports.data.map((e) => <ExportCard key={e.id} tuningExport={e} />)
        ))}
      <FineTuning exports={exports.data ?? []} jobs={jobs} />
    </Stack>
  );
}

function NewExport({ onCreated }: { readonly onCreated: () => void }) {
  const studio = useStudio();
  const agents = useAgents({ includeArchived: true });
  const [agentId, setAgentId] = useState("");
  const [rated, setRated] = useState(true);
  const [annotations, setAnnotations] = useState(true);
  const [validationPercent, setValidationPercent] = useState("10");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const exporting = useMutation<"export">();
  return (
    <Paper
      component="form"
      noValidate
      aria-labelledby="new-export-heading"
      sx={{ p: { xs: 2, sm: 3 } }}
      onSubmit={(event) => {
        event.preventDefault();
        const percent = Number(validationPercent);
        if (!/^\d+(\.\d+)?$/.test(validationPercent.trim()) || percent > 50) {
          setProblem("A percent from 0 to 50.");
          return;
        }
        if (!rated && !annotations) {
          setProblem("Include rated answers, corrections, or both.");
          return;
        }
        setProblem(undefined);
        void exporting.run("export", async () => {
          const created = await studio.createTuningExport({
            ...(agentId ? { agentId } : {}),
            validationShare: percent / 100,
            include: { rated, annotations },
          });
          onCreated();
          return `Exported ${created.counts.examples} example${created.counts.examples === 1 ? "" : "s"}.`;
        });
      }}
    >
      <Typography variant="h2" id="new-export-heading" gutterBottom>
        Export training data
      </Typography>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}>
        <TextField
          select
          size="small"
          label="Agent"
          value={agentId}
          onChange={(event) => setAgentId(event.target.value)}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          sx={{ minWidth: 220 }}
        >
          <MenuItem value="">All agents</MenuItem>
          {(agents.data ?? []).map((a) => (
            <MenuItem key={a.id} value={a.id}>
              {a.name}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          label="Validation share (%)"
          value={validationPercent}
          onChange={(event) => setValidationPercent(event.target.value)}
          error={problem !== undefined && problem.startsWith("A percent")}
          helperText="Conversations held out, 0 to 50."
          slotProps={{ htmlInput: { inputMode: "decimal" } }}
          sx={{ width: 180 }}
        />
        <FormControlLabel
          control={<Checkbox checked={rated} onChange={(e) => setRated(e.target.checked)} />}
          label="Answers rated thumbs-up"
        />
        <FormControlLabel
          control={<Checkbox checked={annotations} onChange={(e) => setAnnotations(e.target.checked)} />}
          label="Corrections"
        />
        <Button type="submit" variant="contained">
          {exporting.busy ? "Exporting…" : "Export"}
        </Button>
      </Box>
      {problem && (
        <Typography color="error" role="alert" variant="body2" sx={{ mt: 1 }}>
          {problem}
        </Typography>
      )}
      <Typography role="status" variant="body2" sx={{ mt: 1 }}>
        {exporting.announcement}
      </Typography>
      {exporting.error("export") && (
        <FormErrorAlert title="The export was not made" error={exporting.error("export")!} />
      )}
    </Paper>
  );
}

function Report({ name, report }: { readonly name: string; readonly report: ValidationReport }) {
  return (
    <Box>
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {name}: {report.valid ? "valid" : "not valid"} — {plural(report.examples, "example", "examples")},{" "}
        {formatCount(report.errorCount)} error{report.errorCount === 1 ? "" : "s"},{" "}
        {formatCount(report.warningCount)} warning{report.warningCount === 1 ? "" : "s"}
      </Typography>
      {[
        ...report.errors.map((i) => ({ ...i, kind: "Error" })),
        ...report.warnings.map((i) => ({ ...i, kind: "Warning" })),
      ].map((issue, n) => (
        <Typography key={n} variant="body2" color={issue.kind === "Error" ? "error" : "text.secondary"}>
          {issue.kind}, {issue.line === 0 ? "the file" : `line ${issue.line}`}: {issue.message}
        </Typography>
      ))}
    </Box>
  );
}

function ExportCard({ tuningExport: e }: { readonly tuningExport: TuningExport }) {
  const studio = useStudio();
  const agents = useAgents({ includeArchived: true });
  const downloading = useMutation<TuningFile>();
  const agentName = e.agentId
    ? (agents.data?.find((a) => a.id === e.agentId)?.name ?? e.agentId)
    : "All agents";
  const excluded = Object.entries(e.excluded).filter(([, n]) => n > 0);
  const redactions = Object.entries(e.redactions).filter(([, n]) => n > 0);
  const failure = tuningFiles.map((f) => downloading.error(f)).find((x) => x !== undefined);
  return (
    <Paper component="article" aria-label={`Export of ${agentName}`} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h3" gutterBottom>
        {agentName} · <RelativeTime iso={e.createdAt} />
      </Typography>
      <Stack spacing={1.5}>
        <Typography variant="body2">
          {plural(e.counts.examples, "example", "examples")} from{" "}
          {plural(e.counts.conversations, "conversation", "conversations")}: {formatCount(e.counts.train)} for
          training, {formatCount(e.counts.validation)} for validation (
          {plural(e.counts.fromRatings, "rated answer", "rated answers")},{" "}
          {plural(e.counts.fromAnnotations, "correction", "corrections")}).
        </Typography>
        <Typography variant="body2">
          Tokens: {formatCount(e.tokens.train)} training, {formatCount(e.tokens.validation)} validation (
          {e.tokens.method}).
        </Typography>
        {excluded.length > 0 && (
          <Typography variant="body2">
            Left out:{" "}
            {excluded
              .map(([reason, n]) => `${formatCount(n)} ${exclusionWords[reason] ?? reason}`)
              .join(", ")}
            .
          </Typography>
        )}
        <Typography variant="body2">
          Redacted:{" "}
          {redactions.length === 0
            ? "nothing found to redact."
            : redactions.map(([kind, n]) => `${formatCount(n)} ${kind}`).join(", ") + "."}
        </Typography>
        {e.cost.models.length > 0 && (
          <TableContainer tabIndex={0} role="group" aria-label="Estimated cost: the table">
            <Table size="small" aria-label="Estimated cost of fine-tuning">
              <TableHead>
                <TableRow>
                  <TableCell scope="col">Model</TableCell>
                  <TableCell scope="col" align="right">
                    Tokens per epoch
                  </TableCell>
                  <TableCell scope="col" align="right">
                    Per epoch
                  </TableCell>
                  <TableCell scope="col" align="right">
                    {e.cost.suggestedEpochs} epoch{e.cost.suggestedEpochs === 1 ? "" : "s"} (suggested)
                  </TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {e.cost.models.map((m) => (
                  <TableRow key={m.model}>
                    <TableCell component="th" scope="row">
                      {m.model}
                    </TableCell>
                    <TableCell align="right">{formatCount(m.tokensPerEpoch)}</TableCell>
                    <TableCell align="right">{usd.format(m.usdPerEpoch)}</TableCell>
                    <TableCell align="right">{usd.format(m.usdPerEpoch * e.cost.suggestedEpochs)}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
        <Typography variant="body2" color="text.secondary">
          Prices as of {e.cost.pricesAsOf} ({e.cost.source}). {e.cost.note}
        </Typography>
        <Report name="Training file" report={e.validation.train} />
        <Report name="Validation file" report={e.validation.validation} />
        {e.notes.map((note) => (
          <Alert key={note} severity="info">
            {note}
          </Alert>
        ))}
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
          {tuningFiles.map((file) => (
            <Button
              key={file}
              size="small"
              variant="outlined"
              onClick={() =>
                void downloading.run(file, async () => {
                  saveFile(`${e.id}-${file}.jsonl`, await studio.downloadTuningFile(e.id, file));
                })
              }
            >
              {downloading.busy === file ? "Downloading…" : `Download ${file}.jsonl`}
            </Button>
          ))}
        </Box>
        {failure && <FormErrorAlert title="The file was not downloaded" error={failure} />}
      </Stack>
    </Paper>
  );
}

function FineTuning({
  exports,
  jobs,
}: {
  readonly exports: readonly TuningExport[];
  readonly jobs: ReturnType<typeof useFineTuneJobs>;
}) {
  const studio = useStudio();
  const [exportId, setExportId] = useState("");
  const [baseModel, setBaseModel] = useState(suggestedBaseModel);
  const starting = useMutation<"start">();
  const error = starting.error("start");
  return (
    <Paper component="section" aria-labelledby="fine-tuning-heading" sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id="fine-tuning-heading" gutterBottom>
        Fine-tuning
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        With an OpenAI-compatible provider configured, an export is uploaded and a fine-tuning job created;
        the model it produces can then be an agent's model, or a variant's in an experiment.
      </Typography>
      <Box
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (exportId === "") return;
          void starting.run("start", async () => {
            await studio.createFineTuneJob({ exportId, baseModel: baseModel.trim() });
            jobs.retry();
            return "The fine-tuning job was created.";
          });
        }}
        sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}
      >
        <TextField
          select
          size="small"
          label="Export"
          value={exportId}
          onChange={(event) => setExportId(event.target.value)}
          helperText={exports.length === 0 ? "Export training data first." : undefined}
          sx={{ minWidth: 260 }}
        >
          {exports.map((e) => (
            <MenuItem key={e.id} value={e.id}>
              {new Date(e.createdAt).toLocaleString()} — {e.counts.train} training examples
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          label="Base model"
          value={baseModel}
          onChange={(event) => setBaseModel(event.target.value)}
          helperText="The provider's name of the model to fine-tune."
          sx={{ minWidth: 260 }}
        />
        <Button type="submit" variant="contained" disabled={exportId === ""}>
          {starting.busy ? "Starting…" : "Start fine-tuning"}
        </Button>
      </Box>
      <Typography role="status" variant="body2" sx={{ mt: 1 }}>
        {starting.announcement}
      </Typography>
      {error &&
        (needsProvider(error) ? (
          <Alert severity="info" sx={{ mt: 2 }}>
            <AlertTitle>Fine-tuning needs a model provider</AlertTitle>
            {error.reason ?? error.message}
          </Alert>
        ) : (
          <FormErrorAlert title="The fine-tuning job was not created" error={error} />
        ))}
      <Box sx={{ mt: 2 }}>
        {jobs.error && !jobs.data && (
          <RequestErrorAlert error={jobs.error} onRetry={jobs.retry} retrying={jobs.pending} />
        )}
        {jobs.data &&
          (jobs.data.length === 0 ? (
            <Typography color="text.secondary">No fine-tuning jobs yet.</Typography>
          ) : (
            <TableContainer tabIndex={0} role="group" aria-label="Fine-tuning jobs: the table">
              <Table size="small" aria-label="Fine-tuning jobs">
                <TableHead>
                  <TableRow>
                    <TableCell scope="col">Base model</TableCell>
                    <TableCell scope="col">Status</TableCell>
                    <TableCell scope="col">Model produced</TableCell>
                    <TableCell scope="col">Created</TableCell>
                    <TableCell scope="col">Checked</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {jobs.data.map((j) => (
                    <TableRow key={j.id}>
                      <TableCell component="th" scope="row">
                        {j.baseModel}
                      </TableCell>
                      <TableCell>
                        {j.status.replace(/_/g, " ")}
                        {j.error && `: ${j.error.message}`}
                      </TableCell>
                      <TableCell sx={{ overflowWrap: "anywhere" }}>{j.fineTunedModel ?? "—"}</TableCell>
                      <TableCell sx={{ whiteSpace: "nowrap" }}>
                        <RelativeTime iso={j.createdAt} />
                      </TableCell>
                      <TableCell>
                        <JobChecks job={j} />
                      </TableCell>
                    </TableRow>
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          ))}
      </Box>
    </Paper>
  );
}

/** When the platform last asked the provider about a job and when it will again, or why it no longer does. */
function JobChecks({ job }: { readonly job: FineTuneJob }) {
  const f = job.follow;
  if (!f) return <>—</>;
  const last = f.lastCheckedAt ? (
    <>
      Checked <RelativeTime iso={f.lastCheckedAt} />
    </>
  ) : (
    <>Not checked yet</>
  );
  if (f.followed) {
    return (
      <>
        {last}
        {f.nextCheckAt && (
          <>
            ; next check <RelativeTime iso={f.nextCheckAt} />
          </>
        )}
        {f.lastError && (
          <Typography variant="body2" color="warning.main">
            The last check got no answer: {f.lastError}
          </Typography>
        )}
      </>
    );
  }
  // A finished job's status says it all; otherwise say why it is no longer followed.
  if (f.reason?.code === "finished") return last;
  return (
    <>
      {last}
      {f.reason && (
        <Typography variant="body2" color="text.secondary">
          No longer followed: {f.reason.message}
        </Typography>
      )}
    </>
  );
}
