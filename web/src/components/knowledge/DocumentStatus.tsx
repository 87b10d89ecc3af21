import { Box, Chip, LinearProgress, Typography } from "@mui/material";
import type { DocumentStatus as Status, KnowledgeDocument } from "../../data/knowledge";
import { ingestionStep, isIngesting } from "./describe";

const presentation: Record<
  Status,
  { label: string; color: "default" | "info" | "success" | "error"; variant: "filled" | "outlined" }
> = {
  queued: { label: "Queued", color: "default", variant: "outlined" },
  processing: { label: "Processing", color: "info", variant: "filled" },
  ready: { label: "Ready", color: "success", variant: "filled" },
  failed: { label: "Failed", color: "error", variant: "filled" },
  deleting: { label: "Deleting", color: "default", variant: "outlined" },
};

/** A document's status as a chip; the word carries the meaning, the color only repeats it. */
export function DocumentStatusChip({ status }: { readonly status: Status }) {
  const { label, color, variant } = presentation[status];
  return <Chip label={label} color={color} variant={variant} size="small" />;
}

/**
 * Where a document is: its status, the ingestion step with a progress bar while it runs, the reason in the
 * platform's words when it failed, and which version search still uses meanwhile.
 */
export function DocumentStatus({ document: doc }: { readonly document: KnowledgeDocument }) {
  const step = ingestionStep(doc);
  const olderSearchable = doc.activeVersion !== null && doc.activeVersion !== doc.version;
  return (
    <Box sx={{ minWidth: 160 }}>
      <DocumentStatusChip status={doc.status} />
      <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
        {step.label}
        {isIngesting(doc) && ` · ${step.percent}%`}
      </Typography>
      {isIngesting(doc) && (
        <LinearProgress
          variant="determinate"
          value={step.percent}
          aria-label={`Processing ${doc.name}`}
          sx={{ mt: 0.5, maxWidth: 200 }}
        />
      )}
      {doc.status === "failed" && doc.error && (
        <Typography variant="body2" color="error" sx={{ mt: 0.5, overflowWrap: "anywhere" }}>
          {doc.error}
        </Typography>
      )}
      {olderSearchable && isIngesting(doc) && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          Version {doc.activeVersion} stays searchable until this one is ready.
        </Typography>
      )}
      {olderSearchable && doc.status === "failed" && (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
          Version {doc.activeVersion} is still the one search uses.
        </Typography>
      )}
    </Box>
  );
}
