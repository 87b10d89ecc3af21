import { Link as RouterLink } from "react-router";
import { Box, Button, Chip, Link, Paper, Stack, Typography } from "@mui/material";
import type { ConsistencyFlag, ConsistencyFlagStatus, StatementSource } from "../../data/narrative";
import { warningDark } from "../../theme";
import { formatInstant } from "../shared/format";
import { conversationAddress, type AgentName } from "./describe";

interface ConsistencyFlagsProps {
  readonly flags: readonly ConsistencyFlag[];
  readonly agentName: AgentName;
  readonly canReview: boolean;
  /** The flag whose review is on its way. */
  readonly reviewing: string | undefined;
  readonly onReview: (flag: ConsistencyFlag, status: ConsistencyFlagStatus) => void;
}

function Sources({ sources }: { readonly sources: readonly StatementSource[] }) {
  if (sources.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        No source recorded.
      </Typography>
    );
  }
  return (
    <Stack component="ul" spacing={0.5} sx={{ m: 0, pl: 2 }}>
      {sources.map((source, index) => (
        <Typography component="li" variant="body2" color="text.secondary" key={`${source.docId}-${index}`}>
          {source.docName}: “{source.quote}”
        </Typography>
      ))}
    </Stack>
  );
}

/**
 * Where an answer contradicted what the agent told the same end user before: the earlier claim and the new
 * one, each with its sources, and why they disagree. The answer already followed the current evidence and
 * told the end user; a reviewer marks the flag once they have looked (to fix the knowledge, or not).
 */
export function ConsistencyFlags({
  flags,
  agentName,
  canReview,
  reviewing,
  onReview,
}: ConsistencyFlagsProps) {
  if (flags.length === 0) {
    return (
      <Typography color="text.secondary">
        No contradiction found: what the agents told this end user has stayed consistent.
      </Typography>
    );
  }
  return (
    <Stack spacing={2}>
      {flags.map((flag) => (
        <Paper
          key={flag.id}
          variant="outlined"
          component="article"
          aria-label={`Contradiction: ${flag.reason}`}
          sx={{ p: 2 }}
        >
          <Stack spacing={1.5}>
            <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
              {flag.status === "open" ? (
                <Chip size="small" color="warning" label="Open" sx={{ bgcolor: warningDark }} />
              ) : (
                <Chip size="small" color="success" label="Reviewed" />
              )}
              <Typography variant="body2" color="text.secondary">
                {agentName(flag.agentId)} ·{" "}
                <time dateTime={flag.createdAt}>{formatInstant(flag.createdAt)}</time> ·{" "}
                <Link component={RouterLink} to={conversationAddress(flag.conversationId)}>
                  Open the conversation
                </Link>
              </Typography>
            </Box>
            <Box
              sx={{
                display: "grid",
                gap: 2,
                gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
              }}
            >
              <Box>
                <Typography variant="subtitle2" component="h3">
                  Earlier, <time dateTime={flag.earlier.at}>{formatInstant(flag.earlier.at)}</time>
                </Typography>
                <Typography sx={{ overflowWrap: "anywhere" }}>“{flag.earlier.claim}”</Typography>
                <Sources sources={flag.earlier.sources} />
                <Link
                  component={RouterLink}
                  to={conversationAddress(flag.earlier.conversationId)}
                  variant="body2"
                >
                  Its conversation
                </Link>
              </Box>
              <Box>
                <Typography variant="subtitle2" component="h3">
                  Now
                </Typography>
                <Typography sx={{ overflowWrap: "anywhere" }}>“{flag.now.claim}”</Typography>
                <Sources sources={flag.now.sources} />
              </Box>
            </Box>
            <Typography variant="body2" sx={{ overflowWrap: "anywhere" }}>
              <strong>Why they disagree:</strong> {flag.reason}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              The answer followed the current evidence and told the end user about the change.
            </Typography>
            {flag.status === "reviewed" && (
              <Typography variant="body2" color="text.secondary">
                Reviewed
                {flag.reviewedBy ? ` by ${flag.reviewedBy}` : ""}
                {flag.reviewedAt ? ` on ${formatInstant(flag.reviewedAt)}` : ""}.
              </Typography>
            )}
            {canReview && (
              <Box>
                <Button
                  size="small"
                  variant={flag.status === "open" ? "contained" : "text"}
                  onClick={() => onReview(flag, flag.status === "open" ? "reviewed" : "open")}
                >
                  {reviewing === flag.id ? "Saving…" : flag.status === "open" ? "Mark reviewed" : "Reopen"}
                </Button>
              </Box>
            )}
          </Stack>
        </Paper>
      ))}
    </Stack>
  );
}
