import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { Box, Link, Typography } from "@mui/material";
import type { ConversationSummary } from "../../data/history";
import { RelativeTime } from "../RelativeTime";
import { channelLabel, conversationVersionLabel, endUserLabel, formatInstant } from "./describe";

interface ConversationDetailsProps {
  readonly conversation: ConversationSummary;
  /** The agent's name, once known (its id until then, or when it cannot be read). */
  readonly agentName: string | undefined;
  /** The end user's page (what agents remember about them), when they have one. */
  readonly endUserAddress?: string | undefined;
}

function Fact({ term, children }: { readonly term: string; readonly children: ReactNode }) {
  return (
    <>
      <Typography component="dt" color="text.secondary">
        {term}
      </Typography>
      <Typography component="dd" sx={{ m: 0, overflowWrap: "anywhere" }}>
        {children}
      </Typography>
    </>
  );
}

/** Who talked to which agent, where and when. */
export function ConversationDetails({ conversation, agentName, endUserAddress }: ConversationDetailsProps) {
  return (
    <Box
      component="dl"
      sx={{
        m: 0,
        display: "grid",
        gridTemplateColumns: "max-content minmax(0, 1fr)",
        columnGap: 3,
        rowGap: 1,
      }}
    >
      <Fact term="Agent">
        <Link component={RouterLink} to={`/agents/${encodeURIComponent(conversation.agentId)}`}>
          {agentName ?? conversation.agentId}
        </Link>
      </Fact>
      <Fact term="Version">{conversationVersionLabel(conversation.agentVersion)}</Fact>
      <Fact term="Channel">{channelLabel(conversation.channel)}</Fact>
      <Fact term="End user">
        {endUserAddress ? (
          <Link component={RouterLink} to={endUserAddress}>
            {endUserLabel(conversation.endUserRef)}
          </Link>
        ) : (
          endUserLabel(conversation.endUserRef)
        )}
      </Fact>
      <Fact term="Started">
        <time dateTime={conversation.createdAt}>{formatInstant(conversation.createdAt)}</time>
      </Fact>
      <Fact term="Last activity">
        <RelativeTime iso={conversation.updatedAt} />
      </Fact>
      <Fact term="Messages">{conversation.messageCount}</Fact>
    </Box>
  );
}
