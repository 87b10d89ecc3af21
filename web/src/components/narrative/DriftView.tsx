import { useState } from "react";
import { Alert, Box, Button, MenuItem, Paper, Stack, TextField, Typography } from "@mui/material";
import type { Agent } from "../../data/agents";
import { useDriftFlags } from "../../data/hooks/narrative";
import {
  driftStatuses,
  isDriftStatus,
  type DriftFlag,
  type DriftReview,
  type DriftStatus,
} from "../../data/narrative";
import { asRequestError, type PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";
import type { RemoteData } from "../../data/useRemoteData";
import { AgentFilterSelect } from "../AgentFilterSelect";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { DriftFlagCard } from "./DriftFlagCard";

/** The select's value for every status. */
const anyStatus = "all";
const statusLabels: Readonly<Record<DriftStatus, string>> = {
  open: "Open",
  reviewed: "Reviewed",
  dismissed: "Dismissed",
};

interface DriftViewProps {
  readonly agentId: string | undefined;
  /** undefined lists every status. */
  readonly status: DriftStatus | undefined;
  readonly onAgentChange: (agentId: string | undefined) => void;
  readonly onStatusChange: (status: DriftStatus | undefined) => void;
  readonly agents: RemoteData<Agent[]>;
  /** Editors review flags; others read them. */
  readonly canReview: boolean;
}

/**
 * Drift ("story loss"): questions asked again and again whose answer changed after a new agent version or a
 * knowledge update, newest first, each for a reviewer to confirm (reviewed) or set aside (dismissed).
 */
export function DriftView({
  agentId,
  status,
  onAgentChange,
  onStatusChange,
  agents,
  canReview,
}: DriftViewProps) {
  const source = useStudio();
  const list = useDriftFlags({ agentId, status });
  const [busy, setBusy] = useState<string>();
  const [errors, setErrors] = useState<Readonly<Record<string, PlatformRequestError>>>({});
  const [announcement, setAnnouncement] = useState("");
  const agentName = (id: string) => agents.data?.find((agent) => agent.id === id)?.name ?? id;

  const review = (flag: DriftFlag, review: DriftReview) => {
    if (busy !== undefined) return;
    setBusy(flag.id);
    setErrors(({ [flag.id]: _gone, ...rest }) => rest);
    source.reviewDriftFlag(flag.id, review).then(
      (next) => {
        // Shown where it was, with its new status, until the list is asked again.
        list.update((item) => item.id === flag.id, next);
        setAnnouncement(
          next.status === "open"
            ? `“${flag.question}” is open again.`
            : `“${flag.question}” is marked ${statusLabels[next.status].toLowerCase()}.`,
        );
        setBusy(undefined);
      },
      (error: unknown) => {
        setErrors((e) => ({ ...e, [flag.id]: asRequestError(error) }));
        setBusy(undefined);
      },
    );
  };

  const { first, items } = list;
  const filtered = agentId !== undefined || status !== undefined;
  return (
    <Stack spacing={3}>
      <Box>
        <Typography variant="h2" gutterBottom>
          Drift
        </Typography>
        <Typography color="text.secondary">
          Questions your agents are asked again and again, whose answer changed after a new agent version or a
          knowledge update: each with both answers, their sources, and what changed. Review that the new
          answer is right, or dismiss the flag.
        </Typography>
      </Box>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
        <AgentFilterSelect
          agentId={agentId}
          onChange={onAgentChange}
          agents={agents}
          sx={{ minWidth: 240 }}
        />
        <TextField
          select
          size="small"
          label="Status"
          value={status ?? anyStatus}
          onChange={(event) =>
            onStatusChange(isDriftStatus(event.target.value) ? event.target.value : undefined)
          }
          sx={{ minWidth: 180 }}
        >
          {driftStatuses.map((s) => (
            <MenuItem key={s} value={s}>
              {statusLabels[s]}
            </MenuItem>
          ))}
          <MenuItem value={anyStatus}>Any status</MenuItem>
        </TextField>
      </Box>
      <Typography role="status" variant="body2" sx={{ minHeight: "1.5em" }}>
        {announcement}
      </Typography>
      {!items ? (
        first.error ? (
          <RequestErrorAlert error={first.error} onRetry={first.retry} retrying={first.pending} />
        ) : (
          <PageLoading label="Loading drift flags…" />
        )
      ) : items.length === 0 ? (
        <Paper sx={{ p: { xs: 3, sm: 4 }, textAlign: "center" }}>
          <Typography variant="h3" component="p" gutterBottom>
            {status === "open" ? "No open drift flags" : "No drift flags"}
          </Typography>
          <Typography color="text.secondary" sx={{ maxWidth: 560, mx: "auto" }}>
            {filtered
              ? "Nothing matches these filters. Try another agent or status."
              : "When the answer to a frequently asked question changes, it shows here for review."}
          </Typography>
        </Paper>
      ) : (
        <Stack spacing={2}>
          {first.error && (
            <RequestErrorAlert
              error={first.error}
              onRetry={first.retry}
              retrying={first.pending}
              staleSince={first.updatedAt}
            />
          )}
          {items.map((flag) => (
            <DriftFlagCard
              key={flag.id}
              flag={flag}
              agentName={agentName}
              canReview={canReview}
              busy={busy === flag.id}
              error={errors[flag.id]}
              onReview={review}
            />
          ))}
          {list.loadMoreError && (
            <Alert severity="error">
              More drift flags could not be loaded. {list.loadMoreError.reason ?? list.loadMoreError.message}
            </Alert>
          )}
          {list.hasMore && (
            <Box>
              <Button variant="outlined" onClick={list.loadMore}>
                {list.loadingMore ? "Loading more…" : list.loadMoreError ? "Try again" : "Load more"}
              </Button>
            </Box>
          )}
        </Stack>
      )}
    </Stack>
  );
}
