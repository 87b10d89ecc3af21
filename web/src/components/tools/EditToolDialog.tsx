import { useId, useState, type ChangeEvent } from "react";
import {
  Box,
  Button,
  Dialog,
  FormHelperText,
  IconButton,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  editIssueField,
  limitsOf,
  maxLimits,
  maxToolDescriptionChars,
  toolEditProblems,
  type LimitEdit,
  type ToolEdit,
  type ToolEditField,
} from "../../data/forgeTools";
import type { ForgeTool } from "../../data/toolSets";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";

interface EditToolDialogProps {
  /** The tool edited; the dialog is open while there is one. */
  readonly tool: ForgeTool | undefined;
  /** Every tool of the set: a name must stay unique among them. */
  readonly tools: readonly ForgeTool[];
  /** Saves the edit to the draft; the dialog shows why when this throws, and stays open. */
  readonly onSave: (tool: ForgeTool, edit: ToolEdit) => Promise<void>;
  readonly onCancel: () => void;
}

/**
 * A tool's name, description and response pointer, as the model sees them: the name it calls, what it reads
 * to decide when to, and the part of the answer it gets. Checked here as the platform checks them; what the
 * platform still refuses shows under the field it names.
 */
export function EditToolDialog({ tool, tools, onSave, onCancel }: EditToolDialogProps) {
  const titleId = useId();
  // The form stays on screen while the dialog closes: the last tool edited is kept until another is.
  const [shown, setShown] = useState(tool);
  if (tool !== undefined && tool !== shown) setShown(tool);
  return (
    <Dialog open={tool !== undefined} onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      {shown && (
        // Keyed: another tool starts from its own values.
        <EditToolForm
          key={shown.name}
          titleId={titleId}
          tool={shown}
          tools={tools}
          onSave={onSave}
          onCancel={onCancel}
        />
      )}
    </Dialog>
  );
}

