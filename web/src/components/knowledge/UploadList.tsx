import { memo, useEffect, useState } from "react";
import { Box, Button, LinearProgress, List, ListItem, Stack, Typography } from "@mui/material";
import type { KnowledgeDocument } from "../../data/knowledge";
import { formatBytes } from "./describe";
import { uploadStatus, type Upload, type UploadStatus } from "./useUploadQueue";

interface UploadListProps {
  readonly uploads: readonly Upload[];
  /** The knowledge base's documents as last received: where each sent file's ingestion is. */
  readonly documents: readonly KnowledgeDocument[] | undefined;
  /** When the upload budget is expected back (ms since the epoch), while the queue waits for it. */
  readonly budgetWaitUntil?: number | undefined;
  readonly onRetry: (key: string) => void;
  readonly onRemove: (keys: readonly string[]) => void;
}

/** Each file dropped on this page, from its upload to ready (or why not), with a retry where it helps. */
export const UploadList = memo(function UploadList({
  uploads,
  documents,
  budgetWaitUntil,
  onRetry,
  onRemove,
}: UploadListProps) {
  if (uploads.length === 0) return null;
  const statuses = uploads.map((upload) => ({
    upload,
    status: uploadStatus(upload, documents, formatBytes),
  }));
  const settled = statuses.filter(({ status }) => status.settled && status.tone === "done");
  const working = statuses.filter(({ status }) => !status.settled).length;
  const problems = statuses.filter(({ status }) => status.tone === "error").length;

  return (
    <Box>
      <Box
        sx={{
          display: "flex",
          flexWrap: "wrap",
          gap: 1,
          alignItems: "center",
          justifyContent: "space-between",
        }}
      >
        <Typography variant="body2" color="text.secondary" role="status">
          {summary(uploads.length, working, problems, budgetWaitUntil !== undefined)}
        </Typography>
        {settled.length > 0 && (
          <Button size="small" onClick={() => onRemove(settled.map(({ upload }) => upload.key))}>
            Clear finished
          </Button>
        )}
      </Box>
      {budgetWaitUntil !== undefined && <BudgetWait until={budgetWaitUntil} />}
      <List aria-label="Uploads" disablePadding>
        {statuses.map(({ upload, status }) => (
          // Memoized per line, with the status as its own values: a progress event of one file (or a
          // hundred files of one request) re-renders those lines, not a list of a thousand.
          <UploadLine
            key={upload.key}
            upload={upload}
            label={status.label}
            problem={status.problem}
            percent={status.percent}
            tone={status.tone}
            canRetry={status.canRetry}
            onRetry={onRetry}
            onRemove={onRemove}
          />
        ))}
      </List>
    </Box>
  );
});

interface UploadLineProps extends Pick<UploadStatus, "label" | "problem" | "percent" | "tone" | "canRetry"> {
  readonly upload: Upload;
  readonly onRetry: (key: string) => void;
  readonly onRemove: (keys: readonly string[]) => void;
}

const UploadLine = memo(function UploadLine({
  upload,
  label,
  problem,
  percent,
  tone,
  canRetry,
  onRetry,
  onRemove,
}: UploadLineProps) {
  const { phase, file, path } = upload;
  const cancellable = phase.kind === "waiting" || phase.kind === "uploading";
  // Files from a folder say which one: two folders can each hold a "README.md".
  const folder = path.includes("/") ? path.slice(0, path.lastIndexOf("/")) : undefined;
  return (
    <ListItem
      aria-label={file.name}
      divider
      disableGutters
      sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", py: 1.25 }}
    >
      <Box sx={{ flex: "1 1 240px", minWidth: 0 }}>
        <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>
          {file.name}{" "}
          <Typography component="span" variant="body2" color="text.secondary">
            ({formatBytes(file.size)}
            {folder !== undefined && `, in ${folder}`})
          </Typography>
        </Typography>
        <Typography
          variant="body2"
          color={tone === "error" ? "error" : tone === "done" ? "success.main" : "text.secondary"}
        >
          {label}
          {problem && `: ${problem}`}
        </Typography>
        {percent !== undefined && (
          <LinearProgress
            variant="determinate"
            value={percent}
            aria-label={`${file.name} progress`}
            sx={{ mt: 0.75, maxWidth: 360 }}
          />
        )}
      </Box>
      <Stack direction="row" spacing={0.5}>
        {canRetry && (
          <Button
            size="small"
            variant="outlined"
            aria-label={`Retry ${file.name}`}
            onClick={() => onRetry(upload.key)}
          >
            Retry
          </Button>
        )}
        {cancellable ? (
          <Button size="small" aria-label={`Cancel ${file.name}`} onClick={() => onRemove([upload.key])}>
            Cancel
          </Button>
        ) : (
          <Button size="small" aria-label={`Dismiss ${file.name}`} onClick={() => onRemove([upload.key])}>
            Dismiss
          </Button>
        )}
      </Stack>
    </ListItem>
  );
});

/**
 * The wait for the workspace's upload budget, counting down to the retry. Not a live region: the summary
 * above says once that the queue waits, rather than a screen reader reading every second.
 */
function BudgetWait({ until }: { readonly until: number }) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const seconds = Math.max(0, Math.ceil((until - now) / 1000));
  return (
    <Typography variant="body2" color="warning.main" sx={{ mt: 1 }}>
      Waiting for the upload budget, retrying in {seconds} s. The platform limits how much a workspace uploads
      a minute; files already sent are not sent again.
    </Typography>
  );
}

function summary(total: number, working: number, problems: number, waiting: boolean): string {
  const files = (n: number) => `${n} ${n === 1 ? "file" : "files"}`;
  const parts = [working > 0 ? `${files(working)} of ${total} in progress` : `${files(total)} finished`];
  if (waiting) parts.push("waiting for the upload budget");
  if (problems > 0) parts.push(`${problems} need${problems === 1 ? "s" : ""} attention`);
  return `${parts.join(", ")}.`;
}
