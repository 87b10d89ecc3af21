import {
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
import { promptLimits, variableTypes, type VariableType } from "../../data/prompts";
import { emptyVariable, splitValues, type VariableDraft } from "./versionForm";

const typeLabels: Record<VariableType, string> = {
  string: "Text",
  number: "Number",
  boolean: "Yes / no",
  enum: "One of a list",
};

interface VariablesEditorProps {
  readonly variables: readonly VariableDraft[];
  readonly onChange: (variables: VariableDraft[]) => void;
  /** Problems by field path (`variables.0.name`), the form's and the platform's. */
  readonly errors: Readonly<Record<string, string>>;
  readonly disabled?: boolean;
}

/** The template's variable declarations: name, type, whether a value is required, a default, an enum's values. */
export function VariablesEditor({ variables, onChange, errors, disabled = false }: VariablesEditorProps) {
  const change = (index: number, patch: Partial<VariableDraft>) =>
    onChange(variables.map((v, i) => (i === index ? { ...v, ...patch } : v)));
  return (
    <Stack spacing={1.5}>
      {variables.length === 0 && (
        <Typography variant="body2" color="text.secondary">
          No variables declared.
        </Typography>
      )}
      {variables.map((variable, index) => {
        const at = (field: string) => errors[`variables.${index}.${field}`];
        const title =
          variable.name.trim() === "" ? `Variable ${index + 1}` : `Variable ${variable.name.trim()}`;
        const nameError = at("name");
        const defaultError = at("default");
        const valuesError = at("values");
        const typeError = at("type") ?? at("required") ?? errors[`variables.${index}`];
        return (
          <Paper
            key={variable.key}
            component="fieldset"
            variant="outlined"
            sx={{ p: 2, m: 0, minWidth: 0 }}
            aria-label={title}
          >
            <Box
              sx={{
                display: "grid",
                gap: 1.5,
                gridTemplateColumns: {
                  xs: "minmax(0, 1fr)",
                  sm: "repeat(2, minmax(0, 1fr))",
                  md: "2fr 1.5fr 2fr auto",
                },
                alignItems: "start",
              }}
            >
              <TextField
                size="small"
                label="Name"
                value={variable.name}
                onChange={(event) => change(index, { name: event.target.value })}
                error={nameError !== undefined}
                helperText={nameError ?? `Used as {{${variable.name.trim() || "name"}}}`}
                disabled={disabled}
                slotProps={{ htmlInput: { maxLength: promptLimits.variableName, spellCheck: false } }}
              />
              <TextField
                select
                size="small"
                label="Type"
                value={variable.type}
                onChange={(event) =>
                  change(index, { type: event.target.value as VariableType, defaultText: "" })
                }
                error={typeError !== undefined}
                helperText={typeError}
                disabled={disabled}
              >
                {variableTypes.map((type) => (
                  <MenuItem key={type} value={type}>
                    {typeLabels[type]}
                  </MenuItem>
                ))}
              </TextField>
              <DefaultField
                variable={variable}
                error={defaultError}
                disabled={disabled}
                onChange={(defaultText) => change(index, { defaultText })}
              />
              <FormControlLabel
                control={
                  <Checkbox
                    checked={variable.required}
                    onChange={(event) => change(index, { required: event.target.checked })}
                    disabled={disabled}
                  />
                }
                label="Required"
              />
              {variable.type === "enum" && (
                <TextField
                  size="small"
                  label="Values"
                  value={variable.valuesText}
                  onChange={(event) => change(index, { valuesText: event.target.value })}
                  error={valuesError !== undefined}
                  helperText={valuesError ?? "Separated by commas: formal, friendly"}
                  disabled={disabled}
                  sx={{ gridColumn: { md: "span 2" } }}
                />
              )}
              <TextField
                size="small"
                label="Description (optional)"
                value={variable.description}
                onChange={(event) => change(index, { description: event.target.value })}
                disabled={disabled}
                sx={{ gridColumn: { md: variable.type === "enum" ? "span 1" : "span 3" } }}
              />
              {!disabled && (
                <Button
                  color="error"
                  onClick={() => onChange(variables.filter((_, i) => i !== index))}
                  aria-label={`Remove ${title.toLowerCase()}`}
                  sx={{ justifySelf: "start" }}
                >
                  Remove
                </Button>
              )}
            </Box>
          </Paper>
        );
      })}
      {!disabled && (
        <Box>
          <Button
            onClick={() => onChange([...variables, emptyVariable()])}
            disabled={variables.length >= promptLimits.variables}
          >
            Add a variable
          </Button>
        </Box>
      )}
    </Stack>
  );
}

function DefaultField({
  variable,
  error,
  disabled,
  onChange,
}: {
  readonly variable: VariableDraft;
  readonly error: string | undefined;
  readonly disabled: boolean;
  readonly onChange: (text: string) => void;
}) {
  const helper = error ?? (variable.required ? "Used when a caller gives no value" : "Optional");
  if (variable.type === "boolean" || variable.type === "enum") {
    const options = variable.type === "boolean" ? ["true", "false"] : splitValues(variable.valuesText);
    // A default typed before the values changed stays listed, so the select can show it (and its error).
    const listed = variable.defaultText === "" || options.includes(variable.defaultText);
    return (
      <TextField
        select
        size="small"
        label="Default"
        value={variable.defaultText}
        onChange={(event) => onChange(event.target.value)}
        error={error !== undefined}
        helperText={helper}
        disabled={disabled}
        slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
      >
        <MenuItem value="">No default</MenuItem>
        {options.map((option) => (
          <MenuItem key={option} value={option}>
            {variable.type === "boolean" ? (option === "true" ? "Yes (true)" : "No (false)") : option}
          </MenuItem>
        ))}
        {!listed && <MenuItem value={variable.defaultText}>{variable.defaultText}</MenuItem>}
      </TextField>
    );
  }
  return (
    <TextField
      size="small"
      label="Default"
      value={variable.defaultText}
      onChange={(event) => onChange(event.target.value)}
      error={error !== undefined}
      helperText={helper}
      disabled={disabled}
      slotProps={{ htmlInput: { inputMode: variable.type === "number" ? "decimal" : "text" } }}
    />
  );
}
