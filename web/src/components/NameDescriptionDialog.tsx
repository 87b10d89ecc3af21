import { useId, useState, type ReactNode } from "react";
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
import { useMutation } from "../data/useMutation";
import { FormErrorAlert } from "./FormErrorAlert";

/** The platform's limits on a name and a description, repeated to say so before sending. */
const maxNameLength = 120;
const maxDescriptionLength = 2000;

export interface NameAndDescription {
  readonly name: string;
  readonly description: string;
}

interface NameDescriptionDialogProps {
  readonly open: boolean;
  /** What is created, as a sentence uses it: "knowledge base", "dataset". */
  readonly noun: string;
  readonly title: string;
  /** What the thing is for and what comes next. */
  readonly intro: ReactNode;
  readonly nameHelper: string;
  /** Shown under the description, before its length. */
  readonly descriptionHelper?: string;
  /** Creates it; the dialog shows why when this throws, and stays open. */
  readonly onCreate: (input: NameAndDescription) => Promise<void>;
  readonly onCancel: () => void;
}

/**
 * The dialog that creates something from a name and an optional description (a knowledge base, an eval
 * dataset): the name is required before sending, and the platform's refusal of it shows under the field.
 */
export function NameDescriptionDialog({
  open,
  noun,
  title,
  intro,
  nameHelper,
  descriptionHelper,
  onCreate,
  onCancel,
}: NameDescriptionDialogProps) {
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
      setNameError(`Give the ${noun} a name.`);
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

  const length = `${description.length} / ${maxDescriptionLength.toLocaleString("en")}`;
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
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">{intro}</Typography>
            <TextField
              label="Name"
              value={name}
              onChange={(event) => {
                setName(event.target.value);
                setNameError(undefined);
              }}
              error={nameError !== undefined}
              helperText={nameError ?? nameHelper}
              required
              fullWidth
              autoFocus
              slotProps={{ htmlInput: { maxLength: maxNameLength } }}
            />
            <TextField
              label="Description (optional)"
              value={description}
              onChange={(event) => setDescription(event.target.value)}
              helperText={descriptionHelper ? `${descriptionHelper} ${length}` : length}
              multiline
              minRows={2}
              fullWidth
              slotProps={{ htmlInput: { maxLength: maxDescriptionLength } }}
            />
            {failure && <FormErrorAlert title={`The ${noun} was not created`} error={failure} />}
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
