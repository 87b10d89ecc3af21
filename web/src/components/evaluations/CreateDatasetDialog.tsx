import { NameDescriptionDialog, type NameAndDescription } from "../NameDescriptionDialog";

interface CreateDatasetDialogProps {
  readonly open: boolean;
  /** Creates it; the dialog shows why when this throws, and stays open. */
  readonly onCreate: (input: NameAndDescription) => Promise<void>;
  readonly onCancel: () => void;
}

/** A name and what the dataset checks; items are added on its page. */
export function CreateDatasetDialog({ open, onCreate, onCancel }: CreateDatasetDialogProps) {
  return (
    <NameDescriptionDialog
      open={open}
      noun="dataset"
      title="Create an eval dataset"
      intro={
        "A dataset holds questions and what a good answer contains. You add items by hand, from a CSV or " +
        "JSONL file, or from real answers in transcripts."
      }
      nameHelper="E.g. “HR golden set”."
      onCreate={onCreate}
      onCancel={onCancel}
    />
  );
}
