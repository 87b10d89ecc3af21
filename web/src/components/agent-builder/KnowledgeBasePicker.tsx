import { memo } from "react";
import { Alert, Autocomplete, Box, Button, TextField, Typography } from "@mui/material";
import { agentLimits } from "../../data/agents";
import type { KnowledgeBaseList, KnowledgeBaseSummary } from "../../data/knowledgeBases";
import type { PlatformRequestError } from "../../data/platform";

interface KnowledgeBasePickerProps {
  readonly value: readonly string[];
  readonly onChange: (ids: string[]) => void;
  /** The workspace's knowledge bases, once loaded. */
  readonly list: KnowledgeBaseList | undefined;
  readonly loading: boolean;
  readonly loadError: PlatformRequestError | undefined;
  readonly onRetry: () => void;
  readonly disabled: boolean;
  readonly error: string | undefined;
}

/**
 * Which knowledge bases the agent searches. When the platform cannot list them (an older version without
 * `GET /v1/knowledge-bases`), the attached ones stay, shown by id, and an id can be typed in.
 */
export const KnowledgeBasePicker = memo(function KnowledgeBasePicker({
  value,
  onChange,
  list,
  loading,
  loadError,
  onRetry,
  disabled,
  error,
}: KnowledgeBasePickerProps) {
  const known: readonly KnowledgeBaseSummary[] = list?.available ? list.knowledgeBases : [];
  const byId = new Map(known.map((kb) => [kb.id, kb]));
  const options = [...known.map((kb) => kb.id), ...value.filter((id) => !byId.has(id))];
  const unlisted = list !== undefined && !list.available;

  const helperText =
    error ??
    (unlisted
      ? "This platform cannot list knowledge bases yet: attached ones are shown by id; type an id and press Enter to add one."
      : `The agent searches these for every question (up to ${agentLimits.knowledgeBases}).`);

  return (
    <Box>
      <Autocomplete
        multiple
        freeSolo={unlisted}
        autoSelect={unlisted}
        disabled={disabled}
        options={options}
        value={[...value]}
        loading={loading && !list}
        loadingText="Loading knowledge bases…"
        noOptionsText="This workspace has no knowledge bases yet."
        filterSelectedOptions
        getOptionLabel={(id) => byId.get(id)?.name ?? id}
        onChange={(_event, ids) =>
          onChange([...new Set(ids.map((id) => id.trim()).filter((id) => id !== ""))])
        }
        renderOption={({ key, ...props }, id) => {
          const kb = byId.get(id);
          return (
            <li key={key} {...props}>
              <Box>
                <Typography>{kb?.name ?? id}</Typography>
                {kb && (
                  <Typography variant="body2" color="text.secondary">
                    {kb.documentCount === 1 ? "1 document" : `${kb.documentCount} documents`}
                  </Typography>
                )}
              </Box>
            </li>
          );
        }}
        slotProps={{ chip: { size: "small" } }}
        renderInput={(params) => (
          <TextField
            {...params}
            label="Knowledge bases"
            error={error !== undefined}
            helperText={helperText}
          />
        )}
      />
      {loadError && !list && (
        <Alert
          severity="warning"
          sx={{ mt: 1 }}
          action={
            <Button color="inherit" size="small" onClick={onRetry}>
              Retry
            </Button>
          }
        >
          Could not load the workspace&apos;s knowledge bases: {loadError.reason ?? loadError.message}
        </Alert>
      )}
    </Box>
  );
});
