import { useId, useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { placeholdersIn, promptLimits, type PromptCreateInput } from "../../data/prompts";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

interface CreatePromptDialogProps {
  readonly open: boolean;
  /** Creates it; the dialog shows why when this throws, and stays open. */
  readonly onCreate: (input: PromptCreateInput) => Promise<void>;
  readonly onCancel: () => void;
}

/**
 * A name, what the template is for, and its first text. Placeholders in the text are declared as optional
 * text variables, so the first version saves; their types and defaults are set in the editor.
 */
export function CreatePromptDialog({ open, onCreate, onCancel }: CreatePromptDialogProps) {
  const titleId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [text, setText] = useState("");
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const creating = useMutation<"create">();
  const failure = creating.error("create");

  const reset = () => {
    setName("");
    setDescription("");
    setText("");
    setFieldErrors({});
    creating.dismiss("create");
  };

  const submit = async () => {
    if (creating.busy) return;
    const errors: Record<string, string> = {};
    if (name.trim() === "") errors.name = "Give the template a name.";
    if (text.trim() === "") errors.text = "Write the template's first text; you can change it later.";
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    const variables = placeholdersIn(text).map((n) => ({
      name: n,
      type: "string" as const,
      required: false,
      default: null,
      values: [],
      description: "",
      maxLength: null,
    }));
    await creating.run(
      "create",
      () => onCreate({ name: name.trim(), description: description.trim(), text, variables, note: "" }),
      {
        onFailure: (error) => {
          const next: Record<string, string> = {};
          for (const issue of error.issues) {
            if (issue.path === "name" || issue.path === "text") next[issue.path] = issue.message;
          }
          setFieldErrors(next);
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="sm"
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
        <DialogTitle id={titleId}>Create a prompt template</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              A template is versioned text with {"{{placeholders}}"} for values an agent fills in. Agents
              reference it by a label (production, staging) or a version.
            </Typography>
            <TextField
              label="Name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              error={fieldErrors.name !== undefined}
              helperText={fieldErrors.name ?? "How people in this workspace will recognize it."}
              required
              fullWidth
              autoFocus
              slotProps={{ htmlInput: { maxLength: promptLimits.name } }}
            />
            <TextField
              label="Description (optional)"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              fullWidth
              slotProps={{ htmlInput: { maxLength: promptLimits.description } }}
            />
            <TextField
              label="Text"
              value={text}
              onChange={(event) => setText(event.target.value)}
              error={fieldErrors.text !== undefined}
              helperText={
                fieldErrors.text ??
                "Placeholders such as {{company}} become text variables; set their types in the editor."
              }
              required
              multiline
              minRows={4}
              fullWidth
              slotProps={{ htmlInput: { maxLength: promptLimits.text } }}
            />
            {failure && <FormErrorAlert title="The template was not created" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {creating.busy ? "Creating…" : "Create"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
