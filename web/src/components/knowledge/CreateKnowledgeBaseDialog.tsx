import type { KnowledgeBaseInput } from "../../data/knowledge";
import { NameDescriptionDialog } from "../NameDescriptionDialog";

interface CreateKnowledgeBaseDialogProps {
  readonly open: boolean;
  /** Creates it; the dialog shows why when this throws, and stays open. */
  readonly onCreate: (input: KnowledgeBaseInput) => Promise<void>;
  readonly onCancel: () => void;
}

/** A name and what the knowledge base is for; documents are added on its page. */
export function CreateKnowledgeBaseDialog({ open, onCreate, onCancel }: CreateKnowledgeBaseDialogProps) {
  return (
    <NameDescriptionDialog
      open={open}
      noun="knowledge base"
      title="Create a knowledge base"
      intro={
        "A knowledge base groups the documents an agent answers from, such as a handbook or a product " +
        "manual. You add documents on the next page."
      }
      nameHelper="How people in this workspace will recognize it."
      descriptionHelper="What it holds and who it is for."
      onCreate={onCreate}
      onCancel={onCancel}
    />
  );
}
