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
  Typography,
} from "@mui/material";
import type { EvalDataset } from "../../data/evaluations";
import type { RemoteData } from "../../data/useRemoteData";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

const newDataset = "__new__";

interface AddToDatasetDialogProps {
  readonly open: boolean;
  readonly datasets: RemoteData<EvalDataset[]>;
  /** Adds the answer to the dataset (made first when `name` is given); answers the dataset's name. */
  readonly onAdd: (target: { readonly datasetId: string } | { readonly name: string }) => Promise<void>;
  readonly onCancel: () => void;
}

/**
 * Makes an eval item of a real answer: its question, and the answer's supported sentences as the reference
 * (an abstention becomes an item that expects one). The item can be edited on the dataset's page.
 */
export function AddToDatasetDialog({ open, datasets, onAdd, onCancel }: AddToDatasetDialogProps) {
  const titleId = useId();
  const list = datasets.data ?? [];
  // The owner keys the dialog by each opening.
  const [choice, setChoice] = useState(list[0]?.id ?? newDataset);
  const [name, setName] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const adding = useMutation<"add">();
  const value = choice === newDataset || list.some((d) => d.id === choice) ? choice : newDataset;

  const submit = async () => {
    if (value === newDataset && name.trim() === "") {
      setProblem("Name the new dataset.");
      return;
    }
    await adding.run("add", () => onAdd(value === newDataset ? { name: name.trim() } : { datasetId: value }));
  };

  return (
    <Dialog open={open} onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <DialogTitle id={titleId}>Add to an eval dataset</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              The question becomes an item, with this answer's supported sentences as the reference answer.
              You can add expected facts on the dataset's page.
            </Typography>
            <TextField
              select
              label="Dataset"
              value={value}
              onChange={(event) => setChoice(event.target.value)}
              helperText={
                datasets.error ? "The datasets could not be listed; you can still make a new one." : undefined
              }
            >
              {list.map((d) => (
                <MenuItem key={d.id} value={d.id}>
                  {d.name} ({d.itemCount} items)
                </MenuItem>
              ))}
              <MenuItem value={newDataset}>A new dataset…</MenuItem>
            </TextField>
            {value === newDataset && (
              <TextField
                label="New dataset's name"
                value={name}
                onChange={(event) => {
                  setName(event.target.value);
                  setProblem(undefined);
                }}
                error={problem !== undefined}
                helperText={problem}
                required
                slotProps={{ htmlInput: { maxLength: 120 } }}
              />
            )}
            {adding.error("add") && (
              <FormErrorAlert title="The item was not added" error={adding.error("add")!} />
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {adding.busy ? "Adding…" : "Add"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
