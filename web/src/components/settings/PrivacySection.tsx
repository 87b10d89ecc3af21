import { useId, useState, type FormEvent, type ReactNode } from "react";
import { Alert, AlertTitle, Box, Button, Paper, Stack, TextField, Typography } from "@mui/material";
import { adminLimits, type EndUserErasure, type EndUserExport } from "../../data/admin";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import { saveFile } from "../saveFile";
import { SectionHeader } from "../shared/SectionHeader";
import { TypedConfirmDialog } from "./TypedConfirmDialog";

/** Saves JSON as a file: the browser's download, from memory. */
function downloadJson(fileName: string, data: unknown): void {
  saveFile(fileName, new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
}

/** `end-user-cust-42-2026-11-25.json`: what and when, in characters every file system accepts. */
function exportFileName(result: EndUserExport): string {
  const ref = result.endUserRef.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 60);
  return `end-user-${ref}-${result.exportedAt.slice(0, 10)}.json`;
}

function refProblem(ref: string): string | undefined {
  const trimmed = ref.trim();
  if (trimmed === "") return "Enter the end user's reference.";
  if (trimmed.length > adminLimits.endUserRef) return `At most ${adminLimits.endUserRef} characters.`;
  return undefined;
}

/** `/settings/privacy`: an end user's requests to get a copy of their data, or to have it erased. */
export function PrivacySection() {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={4}>
      <SectionHeader
        id={headingId}
        title="Privacy requests"
        description={
          <>
            When someone your agents talk to asks for their data or for it to be erased. End users are known
            by the reference their conversations carry: a customer id, a phone number, the{" "}
            <code>endUserRef</code> of the REST API or the <code>user</code> of the OpenAI-compatible API.
            Both requests are recorded in the audit log.
          </>
        }
      />
      <ExportForm />
      <EraseForm />
    </Stack>
  );
}

function ExportForm() {
  const headingId = useId();
  const studio = useStudio();
  const [ref, setRef] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const exporting = useMutation<"export">();
  const [result, setResult] = useState<EndUserExport | undefined>(undefined);
  const error = exporting.error("export");

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (exporting.busy) return;
    const found = refProblem(ref);
    setProblem(found);
    if (found) return;
    await exporting.run("export", async () => {
      setResult(undefined);
      const exported = await studio.exportEndUser(ref.trim());
      setResult(exported);
      downloadJson(exportFileName(exported), exported.document);
    });
  };

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        level="h3"
        title="Export an end user's data"
        description="Downloads everything stored about them as JSON: their conversations, with messages and decision traces."
      />
      <Paper sx={{ p: { xs: 2, sm: 3 } }}>
        <Stack spacing={2}>
          <RefForm
            label="End-user reference"
            value={ref}
            problem={problem}
            onChange={(value) => {
              setRef(value);
              setProblem(undefined);
            }}
            onSubmit={submit}
            button={
              <Button type="submit" variant="contained" size="large">
                {exporting.busy ? "Exporting…" : "Export data"}
              </Button>
            }
          />
          {error && <FormErrorAlert title="Nothing was exported" error={error} />}
          {result && (
            <Alert severity="success">
              <AlertTitle>
                Exported {result.conversationCount}{" "}
                {result.conversationCount === 1 ? "conversation" : "conversations"} about {result.endUserRef}
              </AlertTitle>
              <Typography variant="body2">
                Your browser downloaded {exportFileName(result)}.{" "}
                <Button
                  size="small"
                  color="inherit"
                  sx={{ textDecoration: "underline", p: 0, minWidth: 0, verticalAlign: "baseline" }}
                  onClick={() => downloadJson(exportFileName(result), result.document)}
                >
                  Download again
                </Button>
              </Typography>
              {result.notes.length > 0 && (
                <Box component="ul" sx={{ m: 0, mt: 1, pl: 2.5 }}>
                  {result.notes.map((note) => (
                    <Typography component="li" variant="body2" key={note}>
                      {note}
                    </Typography>
                  ))}
                </Box>
              )}
            </Alert>
          )}
        </Stack>
      </Paper>
    </Stack>
  );
}

