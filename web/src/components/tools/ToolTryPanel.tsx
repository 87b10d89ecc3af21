import { useId, useMemo, useState } from "react";
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
  TextField,
  Typography,
} from "@mui/material";
import { useStudio } from "../../data/studio";
import {
  argumentFieldsOf,
  prettyOutput,
  readArgumentsJson,
  readArgumentValues,
  type ArgumentField,
  type ForgeTool,
  type ToolTryResult,
} from "../../data/toolSets";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";

interface ToolTryPanelProps {
  readonly toolSetId: string;
  /** Named in the write confirmation: where the change happens. */
  readonly baseUrl: string;
  readonly tool: ForgeTool;
}

/**
 * Calls one tool for real, as an agent would, with arguments from a form made from its JSON Schema (or typed as
 * JSON when the schema is richer than plain fields), and shows the request sent and what the model would get.
 */
export function ToolTryPanel({ toolSetId, baseUrl, tool }: ToolTryPanelProps) {
  const studio = useStudio();
  const headingId = useId();
  const fields = useMemo(() => argumentFieldsOf(tool.parameters), [tool.parameters]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [json, setJson] = useState("{}");
  const [errors, setErrors] = useState<Readonly<Record<string, string>>>({});
  const [confirmed, setConfirmed] = useState(false);
  const [result, setResult] = useState<ToolTryResult | undefined>();
  const trying = useMutation<"try">();
  const failure = trying.error("try");
  const write = tool.sideEffect === "write";

  const submit = async () => {
    let args: Record<string, unknown>;
    if (fields) {
      const read = readArgumentValues(fields, values);
      if ("errors" in read) {
        setErrors(read.errors);
        return;
      }
      args = read.arguments;
    } else {
      const read = readArgumentsJson(json);
      if ("problem" in read) {
        setErrors({ "": read.problem });
        return;
      }
      args = read.arguments;
    }
    setErrors({});
    setResult(undefined);
    await trying.run("try", async () => {
      setResult(await studio.tryTool(toolSetId, tool.name, args, write && confirmed));
    });
  };

  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        Try {tool.name}
      </Typography>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        {tool.description}
      </Typography>
      <Stack
        component="form"
        noValidate
        spacing={2}
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {fields ? (
          fields.length === 0 ? (
            <Typography color="text.secondary">This tool takes no arguments.</Typography>
          ) : (
            fields.map((field) => (
              <ArgumentInput
                key={field.name}
                field={field}
                value={values[field.name] ?? ""}
                error={errors[field.name]}
                onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
              />
            ))
          )
        ) : (
          <TextField
            label="Arguments (JSON)"
            value={json}
            onChange={(event) => setJson(event.target.value)}
            error={errors[""] !== undefined}
            helperText={
              errors[""] ?? "This tool's arguments are too rich for a form: type them as a JSON object."
            }
            multiline
            minRows={4}
            fullWidth
            slotProps={{ htmlInput: { spellCheck: false, sx: { fontFamily: monospace } } }}
          />
        )}
        {write && (
          <FormControlLabel
            control={
              <Checkbox checked={confirmed} onChange={(event) => setConfirmed(event.target.checked)} />
            }
            label={`This changes something at ${hostOf(baseUrl)}: I confirm`}
          />
        )}
        <Box>
          <Button type="submit" variant="contained" disabled={write && !confirmed}>
            {trying.busy ? "Trying…" : "Try"}
          </Button>
        </Box>
      </Stack>
      {failure && (
        <Box sx={{ mt: 2 }}>
          <FormErrorAlert title="The tool was not called" error={failure} />
        </Box>
      )}
      {result && <TryResult result={result} />}
    </Paper>
  );
}

function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

function ArgumentInput({
  field,
  value,
  error,
  onChange,
}: {
  readonly field: ArgumentField;
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (value: string) => void;
}) {
  const common = {
    label: field.name,
    value,
    required: field.required,
    error: error !== undefined,
    helperText: error ?? (field.description || " "),
    fullWidth: true,
  };
  if (field.type === "enum" || field.type === "boolean") {
    const options = field.type === "enum" ? field.options : ["true", "false"];
    return (
      <TextField select {...common} onChange={(event) => onChange(event.target.value)}>
        <MenuItem value="">
          <em>Not given</em>
        </MenuItem>
        {options.map((option) => (
          <MenuItem key={option} value={option}>
            {option}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  return (
    <TextField
      {...common}
      onChange={(event) => onChange(event.target.value)}
      slotProps={{
        htmlInput:
          field.type === "string" ? {} : { inputMode: field.type === "integer" ? "numeric" : "decimal" },
      }}
    />
  );
}

function TryResult({ result }: { readonly result: ToolTryResult }) {
  if (!result.ok) {
    return (
      <Alert severity="error" sx={{ mt: 2 }}>
        <AlertTitle>The call failed{result.status !== null ? ` (HTTP ${result.status})` : ""}</AlertTitle>
        {result.error}
      </Alert>
    );
  }
  const { request } = result;
  return (
    <Stack spacing={2} sx={{ mt: 3 }} aria-label="Result" role="region">
      <Typography variant="h3">
        HTTP {result.status}
        {result.attempts > 1 ? ` after ${result.attempts} attempts` : ""}
      </Typography>
      <Box>
        <Typography variant="subtitle2" gutterBottom>
          Request
        </Typography>
        <Pre label="Request sent">
          {[
            `${request.method} ${request.url}`,
            ...Object.entries(request.headers).map(([name, value]) => `${name}: ${value}`),
            ...(request.body !== null ? ["", request.body] : []),
          ].join("\n")}
        </Pre>
      </Box>
      <Box>
        <Typography variant="subtitle2" gutterBottom>
          What the model gets
        </Typography>
        <Pre label="Output">{prettyOutput(result.output)}</Pre>
      </Box>
    </Stack>
  );
}

function Pre({ label, children }: { readonly label: string; readonly children: string }) {
  return (
    <Box
      component="pre"
      aria-label={label}
      // Focusable so keyboard users can scroll a long answer sideways.
      tabIndex={0}
      sx={{
        m: 0,
        p: 2,
        bgcolor: "grey.100",
        borderRadius: 1,
        overflow: "auto",
        maxHeight: 400,
        fontFamily: monospace,
        fontSize: "0.8125rem",
      }}
    >
      {children}
    </Box>
  );
}
