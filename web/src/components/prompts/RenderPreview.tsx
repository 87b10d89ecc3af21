import { useState } from "react";
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  sortedLabels,
  type PromptRendering,
  type PromptTemplate,
  type PromptVariable,
  type PromptVersion,
  type VariableValue,
} from "../../data/prompts";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";

interface RenderPreviewProps {
  readonly template: PromptTemplate;
  /** Newest first. */
  readonly versions: readonly PromptVersion[];
  readonly onRender: (
    target: { readonly version: number } | { readonly label: string },
    variables: Record<string, VariableValue>,
  ) => Promise<PromptRendering>;
}

/** The values typed for each variable, as the inputs hold them. */
type Values = Record<string, string>;

/** A value as typed, for the platform: numbers and booleans by their type, an empty field left out. */
export function valuesOf(variables: readonly PromptVariable[], typed: Values): Record<string, VariableValue> {
  const values: Record<string, VariableValue> = {};
  for (const v of variables) {
    const text = typed[v.name];
    if (text === undefined || text === "") continue;
    values[v.name] = v.type === "number" ? Number(text) : v.type === "boolean" ? text === "true" : text;
  }
  return values;
}

/**
 * What an agent would get: a version or a label rendered by the platform with the values typed here (defaults
 * fill the rest). A required variable left empty is the platform's refusal, shown as it says it.
 */
export function RenderPreview({ template, versions, onRender }: RenderPreviewProps) {
  const labels = sortedLabels(template.labels);
  const [target, setTarget] = useState<string>(() =>
    labels[0] ? `label:${labels[0][0]}` : `version:${versions[0]?.version ?? 1}`,
  );
  const [typed, setTyped] = useState<Values>({});
  const [rendered, setRendered] = useState<PromptRendering | undefined>(undefined);
  const rendering = useMutation<"render">();
  const versionNo = target.startsWith("label:")
    ? template.labels[target.slice("label:".length)]
    : Number(target.slice("version:".length));
  const version = versions.find((v) => v.version === versionNo);
  const variables = version?.variables ?? [];

  const render = () =>
    rendering.run("render", async () => {
      const choice = target.startsWith("label:")
        ? { label: target.slice("label:".length) }
        : { version: Number(target.slice("version:".length)) };
      setRendered(await onRender(choice, valuesOf(variables, typed)));
    });

  return (
    <Stack
      component="form"
      noValidate
      spacing={2}
      onSubmit={(event) => {
        event.preventDefault();
        void render();
      }}
    >
      <TextField
        select
        size="small"
        label="Render"
        value={target}
        onChange={(event) => {
          setTarget(event.target.value);
          setRendered(undefined);
        }}
        sx={{ maxWidth: 320 }}
      >
        {labels.map(([label, v]) => (
          <MenuItem key={`label:${label}`} value={`label:${label}`}>
            Label {label} (version {v})
          </MenuItem>
        ))}
        {versions.map((v) => (
          <MenuItem key={`version:${v.version}`} value={`version:${v.version}`}>
            Version {v.version}
          </MenuItem>
        ))}
      </TextField>
      {variables.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          This version declares no variables.
        </Typography>
      ) : (
        <Box
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: { xs: "minmax(0, 1fr)", sm: "repeat(2, minmax(0, 1fr))" },
          }}
        >
          {variables.map((v) => (
            <VariableInput
              key={v.name}
              variable={v}
              value={typed[v.name] ?? ""}
              onChange={(value) => setTyped((current) => ({ ...current, [v.name]: value }))}
            />
          ))}
        </Box>
      )}
      <Box>
        <Button type="submit" variant="outlined" disabled={rendering.busy !== undefined}>
          {rendering.busy ? "Rendering…" : "Render preview"}
        </Button>
      </Box>
      {rendering.error("render") && (
        <FormErrorAlert title="The preview was not rendered" error={rendering.error("render")!} />
      )}
      {rendered && (
        <Box>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            Version {rendered.version}, rendered:
          </Typography>
          <Box
            component="output"
            aria-label="Rendered text"
            sx={{
              display: "block",
              fontFamily: monospace,
              fontSize: "0.8125rem",
              whiteSpace: "pre-wrap",
              overflowWrap: "anywhere",
              p: 1.5,
              border: 1,
              borderColor: "divider",
              borderRadius: 1,
            }}
          >
            {rendered.text}
          </Box>
        </Box>
      )}
    </Stack>
  );
}

function VariableInput({
  variable,
  value,
  onChange,
}: {
  readonly variable: PromptVariable;
  readonly value: string;
  readonly onChange: (value: string) => void;
}) {
  const helper = [
    variable.required ? "Required" : "Optional",
    variable.default !== null ? `default ${String(variable.default)}` : "",
    variable.description,
  ]
    .filter((s) => s !== "")
    .join(" · ");
  if (variable.type === "boolean") {
    return (
      <FormControlLabel
        control={
          <Checkbox
            checked={value === "true"}
            onChange={(e) => onChange(e.target.checked ? "true" : "false")}
          />
        }
        label={`${variable.name} (${helper})`}
      />
    );
  }
  if (variable.type === "enum") {
    return (
      <TextField
        select
        size="small"
        label={variable.name}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        helperText={helper}
        slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
      >
        <MenuItem value="">
          {variable.default !== null ? `Default (${String(variable.default)})` : "No value"}
        </MenuItem>
        {variable.values.map((option) => (
          <MenuItem key={option} value={option}>
            {option}
          </MenuItem>
        ))}
      </TextField>
    );
  }
  return (
    <TextField
      size="small"
      label={variable.name}
      value={value}
      type={variable.type === "number" ? "number" : "text"}
      onChange={(event) => onChange(event.target.value)}
      helperText={helper}
      required={variable.required && variable.default === null}
    />
  );
}
