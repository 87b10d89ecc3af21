import { useId, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { Alert, AlertTitle, Box, Button, Link, Paper, Typography } from "@mui/material";
import type { Agent } from "../../../data/agents";
import type { KnowledgeBaseSummary } from "../../../data/knowledgeBases";
import { platformOrigin } from "../../../data/platform";
import type { WhatsAppConnection } from "../../../data/whatsapp";
import { monospace } from "../../../theme";
import { RelativeTime } from "../../RelativeTime";
import { WebhookUrl } from "./WebhookUrl";

interface WhatsAppConnectionCardProps {
  readonly connection: WhatsAppConnection;
  readonly agents: readonly Agent[] | undefined;
  /** To name the knowledge base documents go to (by id until listed). */
  readonly knowledgeBases: readonly KnowledgeBaseSummary[] | undefined;
  readonly onEdit: () => void;
  readonly onDisconnect: () => void;
}

/**
 * One connected number: what Meta knows it by, the agent answering on it, where staff's documents go, its
 * webhook URL and its health.
 */
export function WhatsAppConnectionCard({
  connection,
  agents,
  knowledgeBases,
  onEdit,
  onDisconnect,
}: WhatsAppConnectionCardProps) {
  const headingId = useId();
  const agentName = agents?.find((a) => a.id === connection.agentId)?.name ?? connection.agentId;
  const { documents, lastError, template } = connection;
  return (
    <Paper component="article" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 2.5 } }}>
      <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1, mb: 1.5 }}>
        <Typography variant="subtitle1" component="h4" id={headingId} sx={{ fontWeight: 600, flex: 1 }}>
          {connection.label}
        </Typography>
        <Button size="small" onClick={onEdit} aria-label={`Edit ${connection.label}`}>
          Edit
        </Button>
        <Button
          size="small"
          color="error"
          onClick={onDisconnect}
          aria-label={`Disconnect ${connection.label}`}
        >
          Disconnect
        </Button>
      </Box>
      {lastError && (
        <Alert severity="error" sx={{ mb: 1.5 }}>
          <AlertTitle>
            Last error, <RelativeTime iso={lastError.at} />
          </AlertTitle>
          <Box component="code" sx={{ fontFamily: monospace }}>
            {lastError.code}
          </Box>
          : {lastError.message}
        </Alert>
      )}
      <Box
        component="dl"
        sx={{
          m: 0,
          display: "grid",
          gridTemplateColumns: { xs: "1fr", sm: "max-content 1fr" },
          columnGap: 2,
          rowGap: { xs: 0.25, sm: 0.75 },
          "& dd": { m: 0, mb: { xs: 1, sm: 0 }, minWidth: 0, overflowWrap: "anywhere" },
        }}
      >
        <Detail term="Phone number ID">
          <Box component="span" sx={{ fontFamily: monospace }}>
            {connection.phoneNumberId}
          </Box>
        </Detail>
        <Detail term="WhatsApp Business Account ID">
          <Box component="span" sx={{ fontFamily: monospace }}>
            {connection.wabaId}
          </Box>
        </Detail>
        <Detail term="Agent">
          <Link component={RouterLink} to={`/agents/${encodeURIComponent(connection.agentId)}`}>
            {agentName}
          </Link>
        </Detail>
        <Detail term="Template after 24 hours">
          {template ? (
            <>
              <Box component="span" sx={{ fontFamily: monospace }}>
                {template.name}
              </Box>{" "}
              ({template.language})
            </>
          ) : (
            <Typography component="span" color="text.secondary">
              None: late replies are not sent
            </Typography>
          )}
        </Detail>
        <Detail term="Webhook URL">
          <WebhookUrl
            url={`${platformOrigin()}${connection.webhookPath}`}
            label={`webhook URL of ${connection.label}`}
          />
        </Detail>
        <Detail term="Last activity">
          {connection.lastActivityAt ? (
            <RelativeTime iso={connection.lastActivityAt} />
          ) : (
            <Typography component="span" color="text.secondary">
              No message yet
            </Typography>
          )}
        </Detail>
      </Box>
      {documents && (
        <Typography sx={{ mt: 1.5 }}>
          Documents from {documents.senders.length === 1 ? "1 number" : `${documents.senders.length} numbers`}{" "}
          go to{" "}
          <Link component={RouterLink} to={`/knowledge/${encodeURIComponent(documents.knowledgeBaseId)}`}>
            {knowledgeBases?.find((kb) => kb.id === documents.knowledgeBaseId)?.name ??
              documents.knowledgeBaseId}
          </Link>
        </Typography>
      )}
    </Paper>
  );
}

function Detail({ term, children }: { readonly term: string; readonly children: ReactNode }) {
  return (
    <>
      <Typography component="dt" color="text.secondary">
        {term}
      </Typography>
      <Typography component="dd">{children}</Typography>
    </>
  );
}
