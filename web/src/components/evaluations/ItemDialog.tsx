import { useId, useState } from "react";
import {
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Radio,
  RadioGroup,
  Stack,
  TextField,
  useMediaQuery,
  useTheme,
} from "@mui/material";
import type { EvalItem, EvalItemInput } from "../../data/evaluations";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import {
  emptyItemDraft,
  issueFields,
  itemDraftOf,
  itemInputOf,
  itemProblems,
  type ItemDraft,
} from "./itemForm";

interface ItemDialogProps {
  readonly open: boolean;
  /** The item to edit; undefined to add one. */
  readonly item: EvalItem | undefined;
  readonly onSave: (input: EvalItemInput) => Promise<void>;
  readonly onCancel: () => void;
}

/** Adds or edits one item: the question (or a script), and what a good answer holds. */
export function ItemDialog({ open, item, onSave, onCancel }: ItemDialogProps) {
  const titleId = useId();
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down("sm"));
  // The owner keys the dialog by each opening, so it starts from the item (or an empty one) every time.
  const [draft, setDraft] = useState<ItemDraft>(() => (item ? itemDraftOf(item) : emptyItemDraft));
  const [shown, setShown] = useState(false);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const saving = useMutation<"save">();

  const problems = itemProblems(draft);
  const errors: Record<string, string> = { ...(shown ? problems : {}), ...refused };
  const change = (patch: Partial<ItemDraft>) => {
    setDraft((d) => ({ ...d, ...patch }));
    setRefused({});
  };

  const submit = async () => {
    setShown(true);
    if (Object.keys(problems).length > 0) return;
    await saving.run("save", () => onSave(itemInputOf(draft)), {
      onFailure: (error) => {
        const fields = issueFields(error.issues);
        setRefused(fields);
        return false;
      },
    });
  };

  const failure = saving.error("save");
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
        <DialogTitle id={titleId}>{item ? "Edit the item" : "Add an item"}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <RadioGroup
              row
              aria-label="What the item asks"
              value={draft.kind}
              onChange={(event) => change({ kind: event.target.value as ItemDraft["kind"] })}
            >
              <FormControlLabel value="question" control={<Radio />} label="One question" />
              <FormControlLabel value="script" control={<Radio />} label="A multi-turn script" />
            </RadioGroup>
            {draft.kind === "question" ? (
              <TextField
                label="Question"
                value={draft.question}
                onChange={(event) => change({ question: event.target.value })}
                error={errors.question !== undefined}
                helperText={errors.question ?? "As an end user would ask it."}
                required
                multiline
                minRows={2}
                autoFocus
              />
            ) : (
              <TextField
                label="Messages"
                value={draft.turns}
                onChange={(event) => change({ turns: event.target.value })}
                error={errors.turns !== undefined}
                helperText={
                  errors.turns ?? "The end user's messages, one per line; the last answer is scored."
                }
                required
                multiline
                minRows={3}
                autoFocus
              />
            )}
            <TextField
              label="Expected facts"
              value={draft.expectedFacts}
              onChange={(event) => change({ expectedFacts: event.target.value })}
              error={errors.expectedFacts !== undefined}
              helperText={
                errors.expectedFacts ??
                "One per line: strings a correct answer contains (case and spacing ignored), e.g. “25 days”."
              }
              multiline
              minRows={2}
            />
            <TextField
              label="Reference answer (optional)"
              value={draft.referenceAnswer}
              onChange={(event) => change({ referenceAnswer: event.target.value })}
              error={errors.referenceAnswer !== undefined}
              helperText={
                errors.referenceAnswer ??
                "Used when there are no expected facts: the answer must overlap it enough."
              }
              multiline
              minRows={2}
            />
            <TextField
              label="Expected sources (optional)"
              value={draft.expectedSources}
              onChange={(event) => change({ expectedSources: event.target.value })}
              error={errors.expectedSources !== undefined}
              helperText={
                errors.expectedSources ?? "Document names or ids the answer should cite, one per line."
              }
              multiline
              minRows={1}
            />
            <FormControlLabel
              control={
                <Checkbox
                  checked={draft.shouldAbstain}
                  onChange={(event) => change({ shouldAbstain: event.target.checked })}
                />
              }
              label="The agent should abstain (its knowledge does not hold the answer)"
            />
            <TextField
              label="Tags (optional)"
              value={draft.tags}
              onChange={(event) => change({ tags: event.target.value })}
              error={errors.tags !== undefined}
              helperText={errors.tags ?? "Separated by commas: leave, travel."}
            />
            {failure && <FormErrorAlert title="The item was not saved" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {saving.busy ? "Saving…" : item ? "Save" : "Add"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
