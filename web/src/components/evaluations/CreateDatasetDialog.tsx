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
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

interface CreateDatasetDialogProps {
  readonly open: boolean;
  /** Creates it; the dialog shows why when this throws, and stays open. */
  readonly onCreate: (input: { readonly name: string; readonly description: string }) => Promise<void>;
  readonly onCancel: () => void;
}

/** A name and what the dataset checks; items are added on its page. */
export function CreateDatasetDialog({ open, onCreate, onCancel }: CreateDatasetDialogProps) {
  const titleId = useId();
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [nameError, setNameError] = useState<string | undefined>(undefined);
  const creating = useMutation<"create">();
  const failure = creating.error("create");

  const reset = () => {
    setName("");
    setDescription("");
    setNameError(undefined);
    creating.dismiss("create");
  };

  const submit = async () => {
    if (name.trim() === "") {
      setNameError("Give the dataset a name.");
      return;
    }
    await creating.run("create", () => onCreate({ name: name.trim(), description: description.trim() }), {
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
        <DialogTitle id={titleId}>Create an eval dataset</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              A dataset holds questions and what a good answer contains. You add items by hand, from a CSV or
              JSONL file, or from real answers in transcripts.
            </Typography>
            <TextField
              label="Name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                setNameError(undefined);
              }}
              error={nameError !== undefined}
              helperText={nameError ?? "E.g. “HR golden set”."}
              required
              fullWidth
              autoFocus
              slotProps={{ htmlInput: { maxLength: 120 } }}
            />
            <TextField
              label="Description (optional)"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              multiline
              minRows={2}
              fullWidth
              slotProps={{ htmlInput: { maxLength: 2000 } }}
            />
            {failure && <FormErrorAlert title="The dataset was not created" error={failure} />}
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
