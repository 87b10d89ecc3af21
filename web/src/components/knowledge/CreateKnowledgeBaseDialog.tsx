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
import type { KnowledgeBaseInput } from "../../data/knowledge";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

/** The platform's limits, repeated to say so before sending. */
const maxNameLength = 120;
const maxDescriptionLength = 2000;

interface CreateKnowledgeBaseDialogProps {
  readonly open: boolean;
  /** Creates it; the dialog shows why when this throws, and stays open. */
  readonly onCreate: (input: KnowledgeBaseInput) => Promise<void>;
  readonly onCancel: () => void;
}

/** A name and what the knowledge base is for; documents are added on its page. */
export function CreateKnowledgeBaseDialog({ open, onCreate, onCancel }: CreateKnowledgeBaseDialogProps) {
  const titleId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const creating = useMutation<"create">();
  const pending = creating.busy !== undefined;
  const failure = creating.error("create");

  const reset = () => {
    setName("");
    setDescription("");
    setNameError(undefined);
    creating.dismiss("create");
  };

  const submit = async () => {
    if (pending) return;
    const trimmed = name.trim();
    if (trimmed === "") {
      setNameError("Give the knowledge base a name.");
      return;
    }
    await creating.run("create", () => onCreate({ name: trimmed, description: description.trim() }), {
      // The name's problem shows under it, and the alert says it too.
      onFailure: (error) => {
        const issue = error.issues.find((i) => i.path === "name");
        if (issue) setNameError(issue.message);
      },
    });
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
        <DialogTitle id={titleId}>Create a knowledge base</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              A knowledge base groups the documents an agent answers from, such as a handbook or a product
              manual. You add documents on the next page.
            </Typography>
            <TextField
              label="Name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                setNameError(undefined);
              }}
              error={nameError !== undefined}
              helperText={nameError ?? "How people in this workspace will recognize it."}
              required
              fullWidth
              autoFocus
              slotProps={{ htmlInput: { maxLength: maxNameLength } }}
            />
            <TextField
              label="Description (optional)"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              helperText={`What it holds and who it is for. ${description.length} / ${maxDescriptionLength.toLocaleString("en")}`}
              multiline
              minRows={2}
              fullWidth
              slotProps={{ htmlInput: { maxLength: maxDescriptionLength } }}
            />
            {failure && <FormErrorAlert title="The knowledge base was not created" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Creating…" : "Create"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
