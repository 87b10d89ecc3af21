import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import { Box, Button, Chip, Link, Paper, Stack, TextField, Typography } from "@mui/material";
import {
  maxDriftNoteChars,
  type DriftAnswer,
  type DriftCause,
  type DriftFlag,
  type DriftReview,
  type DriftStatus,
} from "../../data/narrative";
import type { PlatformRequestError } from "../../data/platform";
import { warningDark } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";
import { formatInstant } from "../shared/format";
import { conversationAddress, type AgentName } from "./describe";

const statusChips: Readonly<
  Record<DriftStatus, { label: string; color: "warning" | "success" | "default" }>
> = {
  open: { label: "Open", color: "warning" },
  reviewed: { label: "Reviewed", color: "success" },
  dismissed: { label: "Dismissed", color: "default" },
};

const versionLabel = (version: number | null) => (version === null ? "draft" : `version ${version}`);

function Answer({ title, answer }: { readonly title: string; readonly answer: DriftAnswer }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="subtitle2" component="h4">
        {title}: agent {versionLabel(answer.agentVersion)},{" "}
        <time dateTime={answer.at}>{formatInstant(answer.at)}</time>
      </Typography>
      {answer.abstained && (
        <Chip size="small" color="warning" label="Abstained" sx={{ bgcolor: warningDark, my: 0.5 }} />
      )}
      <Typography sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{answer.answer}</Typography>
      {answer.conversationId && (
        <Link component={RouterLink} to={conversationAddress(answer.conversationId)} variant="body2">
          {title}: the conversation
        </Link>
      )}
      {answer.sources.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No source cited.
        </Typography>
      ) : (
        <Stack component="ul" spacing={0.5} aria-label={`${title}: sources`} sx={{ m: 0, mt: 0.5, pl: 2 }}>
          {answer.sources.map((source, index) => (
            <Typography
              component="li"
              variant="body2"
              color="text.secondary"
              key={`${source.docId}-${index}`}
              sx={{ overflowWrap: "anywhere" }}
            >
              {source.docName}
              {source.version !== null ? ` (version ${source.version})` : ""}: “{source.quote}”
            </Typography>
          ))}
        </Stack>
      )}
    </Box>
  );
}

/** A cause as a reviewer reads it: what changed, from which version to which. */
function causeLabel(cause: DriftCause): string {
  if (cause.type === "agent-version" && cause.agentVersion) {
    return `New agent version: ${versionLabel(cause.agentVersion.from)} → ${versionLabel(cause.agentVersion.to)}`;
  }
  if (cause.type === "knowledge" && cause.document) {
    const { docName, fromVersion, toVersion } = cause.document;
    const from = fromVersion === null ? "none" : `version ${fromVersion}`;
    const to = toVersion === null ? "deleted" : `version ${toVersion}`;
    return `Knowledge changed: ${docName}, ${from} → ${to}`;
  }
  return cause.type;
}

interface DriftFlagCardProps {
  readonly flag: DriftFlag;
  readonly agentName: AgentName;
  readonly canReview: boolean;
  /** This flag's review is on its way. */
  readonly busy: boolean;
  /** Why this flag's last review failed. */
  readonly error: PlatformRequestError | undefined;
  readonly onReview: (flag: DriftFlag, review: DriftReview) => void;
}

/**
 * One answer that changed: the question, the answer before and after (each with its sources and the agent's
 * version), what caused the change, and what differs; a reviewer marks it reviewed or dismisses it, with a note.
 */
export function DriftFlagCard({ flag, agentName, canReview, busy, error, onReview }: DriftFlagCardProps) {
  const [note, setNote] = useState("");
  // A note belongs to one review: once the flag's status changes, the field starts empty again.
  const [noteStatus, setNoteStatus] = useState(flag.status);
  if (noteStatus !== flag.status) {
    setNoteStatus(flag.status);
    setNote("");
  }
  const headingId = useId();
  const status = statusChips[flag.status];
  return (
    <Paper component="article" variant="outlined" aria-labelledby={headingId} sx={{ p: 2 }}>
      <Stack spacing={1.5}>
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
          <Chip
            size="small"
            color={status.color}
            label={status.label}
            sx={flag.status === "open" ? { bgcolor: warningDark } : undefined}
          />
          <Typography variant="body2" color="text.secondary">
            {agentName(flag.agentId)} · flagged{" "}
            <time dateTime={flag.createdAt}>{formatInstant(flag.createdAt)}</time>
          </Typography>
        </Box>
        <Typography variant="h3" id={headingId} sx={{ overflowWrap: "anywhere" }}>
          {flag.question}
        </Typography>
        <Box
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
          }}
        >
          <Answer title="Before" answer={flag.before} />
          <Answer title="After" answer={flag.after} />
        </Box>
        <Box>
          <Typography variant="subtitle2" component="h4">
            What differs
          </Typography>
          <Typography variant="body2" sx={{ overflowWrap: "anywhere" }}>
            {flag.difference}
          </Typography>
        </Box>
        <Box>
          <Typography variant="subtitle2" component="h4">
            {flag.causes.length === 1 ? "Cause" : "Causes"}
          </Typography>
          {flag.causes.length === 0 ? (
            <Typography variant="body2" color="text.secondary">
              Neither the agent&apos;s version nor its knowledge changed between the two answers: the model
              answered differently on its own.
            </Typography>
          ) : (
            <Stack component="ul" spacing={0.5} aria-label="Causes" sx={{ m: 0, pl: 2 }}>
              {flag.causes.map((cause, index) => (
                <Typography component="li" variant="body2" key={index} sx={{ overflowWrap: "anywhere" }}>
                  <strong>{causeLabel(cause)}</strong>
                  {cause.description ? `: ${cause.description}` : ""}
                </Typography>
              ))}
            </Stack>
          )}
        </Box>
        {flag.status !== "open" && (
          <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
            {status.label}
            {flag.reviewedBy ? ` by ${flag.reviewedBy}` : ""}
            {flag.reviewedAt ? ` on ${formatInstant(flag.reviewedAt)}` : ""}
            {flag.note ? `: “${flag.note}”` : "."}
          </Typography>
        )}
        {error && <FormErrorAlert title="The flag was not changed" error={error} />}
        {canReview &&
          (flag.status === "open" ? (
            <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "flex-start" }}>
              <TextField
                label="Note (optional)"
                value={note}
                onChange={(event) => setNote(event.target.value)}
                size="small"
                sx={{ flex: "1 1 260px" }}
                slotProps={{ htmlInput: { maxLength: maxDriftNoteChars } }}
              />
              <Button variant="contained" onClick={() => onReview(flag, { status: "reviewed", note })}>
                {busy ? "Saving…" : "Mark reviewed"}
              </Button>
              <Button onClick={() => onReview(flag, { status: "dismissed", note })}>Dismiss</Button>
            </Box>
          ) : (
            <Box>
              <Button size="small" onClick={() => onReview(flag, { status: "open" })}>
                {busy ? "Saving…" : "Reopen"}
              </Button>
            </Box>
          ))}
      </Stack>
    </Paper>
  );
}
