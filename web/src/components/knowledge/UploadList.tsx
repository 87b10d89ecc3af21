import { memo } from "react";
import { Box, Button, LinearProgress, List, ListItem, Stack, Typography } from "@mui/material";
import { formatBytes, type KnowledgeDocument } from "../../data/knowledge";
import { uploadStatus, type Upload } from "./useUploadQueue";

interface UploadListProps {
  readonly uploads: readonly Upload[];
  /** The knowledge base's documents as last received: where each sent file's ingestion is. */
  readonly documents: readonly KnowledgeDocument[] | undefined;
  readonly onRetry: (key: string) => void;
  readonly onRemove: (keys: readonly string[]) => void;
}

/** Each file dropped on this page, from its upload to ready (or why not), with a retry where it helps. */
export const UploadList = memo(function UploadList({
  uploads,
  documents,
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
          {summary(uploads.length, working, problems)}
        </Typography>
        {settled.length > 0 && (
          <Button size="small" onClick={() => onRemove(settled.map(({ upload }) => upload.key))}>
            Clear finished
          </Button>
        )}
      </Box>
      <List aria-label="Uploads" disablePadding>
        {statuses.map(({ upload, status }) => {
          const { phase } = upload;
          const cancellable = phase.kind === "waiting" || phase.kind === "uploading";
          return (
            <ListItem
              key={upload.key}
              aria-label={upload.file.name}
              divider
              disableGutters
              sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", py: 1.25 }}
            >
              <Box sx={{ flex: "1 1 240px", minWidth: 0 }}>
                <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>
                  {upload.file.name}{" "}
                  <Typography component="span" variant="body2" color="text.secondary">
                    ({formatBytes(upload.file.size)})
                  </Typography>
                </Typography>
                <Typography
                  variant="body2"
                  color={
                    status.tone === "error"
                      ? "error"
                      : status.tone === "done"
                        ? "success.main"
                        : "text.secondary"
                  }
                >
                  {status.label}
                  {status.problem && `: ${status.problem}`}
                </Typography>
                {status.percent !== undefined && (
                  <LinearProgress
                    variant="determinate"
                    value={status.percent}
                    aria-label={`${upload.file.name} progress`}
                    sx={{ mt: 0.75, maxWidth: 360 }}
                  />
                )}
              </Box>
              <Stack direction="row" spacing={0.5}>
                {status.canRetry && (
                  <Button
                    size="small"
                    variant="outlined"
                    aria-label={`Retry ${upload.file.name}`}
                    onClick={() => onRetry(upload.key)}
                  >
                    Retry
                  </Button>
                )}
                {cancellable ? (
                  <Button
                    size="small"
                    aria-label={`Cancel ${upload.file.name}`}
                    onClick={() => onRemove([upload.key])}
                  >
                    Cancel
                  </Button>
                ) : (
                  <Button
                    size="small"
                    aria-label={`Dismiss ${upload.file.name}`}
                    onClick={() => onRemove([upload.key])}
                  >
                    Dismiss
                  </Button>
                )}
              </Stack>
            </ListItem>
          );
        })}
      </List>
    </Box>
  );
});

function summary(total: number, working: number, problems: number): string {
  const files = (n: number) => `${n} ${n === 1 ? "file" : "files"}`;
  const parts = [working > 0 ? `${files(working)} of ${total} in progress` : `${files(total)} finished`];
  if (problems > 0) parts.push(`${problems} need${problems === 1 ? "s" : ""} attention`);
  return `${parts.join(", ")}.`;
}
