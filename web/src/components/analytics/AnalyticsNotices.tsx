import { useId } from "react";
import { Link as RouterLink } from "react-router";
import { Alert, AlertTitle, Button, Paper, Typography } from "@mui/material";
import type { PlatformRequestError } from "../../data/platform";
import { formatInstant } from "../shared/format";

/** A range without a single turn: what would put figures here, and where to start. */
export function NoActivity({
  days,
  agent,
}: {
  readonly days: number;
  /** The agent the figures are filtered on, if any. */
  readonly agent: { readonly id: string; readonly name: string | undefined } | undefined;
}) {
  const headingId = useId();
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        No conversations in the last {days} days
      </Typography>
      <Typography color="text.secondary" sx={{ maxWidth: 560, mx: "auto", mb: 3 }}>
        {agent
          ? `${agent.name ?? "This agent"} answered no messages in this range. `
          : "None of this workspace's agents answered a message in this range. "}
        Every message counts here, from the playground, the API and every channel: ask a question, then come
        back.
      </Typography>
      {agent ? (
        <Button
          component={RouterLink}
          to={`/agents/${encodeURIComponent(agent.id)}/playground`}
          variant="contained"
        >
          Open the playground
        </Button>
      ) : (
        <Button component={RouterLink} to="/agents" variant="contained">
          Go to agents
        </Button>
      )}
    </Paper>
  );
}

/**
 * The figures count every message (they come from the usage rollups); the knowledge gaps are read from the
 * range's newest abstentions only, when there were more than one report reads: said plainly, with what to do.
 */
export function TruncatedNotice({ countedFrom }: { readonly countedFrom: string | null }) {
  return (
    <Alert severity="info">
      <AlertTitle>Knowledge gaps from part of this range</AlertTitle>
      {countedFrom
        ? `This range holds more unanswered questions than one report reads, so the knowledge gaps come from those asked from ${formatInstant(countedFrom)} on.`
        : "This range holds more unanswered questions than one report reads, so the knowledge gaps come from the newest."}{" "}
      The figures count every message. Choose a shorter range, or one agent, to see every gap.
    </Alert>
  );
}

/** The platform refused: analytics show end users' questions, so they need the editor role. */
export function NoAccessNotice({ error }: { readonly error: PlatformRequestError }) {
  return (
    <Alert severity="info">
      <AlertTitle>Analytics are for editors, admins and owners</AlertTitle>
      They are drawn from your end users&apos; conversations, so your role in this workspace does not include
      them{error.reason ? ` (the platform says: ${error.reason})` : ""}. Ask an admin of the workspace for the
      editor role.
    </Alert>
  );
}

/** The agent in the address does not exist (any more). */
export function AgentNotFoundNotice({
  agentId,
  onShowAll,
}: {
  readonly agentId: string;
  readonly onShowAll: () => void;
}) {
  return (
    <Alert severity="warning">
      <AlertTitle>This agent does not exist</AlertTitle>
      <Typography variant="body2">
        The workspace has no agent with the id {agentId}; it may have been removed.
      </Typography>
      <Button onClick={onShowAll} variant="outlined" color="inherit" size="small" sx={{ mt: 1.5 }}>
        Show all agents
      </Button>
    </Alert>
  );
}
