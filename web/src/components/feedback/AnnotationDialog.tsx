import { useId, useState } from "react";
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  MenuItem,
  Stack,
  TextField,
  Typography,
  useMediaQuery,
  useTheme,
} from "@mui/material";
import type { EvalDataset } from "../../data/evaluations";
import { feedbackLimits, type AnnotationInput } from "../../data/feedback";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

interface AnnotationDialogProps {
  readonly open: boolean;
  readonly traceId: string;
  readonly question: string | undefined;
  readonly original: string;
  /** Where the correction can also go as an eval item; the agent's "Annotations" dataset without a choice. */
  readonly datasets: readonly EvalDataset[];
  readonly onSave: (input: AnnotationInput) => Promise<void>;
  readonly onCancel: () => void;
}

/** The agent's own dataset of corrections, when no other is chosen. */
const agentDataset = "";

/**
 * An editor's correction of one answer: the corrected text, a note, whether to serve it as the reply to
 * near-identical questions from now on, and the eval dataset it also becomes an item of.
 */
export function AnnotationDialog({
  open,
  traceId,
  question,
  original,
  datasets,
  onSave,
  onCancel,
}: AnnotationDialogProps) {
  const titleId = useId();
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down("sm"));
  // The owner keys the dialog by each opening: it starts from the answer as given.
  const [corrected, setCorrected] = useState(original);
  const [note, setNote] = useState("");
  const [serveAsReply, setServeAsReply] = useState(false);
  const [datasetId, setDatasetId] = useState(agentDataset);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const saving = useMutation<"save">();

  const submit = async () => {
    const text = corrected.trim();
    if (text === "") {
      setProblem("Write the corrected answer.");
      return;
    }
    if (text === original.trim()) {
      setProblem("The correction is the same as the answer: change it first.");
      return;
    }
    await saving.run(
      "save",
      () =>
        onSave({
          traceId,
          corrected: text,
          note: note.trim(),
          serveAsReply,
          ...(datasetId !== agentDataset ? { datasetId } : {}),
        }),
      {
        onFailure: (error) => {
          const issue = error.issues.find((i) => i.path === "corrected");
          if (issue) setProblem(issue.message);
        },
      },
    );
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      fullScreen={fullScreen}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <DialogTitle id={titleId}>Correct this answer</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            {question && (
              <Box>
                <Typography variant="body2" sx={{ fontWeight: 600 }}>
                  Question
                </Typography>
                <Typography variant="body2" sx={{ overflowWrap: "anywhere" }}>
                  {question}
                </Typography>
              </Box>
            )}
            <Box>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                The answer given
              </Typography>
              <Typography
                variant="body2"
                color="text.secondary"
                sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}
              >
                {original}
              </Typography>
            </Box>
            <TextField
              label="Corrected answer"
              value={corrected}
              onChange={(event) => {
                setCorrected(event.target.value);
                setProblem(undefined);
              }}
              error={problem !== undefined}
              helperText={problem ?? "What the agent should have said."}
              required
              multiline
              minRows={4}
              autoFocus
              slotProps={{ htmlInput: { maxLength: feedbackLimits.corrected } }}
            />
            <TextField
              label="Note (optional)"
              value={note}
              onChange={(event) => setNote(event.target.value)}
              helperText="Why it was wrong, for other editors."
              multiline
              minRows={2}
              slotProps={{ htmlInput: { maxLength: feedbackLimits.note } }}
            />
            <FormControlLabel
              control={
                <Checkbox
                  checked={serveAsReply}
                  onChange={(event) => setServeAsReply(event.target.checked)}
                />
              }
              label="Serve this correction as the reply when the same question is asked again"
            />
            <Typography variant="body2" color="text.secondary" sx={{ mt: -1.5 }}>
              Only near-identical questions get it; each such answer's trace names this correction.
            </Typography>
            <TextField
              select
              label="Also add it to the eval dataset"
              value={datasetId}
              onChange={(event) => setDatasetId(event.target.value)}
              helperText="The correction becomes an item to check future versions against."
            >
              <MenuItem value={agentDataset}>The agent's “Annotations” dataset</MenuItem>
              {datasets.map((d) => (
                <MenuItem key={d.id} value={d.id}>
                  {d.name}
                </MenuItem>
              ))}
            </TextField>
            {saving.error("save") && (
              <FormErrorAlert title="The correction was not saved" error={saving.error("save")!} />
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {saving.busy ? "Saving…" : "Save the correction"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
