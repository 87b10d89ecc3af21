import { useId, useState } from "react";
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
  Radio,
  RadioGroup,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import type { ImportEnable, ToolCredential, ToolSetImport } from "../../data/toolSets";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";
import { CredentialField, EnableChoiceField } from "./ToolSetSourceFields";

interface ImportToolSetDialogProps {
  readonly open: boolean;
  /** Offered to authenticate the API's calls; may be empty. */
  readonly credentials: readonly ToolCredential[];
  /** Imports it; the dialog shows why when this throws, and stays open. */
  readonly onImport: (input: ToolSetImport) => Promise<void>;
  readonly onCancel: () => void;
}

/** A file's text; through FileReader, which every browser (and jsdom, for the tests) has. */
function readText(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(typeof reader.result === "string" ? reader.result : "");
    reader.onerror = () => reject(reader.error ?? new Error(`${file.name} could not be read`));
    reader.readAsText(file);
  });
}

/** Where the document comes from: a file or pasted text, or a URL the platform fetches it from. */
type DocumentOrigin = "file" | "url";

/** An http(s) URL, as the platform accepts one; why not otherwise. */
function urlProblem(text: string): string | undefined {
  if (text === "") return "Give the document's URL, or upload the document instead.";
  try {
    const url = new URL(text);
    if (url.protocol === "https:" || url.protocol === "http:") return undefined;
  } catch {
    // below
  }
  return "An http:// or https:// address, such as https://api.example.com/openapi.json.";
}

/**
 * An OpenAPI 3.x or Swagger 2.0 document, uploaded, pasted or fetched from its URL, becomes a tool set: each
 * operation a tool.
 */
export function ImportToolSetDialog({ open, credentials, onImport, onCancel }: ImportToolSetDialogProps) {
  const titleId = useId();
  const fileId = useId();
  const [file, setFile] = useState<{ readonly name: string; readonly text: string } | undefined>();
  const [pasted, setPasted] = useState("");
  const [origin, setOrigin] = useState<DocumentOrigin>("file");
  const [url, setUrl] = useState("");
  const [urlError, setUrlError] = useState<string | undefined>();
  const [name, setName] = useState("");
  const [baseUrl, setBaseUrl] = useState("");
  const [credentialId, setCredentialId] = useState("");
  const [enable, setEnable] = useState<ImportEnable>("none");
  const [specError, setSpecError] = useState<string | undefined>();
  const importing = useMutation<"import">();
  const failure = importing.error("import");

  const reset = () => {
    setFile(undefined);
    setPasted("");
    setOrigin("file");
    setUrl("");
    setUrlError(undefined);
    setName("");
    setBaseUrl("");
    setCredentialId("");
    setEnable("none");
    setSpecError(undefined);
    importing.dismiss("import");
  };

  const chooseFile = async (chosen: File | undefined) => {
    setSpecError(undefined);
    if (!chosen) return;
    try {
      setFile({ name: chosen.name, text: await readText(chosen) });
    } catch {
      setSpecError(`${chosen.name} could not be read.`);
    }
  };

  const submit = async () => {
    if (importing.busy) return;
    const options = {
      enable,
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(baseUrl.trim() ? { baseUrl: baseUrl.trim() } : {}),
      ...(credentialId ? { credentialId } : {}),
    };
    if (origin === "url") {
      const problem = urlProblem(url.trim());
      setUrlError(problem);
      if (problem) return;
      await importing.run("import", () => onImport({ url: url.trim(), ...options }), {
        // Why the URL could not be fetched shows under it too (the alert says it with the rest).
        onFailure: (error) => {
          const issue = error.issues.find((i) => i.path === "url");
          if (issue) setUrlError(issue.message);
        },
      });
      return;
    }
    const spec = file?.text ?? pasted;
    if (spec.trim() === "") {
      setSpecError("Upload the API's OpenAPI document or paste it.");
      return;
    }
    await importing.run("import", () => onImport({ spec, ...options }));
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
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
        <DialogTitle id={titleId}>Import an OpenAPI document</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              Every operation of the document becomes a tool agents can call, or is listed with why it could
              not. OpenAPI 3.x or Swagger 2.0, as JSON or YAML.
            </Typography>
            <FormControl>
              <FormLabel id={`${titleId}-origin`}>The document</FormLabel>
              <RadioGroup
                row
                aria-labelledby={`${titleId}-origin`}
                value={origin}
                onChange={(event) => {
                  setOrigin(event.target.value as DocumentOrigin);
                  setSpecError(undefined);
                  setUrlError(undefined);
                }}
              >
                <FormControlLabel value="file" control={<Radio />} label="A file, or its text" />
                <FormControlLabel value="url" control={<Radio />} label="Its URL" />
              </RadioGroup>
            </FormControl>
            {origin === "url" && (
              <TextField
                label="Document URL"
                type="url"
                value={url}
                onChange={(event) => {
                  setUrl(event.target.value);
                  setUrlError(undefined);
                }}
                error={urlError !== undefined}
                helperText={
                  urlError ??
                  "The platform fetches it from there (public addresses only) and keeps the URL with the tool set."
                }
                placeholder="https://api.example.com/openapi.json"
                fullWidth
                slotProps={{ htmlInput: { spellCheck: false } }}
              />
            )}
            {origin === "file" && (
              <Box>
                <Button component="label" htmlFor={fileId} variant="outlined">
                  Upload a file
                </Button>
                <input
                  id={fileId}
                  type="file"
                  aria-label="OpenAPI file (JSON or YAML)"
                  accept=".json,.yaml,.yml,application/json,application/yaml,text/yaml"
                  hidden
                  onChange={(event) => void chooseFile(event.target.files?.[0])}
                />
                <Typography component="span" variant="body2" color="text.secondary" sx={{ ml: 1.5 }}>
                  {file
                    ? `${file.name} (${file.text.length.toLocaleString("en")} characters)`
                    : "No file chosen"}
                </Typography>
              </Box>
            )}
            {origin === "file" && !file && (
              <TextField
                label="Or paste the document"
                value={pasted}
                onChange={(event) => {
                  setPasted(event.target.value);
                  setSpecError(undefined);
                }}
                multiline
                minRows={4}
                maxRows={12}
                fullWidth
                slotProps={{ htmlInput: { spellCheck: false, sx: { fontFamily: monospace } } }}
              />
            )}
            {specError && (
              <Typography role="alert" color="error" variant="body2">
                {specError}
              </Typography>
            )}
            <TextField
              label="Name (optional)"
              value={name}
              onChange={(event) => setName(event.target.value)}
              helperText="The document's title when left empty."
              fullWidth
              slotProps={{ htmlInput: { maxLength: 100 } }}
            />
            <TextField
              label="Base URL (optional)"
              value={baseUrl}
              onChange={(event) => setBaseUrl(event.target.value)}
              helperText="Where the operations are called; the document's first server when left empty."
              fullWidth
            />
            <CredentialField
              credentials={credentials}
              value={credentialId}
              onChange={setCredentialId}
              helperText={" "}
            />
            <EnableChoiceField
              value={enable}
              onChange={setEnable}
              readsLabel="The reads (GET operations that change nothing)"
            />
            {failure && <FormErrorAlert title="The document was not imported" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {importing.busy ? "Importing…" : "Import"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
