import { useState } from "react";
import type { EvalDataset } from "../../data/evaluations";
import { useEvalDatasets } from "../../data/hooks/evaluations";
import { useStudio } from "../../data/studio";
import { AddToDatasetDialog } from "./AddToDatasetDialog";
import { AnnotationDialog } from "./AnnotationDialog";

/** What a transcript's reader asked to do with one answer. */
export type AnswerTask =
  | {
      readonly kind: "correct";
      readonly traceId: string;
      readonly question: string | undefined;
      readonly original: string;
    }
  | { readonly kind: "dataset"; readonly traceId: string };

interface AnswerDialogsProps {
  readonly task: AnswerTask;
  readonly open: boolean;
  readonly onClose: () => void;
  /** Says what was done, on the page's status line. */
  readonly onDone: (sentence: string) => void;
}

/**
 * The dialogs an editor opens from a transcript's answer. Mounted only once one is asked for, so reading a
 * transcript does not list the workspace's datasets.
 */
export function AnswerDialogs({ task, open, onClose, onDone }: AnswerDialogsProps) {
  const studio = useStudio();
  const datasets = useEvalDatasets();
  const [list, setList] = useState<readonly EvalDataset[] | undefined>(undefined);
  const known = list ?? datasets.data ?? [];
  if (task.kind === "correct") {
    return (
      <AnnotationDialog
        open={open}
        traceId={task.traceId}
        question={task.question}
        original={task.original}
        datasets={known}
        onCancel={onClose}
        onSave={async (input) => {
          const annotation = await studio.annotateAnswer(input);
          onClose();
          onDone(
            annotation.serveAsReply
              ? "Correction saved: it is served for near-identical questions from now on, and added as an eval item."
              : "Correction saved and added as an eval item.",
          );
        }}
      />
    );
  }
  return (
    <AddToDatasetDialog
      // Keyed by whether the list arrived: the dialog's first choice is the first dataset.
      key={datasets.data ? "listed" : "waiting"}
      open={open}
      datasets={datasets}
      onCancel={onClose}
      onAdd={async (target) => {
        let datasetId: string;
        let name: string;
        if ("datasetId" in target) {
          datasetId = target.datasetId;
          name = known.find((d) => d.id === datasetId)?.name ?? "the dataset";
        } else {
          // A dataset made on an earlier try whose item failed is used again, not made twice.
          const made = known.find((d) => d.name === target.name && list?.includes(d));
          const created = made ?? (await studio.createEvalDataset({ name: target.name, description: "" }));
          if (!made) setList([...known, created]);
          datasetId = created.id;
          name = created.name;
        }
        await studio.addEvalItemFromTrace(datasetId, task.traceId);
        onClose();
        onDone(`Added to “${name}”.`);
      }}
    />
  );
}
