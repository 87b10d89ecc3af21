import { Link as RouterLink } from "react-router";
import {
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { EndUserConversation } from "../../data/narrative";
import { RelativeTime } from "../RelativeTime";
import { channelLabel, formatCount, formatInstant } from "../shared/format";
import { conversationAddress, type AgentName } from "./describe";

/** An end user's conversations, each opening its transcript (where every answer's trace is). */
export function EndUserConversations({
  conversations,
  agentName,
}: {
  readonly conversations: readonly EndUserConversation[];
  readonly agentName: AgentName;
}) {
  if (conversations.length === 0) {
    return (
      <Typography color="text.secondary">No conversation of this end user is stored any more.</Typography>
    );
  }
  return (
    <TableContainer>
      <Table size="small" aria-label="Conversations of this end user">
        <TableHead>
          <TableRow>
            <TableCell>Started</TableCell>
            <TableCell>Agent</TableCell>
            <TableCell>Channel</TableCell>
            <TableCell align="right">Messages</TableCell>
            <TableCell sx={{ whiteSpace: "nowrap" }}>Last activity</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {conversations.map((conversation) => (
            <TableRow key={conversation.id} hover>
              <TableCell component="th" scope="row">
                <Link component={RouterLink} to={conversationAddress(conversation.id)}>
                  {formatInstant(conversation.createdAt)}
                </Link>
              </TableCell>
              <TableCell sx={{ overflowWrap: "anywhere" }}>{agentName(conversation.agentId)}</TableCell>
              <TableCell>{channelLabel(conversation.channel)}</TableCell>
              <TableCell align="right">{formatCount(conversation.messageCount)}</TableCell>
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