function EraseForm() {
  const headingId = useId();
  const studio = useStudio();
  const [ref, setRef] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const erasing = useMutation<"erase">();
  const [result, setResult] = useState<EndUserErasure | undefined>(undefined);

  const ask = (event: FormEvent) => {
    event.preventDefault();
    const found = refProblem(ref);
    setProblem(found);
    if (found) return;
    setConfirming(ref.trim());
    erasing.dismiss("erase");
    setOpen(true);
  };

  const erase = async () => {
    if (confirming === undefined) return;
    await erasing.run("erase", async () => {
      setResult(await studio.eraseEndUser(confirming));
      setOpen(false);
      setRef("");
    });
  };

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        level="h3"
        title="Erase an end user's data"
        description="Deletes their conversations, messages and decision traces for good. Export first if they asked for a copy too."
      />
      <Paper sx={{ p: { xs: 2, sm: 3 } }}>
        <Stack spacing={2}>
          <RefForm
            label="End-user reference to erase"
            value={ref}
            problem={problem}
            onChange={(value) => {
              setRef(value);
              setProblem(undefined);
            }}
            onSubmit={ask}
            button={
              <Button type="submit" variant="outlined" color="error" size="large">
                Erase data…
              </Button>
            }
          />
          {result && <ErasureReceipt result={result} />}
        </Stack>
      </Paper>
      <TypedConfirmDialog
        open={open}
        title={`Erase everything about ${confirming ?? ""}?`}
        phrase={confirming ?? ""}
        confirmLabel="Erase data"
        pending={erasing.busy === "erase"}
        error={erasing.error("erase")}
        errorTitle="Nothing was erased"
        onConfirm={() => void erase()}
        onCancel={() => setOpen(false)}
      >
        Their conversations, messages and traces are deleted for good; this cannot be undone. The audit log
        records the erasure without keeping the reference itself.
      </TypedConfirmDialog>
    </Stack>
  );
}

function ErasureReceipt({ result }: { readonly result: EndUserErasure }) {
  const { conversations, messages, traces } = result.deleted;
  if (conversations + messages + traces === 0) {
    return (
      <Alert severity="info">
        Nothing was stored about {result.endUserRef}, so there was nothing to erase. Check the reference if
        you expected data.
      </Alert>
    );
  }
  return (
    <Alert severity="success">
      Erased {result.endUserRef}: {conversations} {conversations === 1 ? "conversation" : "conversations"},{" "}
      {messages} {messages === 1 ? "message" : "messages"} and {traces} {traces === 1 ? "trace" : "traces"}{" "}
      deleted.
    </Alert>
  );
}

interface RefFormProps {
  readonly label: string;
  readonly value: string;
  readonly problem: string | undefined;
  readonly onChange: (value: string) => void;
  readonly onSubmit: (event: FormEvent) => void;
  readonly button: ReactNode;
}

function RefForm({ label, value, problem, onChange, onSubmit, button }: RefFormProps) {
  return (
    <Box
      component="form"
      noValidate
      onSubmit={onSubmit}
      sx={{
        display: "grid",
        gap: 2,
        gridTemplateColumns: { xs: "1fr", sm: "minmax(0, 1fr) auto" },
        alignItems: "start",
      }}
    >
      <TextField
        label={label}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        error={problem !== undefined}
        helperText={problem ?? "As their conversations record it, e.g. cust-1042 or +15551234567."}
        autoComplete="off"
        fullWidth
        slotProps={{ htmlInput: { maxLength: adminLimits.endUserRef + 50, spellCheck: false } }}
      />
      <Box sx={{ pt: { sm: 0.5 } }}>{button}</Box>
    </Box>
  );
}
