import { useId, useRef, useState, type ChangeEvent } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
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
import {
  evalLimits,
  uploadRefusalOf,
  type UploadFormat,
  type UploadRefusal,
  type UploadReport,
} from "../../data/evaluations";
import { useMutation } from "../../data/useMutation";
import { visuallyHidden } from "../shared/ChartCard";
import { FormErrorAlert } from "../FormErrorAlert";
import { monospace } from "../../theme";

/** The format a file's name says, if it says one. */
export function formatOfName(name: string): UploadFormat | undefined {
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  if (extension === "csv") return "csv";
  if (extension === "jsonl" || extension === "ndjson") return "jsonl";
  return undefined;
}

/** A file's text (UTF-8), through FileReader: every browser has it, and so do the tests' DOM. */
export function readText(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error("The file could not be read."));
    reader.readAsText(file);
  });
}

interface UploadDialogProps {
  readonly open: boolean;
  readonly onUpload: (format: UploadFormat, content: string) => Promise<UploadReport>;
  readonly onClose: () => void;
}

/**
 * Adds items from a CSV or JSONL file, all or nothing: a refused file lists each line's problem (the first
 * 100, and how many in all), so the file can be fixed and sent again.
 */
export function UploadDialog({ open, onUpload, onClose }: UploadDialogProps) {
  const titleId = useId();
  const inputId = useId();
  const fileInput = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | undefined>(undefined);
  const [format, setFormat] = useState<UploadFormat>("csv");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [refusal, setRefusal] = useState<UploadRefusal | undefined>(undefined);
  const [report, setReport] = useState<UploadReport | undefined>(undefined);
  const uploading = useMutation<"upload">();

  const reset = () => {
    setFile(undefined);
    setProblem(undefined);
    setRefusal(undefined);
    setReport(undefined);
    uploading.dismiss("upload");
  };

  const choose = (chosen: File | undefined) => {
    setFile(chosen);
    setRefusal(undefined);
    setReport(undefined);
    setProblem(undefined);
    uploading.dismiss("upload");
    const named = chosen ? formatOfName(chosen.name) : undefined;
    if (named) setFormat(named);
    if (chosen && chosen.size > evalLimits.uploadBytes) {
      setProblem(
        `${chosen.name} is ${chosen.size.toLocaleString("en")} bytes; a file is at most ${evalLimits.uploadBytes.toLocaleString("en")} bytes (5 MB).`,
      );
    }
  };

  const submit = async () => {
    if (!file) {
      setProblem("Choose a .csv or .jsonl file.");
      return;
    }
    if (problem) return;
    await uploading.run(
      "upload",
      async () => {
        const content = await readText(file);
        setReport(await onUpload(format, content));
      },
      {
        onFailure: (error) => {
          const lines = uploadRefusalOf(error);
          setRefusal(lines);
          return lines !== undefined;
        },
      },
    );
  };

  const failure = uploading.error("upload");
  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      slotProps={{ transition: { onExited: reset } }}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <DialogTitle id={titleId}>Upload items</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              CSV: a header row naming its columns, <code>question</code>, <code>expected_facts</code>,{" "}
              <code>reference_answer</code>, <code>expected_sources</code>, <code>should_abstain</code>,{" "}
              <code>tags</code> (lists separated by <code>|</code>). JSONL: one item per line, as{" "}
              <code>{'{"question": "…", "expectedFacts": ["…"]}'}</code>. All or nothing: if any line is
              refused, nothing is added.
            </Typography>
            <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
              <Button variant="outlined" onClick={() => fileInput.current?.click()}>
                Choose a file
              </Button>
              <Box component="label" htmlFor={inputId} sx={visuallyHidden}>
                File to upload
              </Box>
              <input
                ref={fileInput}
                id={inputId}
                type="file"
                accept=".csv,.jsonl,.ndjson,text/csv,application/jsonl"
                tabIndex={-1}
                style={visuallyHidden}
                onChange={(event: ChangeEvent<HTMLInputElement>) => choose(event.target.files?.[0])}
              />
              <Typography variant="body2" color="text.secondary">
                {file ? `${file.name} (${file.size.toLocaleString("en")} bytes)` : "No file chosen."}
              </Typography>
            </Box>
            <TextField
              select
              size="small"
              label="Format"
              value={format}
              onChange={(event) => setFormat(event.target.value as UploadFormat)}
              helperText="Read from the file's extension; change it if the name does not say."
              sx={{ maxWidth: 240 }}
            >
              <MenuItem value="csv">CSV</MenuItem>
              <MenuItem value="jsonl">JSONL</MenuItem>
            </TextField>
            {problem && (
              <Alert severity="error" role="alert">
                {problem}
              </Alert>
            )}
            {report && (
              <Alert severity="success">
                Added {report.added.toLocaleString("en")} item{report.added === 1 ? "" : "s"}; the dataset now
                holds {report.itemCount.toLocaleString("en")}.
              </Alert>
            )}
            {refusal && <RefusedLines refusal={refusal} fileName={file?.name ?? "The file"} />}
            {failure && <FormErrorAlert title="The file was not uploaded" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onClose}>{report ? "Close" : "Cancel"}</Button>
          {!report && (
            <Button type="submit" variant="contained">
              {uploading.busy ? "Uploading…" : "Upload"}
            </Button>
          )}
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

function RefusedLines({ refusal, fileName }: { readonly refusal: UploadRefusal; readonly fileName: string }) {
  const { errors, errorCount } = refusal;
  return (
    <Alert severity="error" role="alert">
      <AlertTitle>
        {fileName} has {errorCount.toLocaleString("en")} problem{errorCount === 1 ? "" : "s"}; nothing was
        added
      </AlertTitle>
      {errorCount > errors.length && (
        <Typography variant="body2" sx={{ mb: 1 }}>
          The first {errors.length} are listed.
        </Typography>
      )}
      <TableContainer tabIndex={0} role="group" aria-label="Refused lines" sx={{ maxHeight: 280 }}>
        <Table size="small" stickyHeader aria-label="Problems by line">
          <TableHead>
            <TableRow>
              <TableCell scope="col">Line</TableCell>
              <TableCell scope="col">Field</TableCell>
              <TableCell scope="col">Problem</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {errors.map((e, i) => (
              <TableRow key={`${e.line}-${i}`}>
                <TableCell component="th" scope="row">
                  {e.line}
                </TableCell>
                <TableCell sx={{ fontFamily: monospace }}>{e.field ?? "—"}</TableCell>
                <TableCell>{e.message}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Alert>
  );
}