function EditToolForm({
  titleId,
  tool,
  tools,
  onSave,
  onCancel,
}: Omit<EditToolDialogProps, "tool"> & { readonly titleId: string; readonly tool: ForgeTool }) {
  const [edit, setEdit] = useState<ToolEdit>({
    name: tool.name,
    description: tool.description,
    select: tool.select ?? "",
    limits: limitsOf(tool),
  });
  const limits = edit.limits ?? [];
  const setLimits = (next: readonly LimitEdit[]) => {
    setEdit((current) => ({ ...current, limits: next }));
    setProblems(({ limits: _fixed, ...rest }) => rest);
  };
  const changeLimit = (index: number, key: keyof LimitEdit, value: string) =>
    setLimits(limits.map((l, i) => (i === index ? { ...l, [key]: value } : l)));
  const [problems, setProblems] = useState<Partial<Record<ToolEditField, string>>>({});
  const saving = useMutation<"save">();
  const failure = saving.error("save");

  const change = (fieldName: Exclude<ToolEditField, "limits">, value: string) => {
    setEdit((current) => ({ ...current, [fieldName]: value }));
    setProblems(({ [fieldName]: _fixed, ...rest }) => rest);
  };

  const submit = async () => {
    if (saving.busy) return;
    const found = toolEditProblems(tools, tool.name, edit);
    setProblems(found);
    if (Object.keys(found).length > 0) return;
    const index = tools.findIndex((t) => t.name === tool.name);
    await saving.run("save", () => onSave(tool, edit), {
      // A field's problem shows under it; the alert says the rest.
      onFailure: (error) => {
        const named: Partial<Record<ToolEditField, string>> = {};
        for (const issue of error.issues) {
          const fieldName = editIssueField(issue.path, index);
          if (fieldName && named[fieldName] === undefined) named[fieldName] = issue.message;
        }
        setProblems(named);
      },
    });
  };

  const field = (name: Exclude<ToolEditField, "limits">) => ({
    value: edit[name],
    onChange: (event: ChangeEvent<HTMLInputElement>) => change(name, event.target.value),
    error: problems[name] !== undefined,
    fullWidth: true,
  });

  return (
    <Stack
      component="form"
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <DialogTitle id={titleId}>Edit {tool.name}</DialogTitle>
      <DialogContent>
        <Stack spacing={2.5} sx={{ pt: 1 }}>
          <Typography color="text.secondary">
            Calls{" "}
            <Typography component="code" sx={{ fontFamily: monospace }}>
              {tool.method} {tool.path}
            </Typography>
            . The model picks a tool by its name and description: say what it does and when to use it.
          </Typography>
          <TextField
            {...field("name")}
            label="Name"
            required
            helperText={problems.name ?? "Letters, digits, '_' or '-', up to 64: the name the model calls."}
            slotProps={{ htmlInput: { spellCheck: false, sx: { fontFamily: monospace } } }}
          />
          <TextField
            {...field("description")}
            label="Description"
            required
            multiline
            minRows={3}
            maxRows={10}
            helperText={
              problems.description ??
              `${edit.description.trim().length.toLocaleString("en")} / ${maxToolDescriptionChars.toLocaleString("en")} characters.`
            }
          />
          <TextField
            {...field("select")}
            label="Response pointer (optional)"
            placeholder="/data/items"
            helperText={
              problems.select ??
              "A JSON pointer into the answer: only that part goes to the model. Empty: the whole answer."
            }
            slotProps={{ htmlInput: { spellCheck: false, sx: { fontFamily: monospace } } }}
          />
          <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
            <Typography component="legend" variant="subtitle2">
              Limits
            </Typography>
            <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
              Bounds the platform holds the arguments to, whatever the model says (a transfer's amount at most
              100): a call outside them is refused before anything is sent or offered for confirmation.
            </Typography>
            <Stack spacing={1.5} role="list" aria-label="Limits">
              {limits.map((limit, index) => (
                <Stack
                  // Rows have no identity of their own: their place is theirs while the dialog is open.
                  key={index}
                  role="listitem"
                  direction={{ xs: "column", sm: "row" }}
                  spacing={1}
                  sx={{ alignItems: { sm: "flex-start" } }}
                >
                  <TextField
                    size="small"
                    label={`Argument ${index + 1}`}
                    placeholder="amount"
                    value={limit.argument}
                    onChange={(event) => changeLimit(index, "argument", event.target.value)}
                    slotProps={{ htmlInput: { spellCheck: false, sx: { fontFamily: monospace } } }}
                  />
                  <TextField
                    size="small"
                    label="Min"
                    value={limit.min}
                    onChange={(event) => changeLimit(index, "min", event.target.value)}
                    slotProps={{ htmlInput: { inputMode: "decimal" } }}
                    sx={{ width: { sm: 110 } }}
                  />
                  <TextField
                    size="small"
                    label="Max"
                    value={limit.max}
                    onChange={(event) => changeLimit(index, "max", event.target.value)}
                    slotProps={{ htmlInput: { inputMode: "decimal" } }}
                    sx={{ width: { sm: 110 } }}
                  />
                  <TextField
                    size="small"
                    label="Only these values"
                    placeholder="EUR, USD"
                    value={limit.oneOf}
                    onChange={(event) => changeLimit(index, "oneOf", event.target.value)}
                  />
                  <IconButton
                    aria-label={`Remove limit ${index + 1}`}
                    onClick={() => setLimits(limits.filter((_, i) => i !== index))}
                  >
                    <span aria-hidden="true">✕</span>
                  </IconButton>
                </Stack>
              ))}
            </Stack>
            {problems.limits && <FormHelperText error>{problems.limits}</FormHelperText>}
            <Button
              size="small"
              sx={{ mt: 1 }}
              disabled={limits.length >= maxLimits}
              onClick={() => setLimits([...limits, { argument: "", min: "", max: "", oneOf: "" }])}
            >
              Add a limit
            </Button>
          </Box>
          {failure && <FormErrorAlert title="The tool was not saved" error={failure} />}
        </Stack>
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" variant="contained">
          {saving.busy ? "Saving…" : "Save"}
        </Button>
      </DialogActions>
    </Stack>
  );
}
