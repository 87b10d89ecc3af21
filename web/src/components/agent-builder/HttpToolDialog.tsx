import { useId, useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
} from "@mui/material";
import type { HttpTool } from "../../data/agents";
import {
  httpToolFormOf,
  newHttpToolForm,
  readHttpToolForm,
  type HttpToolErrors,
  type HttpToolForm,
} from "../../data/tools";

interface HttpToolDialogProps {
  /** The tool being edited, or nothing to add one. */
  readonly tool: HttpTool | undefined;
  /** The agent's other tools' names (a name must be unique). */
  readonly takenNames: readonly string[];
  /** Hosts the platform lets HTTP tools call; `null`: any public host. */
  readonly toolHosts: readonly string[] | null;
  readonly onDone: (tool: HttpTool) => void;
  readonly onCancel: () => void;
}

/**
 * Adds or edits one HTTP tool. Checked here with the platform's rules before it joins the draft; the draft
 * is saved with the rest of the builder.
 */
export function HttpToolDialog({ tool, takenNames, toolHosts, onDone, onCancel }: HttpToolDialogProps) {
  const titleId = useId();
  const [form, setForm] = useState<HttpToolForm>(tool ? httpToolFormOf(tool) : newHttpToolForm);
  const [errors, setErrors] = useState<HttpToolErrors>({});
  const edit = (change: Partial<HttpToolForm>) => {
    setForm((current) => ({ ...current, ...change }));
    setErrors((current) => {
      const next = { ...current };
      for (const key of Object.keys(change) as (keyof HttpToolForm)[]) delete next[key];
      return next;
    });
  };
  const submit = () => {
    const result = readHttpToolForm(form, takenNames, toolHosts);
    if ("errors" in result) setErrors(result.errors);
    else onDone(result.tool);
  };
  const text = (key: Exclude<keyof HttpToolForm, "method">, label: string, help: string) => ({
    label,
    value: form[key],
    onChange: (event: { target: { value: string } }) => edit({ [key]: event.target.value }),
    error: errors[key] !== undefined,
    helperText: errors[key] ?? help,
    fullWidth: true,
  });

  return (
    <Dialog open onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId}>{tool ? `Edit tool ${tool.name}` : "Add an HTTP tool"}</DialogTitle>
      <DialogContent>
        <Stack
          component="form"
          id={`${titleId}-form`}
          spacing={2.5}
          sx={{ pt: 1 }}
          noValidate
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <TextField
            {...text("name", "Tool name", "How the model calls it, e.g. get_balance.")}
            required
            autoComplete="off"
            autoFocus
          />
          <TextField
            {...text(
              "description",
              "What it does",
              "The model reads this to decide when to call the tool: say what it answers and when to use it.",
            )}
            required
            multiline
            minRows={2}
          />
          <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
            <TextField
              select
              label="Method"
              value={form.method}
              onChange={(event) => edit({ method: event.target.value === "GET" ? "GET" : "POST" })}
              helperText="POST sends the arguments as JSON; GET as the query string."
              sx={{ minWidth: 140 }}
            >
              <MenuItem value="POST">POST</MenuItem>
              <MenuItem value="GET">GET</MenuItem>
            </TextField>
            <TextField
              {...text(
                "url",
                "URL",
                toolHosts === null
                  ? "The platform calls this public address (never one inside a private network); its answer becomes citable evidence."
                  : `The platform calls this address, on one of ${toolHosts.join(", ")}; its answer becomes citable evidence.`,
              )}
              required
              autoComplete="off"
              slotProps={{ htmlInput: { inputMode: "url", spellCheck: false } }}
            />
          </Stack>
          <TextField
            {...text(
              "timeoutMs",
              "Timeout (ms)",
              "A call that takes longer fails, and the model is told so.",
            )}
            sx={{ maxWidth: 240 }}
            slotProps={{ htmlInput: { inputMode: "numeric" } }}
          />
          <TextField
            {...text(
              "parameters",
              "Arguments (JSON Schema)",
              "The arguments the model must send; every call is checked against this schema first.",
            )}
            multiline
            minRows={6}
            slotProps={{
              htmlInput: {
                spellCheck: false,
                style: { fontFamily: "ui-monospace, monospace", fontSize: 13 },
              },
            }}
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel}>Cancel</Button>
        <Button type="submit" form={`${titleId}-form`} variant="contained">
          {tool ? "Apply changes" : "Add tool"}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
