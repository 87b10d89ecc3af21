import { Link as RouterLink } from "react-router";
import {
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { Agent } from "../../data/agents";
import type { ConversationSummary } from "../../data/history";
import { RelativeTime } from "../RelativeTime";
import { channelLabel, conversationVersionShort, endUserLabel, formatInstant } from "./describe";

/** Where a row leads; `search` brings the reader back to the same filtered list. */
export interface ConversationLinkState {
  readonly listSearch: string;
}

interface ConversationTableProps {
  readonly conversations: readonly ConversationSummary[];
  /** The workspace's agents, to name each conversation's agent (ids until they load). */
  readonly agents: readonly Agent[] | undefined;
  /** The list's query string, so the conversation page can link back to this very view. */
  readonly listSearch: string;
}

const narrowHidden = { display: { xs: "none", sm: "table-cell" } } as const;

/** Conversations, most recent activity first; each row opens the conversation. */
export function ConversationTable({ conversations, agents, listSearch }: ConversationTableProps) {
  const agentNames = new Map(agents?.map((agent) => [agent.id, agent.name]));
  const state: ConversationLinkState = { listSearch };
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Conversations">
        <TableHead>
          <TableRow>
            <TableCell>Conversation</TableCell>
            <TableCell sx={narrowHidden}>Agent</TableCell>
            <TableCell sx={narrowHidden}>Channel</TableCell>
            <TableCell sx={narrowHidden} align="right">
              Messages
            </TableCell>
            <TableCell sx={{ whiteSpace: "nowrap" }}>Last activity</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {conversations.map((conversation) => (
            <TableRow key={conversation.id} hover>
              <TableCell sx={{ maxWidth: 320 }}>
                <Link
                  component={RouterLink}
                  to={`/conversations/${encodeURIComponent(conversation.id)}`}
                  state={state}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {endUserLabel(conversation.endUserRef)}
                </Link>
                {/* Phones have no agent or channel column. */}
                <Typography variant="body2" sx={{ display: { sm: "none" }, overflowWrap: "anywhere" }}>
                  {agentNames.get(conversation.agentId) ?? conversation.agentId} ·{" "}
                  {channelLabel(conversation.channel)}
                </Typography>
                <Typography variant="body2" color="text.secondary">
                  Started{" "}
                  <time dateTime={conversation.createdAt}>{formatInstant(conversation.createdAt)}</time>
                </Typography>
              </TableCell>
              <TableCell sx={{ ...narrowHidden, overflowWrap: "anywhere" }}>
                {agentNames.get(conversation.agentId) ?? conversation.agentId}
                <Typography variant="body2" color="text.secondary">
                  {conversationVersionShort(conversation.agentVersion)}
                </Typography>
              </TableCell>
              <TableCell sx={narrowHidden}>{channelLabel(conversation.channel)}</TableCell>
              <TableCell sx={narrowHidden} align="right">
                {conversation.messageCount}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={conversation.updatedAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
