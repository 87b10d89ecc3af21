import { useId, useState } from "react";
import { Alert, Box, Button, Collapse, Stack, Typography } from "@mui/material";
import { useSessionFacts } from "../../SessionFacts";
import { hasPermission } from "../../../data/admin";
import { useAgents, useKnowledgeBases } from "../../../data/hooks/agents";
import { useWhatsAppConnections } from "../../../data/hooks/whatsapp";
import { platformOrigin } from "../../../data/platform";
import { roleLabels, type Session } from "../../../data/session";
import { useStudio } from "../../../data/studio";
import { useMutation } from "../../../data/useMutation";
import {
  whatsAppSecretFields,
  type WhatsAppConnection,
  type WhatsAppConnectionInput,
  type WhatsAppConnectionPatch,
} from "../../../data/whatsapp";
import { CodeBlock } from "../../CodeBlock";
import { ConfirmDialog } from "../../ConfirmDialog";
import { PageLoading } from "../../PageLoading";
import { useShownOnce } from "../SecretRevealDialog";
import { SectionLoadError } from "../SectionLoadError";
import { useRemoteUpdate } from "../useRemoteUpdate";
import { ConnectWhatsAppDialog } from "./ConnectWhatsAppDialog";
import { whatsAppApiExample } from "./examples";
import { WhatsAppConnectionCard } from "./WhatsAppConnectionCard";
import { WhatsAppSetupDialog } from "./WhatsAppSetupDialog";

interface WhatsAppChannelCardProps {
  readonly session: Session;
  /** The agent the API example names. */
  readonly exampleAgentId: string;
}

/**
 * The WhatsApp Business card's body on the Channels page: admins and owners (`channels.manage`) connect and
 * manage numbers; everyone else reads what the channel does and who sets it up.
 */
export function WhatsAppChannelCard({ session, exampleAgentId }: WhatsAppChannelCardProps) {
  const mayManage = hasPermission(session.role, "channels.manage");
  return (
    <Stack spacing={2}>
      <Typography>
        Answer customers on WhatsApp with a published agent, with the sources as numbered lines. Each number
        is connected with its Meta credentials, which the platform keeps write-only and sealed.
      </Typography>
      {mayManage ? (
        <WhatsAppConnections exampleAgentId={exampleAgentId} />
      ) : (
        <Typography color="text.secondary">
          Admins and owners of this workspace connect numbers and choose the agent that answers on each. Your
          role is {roleLabels[session.role]}: ask one of them to connect a number.
        </Typography>
      )}
    </Stack>
  );
}

type Change = "connect" | "edit" | "disconnect";

/** The connected numbers, with connecting, editing and disconnecting. */
function WhatsAppConnections({ exampleAgentId }: { readonly exampleAgentId: string }) {
  const facts = useSessionFacts();
  const listId = useId();
  const apiId = useId();
  const studio = useStudio();
  const connections = useWhatsAppConnections();
  const agents = useAgents({ includeArchived: true });
  const knowledgeBases = useKnowledgeBases();
  const update = useRemoteUpdate(connections);
  const changes = useMutation<Change>();

  // A fresh form for each opening (its key), so it starts from the connection and holds no earlier secret.
  const [form, setForm] = useState<{ readonly key: number; readonly editing?: WhatsAppConnection }>({
    key: 0,
  });
  const [formOpen, setFormOpen] = useState(false);
  const connected = useShownOnce<WhatsAppConnection>();
  const [disconnecting, setDisconnecting] = useState<WhatsAppConnection | undefined>(undefined);
  const [disconnectOpen, setDisconnectOpen] = useState(false);
  const [apiShown, setApiShown] = useState(false);

  const openForm = (editing?: WhatsAppConnection) => {
    const action = editing ? "edit" : "connect";
    changes.dismiss(action);
    setForm((f) => ({ key: f.key + 1, ...(editing ? { editing } : {}) }));
    setFormOpen(true);
  };

  const connect = (input: WhatsAppConnectionInput) =>
    void changes.run("connect", async () => {
      const connection = await studio.createWhatsAppConnection(input);
      update((list) => [...list, connection]);
      setFormOpen(false);
      connected.show(connection);
    });

  const save = (connection: WhatsAppConnection, patch: WhatsAppConnectionPatch) =>
    void changes.run("edit", async () => {
      const saved = await studio.updateWhatsAppConnection(connection.id, patch);
      update((list) => list.map((c) => (c.id === saved.id ? saved : c)));
      setFormOpen(false);
      const rotated = whatsAppSecretFields.filter((f) => f in patch).length;
      return `${saved.label} was saved${rotated > 0 ? `, with ${rotated} new secret${rotated > 1 ? "s" : ""}` : ""}.`;
    });

  const disconnect = () => {
    if (!disconnecting) return;
    const connection = disconnecting;
    void changes.run("disconnect", async () => {
      await studio.deleteWhatsAppConnection(connection.id);
      update((list) => list.filter((c) => c.id !== connection.id));
      setDisconnectOpen(false);
      return `${connection.label} was disconnected: messages to it are no longer answered.`;
    });
  };

  const list = connections.data;
  const formAction = form.editing ? "edit" : "connect";
  // The platform operator may turn WhatsApp off for the workspace: numbers stay listed, nothing new connects.
  const turnedOff = facts.workspace?.features.whatsapp === false;

  return (
    <Stack spacing={2}>
      <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "center", gap: 1 }}>
        <Typography variant="subtitle1" component="h4" id={listId} sx={{ fontWeight: 600, flex: 1 }}>
          Connected numbers
        </Typography>
        {list && (
          <Button variant="contained" onClick={() => openForm()} disabled={turnedOff}>
            Connect a number
          </Button>
        )}
      </Box>
      {turnedOff && (
        <Alert severity="info">
          WhatsApp is turned off for this workspace by the platform operator: numbers cannot be connected or
          changed, and messages to them are not answered. Ask the operator to turn it back on.
        </Alert>
      )}
      {connections.error && !list && (
        <SectionLoadError
          error={connections.error}
          onRetry={connections.retry}
          retrying={connections.pending}
        />
      )}
      {!list && !connections.error && <PageLoading label="Loading WhatsApp numbers…" />}
      {list && list.length === 0 && (
        <Typography color="text.secondary">
          No number is connected yet. You need a Meta app with the WhatsApp product, a number in it, and a
          published agent.
        </Typography>
      )}
      {list && list.length > 0 && (
        <Stack component="ul" aria-labelledby={listId} spacing={1.5} sx={{ listStyle: "none", m: 0, p: 0 }}>
          {list.map((connection) => (
            <li key={connection.id}>
              <WhatsAppConnectionCard
                connection={connection}
                agents={agents.data}
                knowledgeBases={
                  knowledgeBases.data?.available ? knowledgeBases.data.knowledgeBases : undefined
                }
                onEdit={() => openForm(connection)}
                onDisconnect={() => {
                  setDisconnecting(connection);
                  changes.dismiss("disconnect");
                  setDisconnectOpen(true);
                }}
              />
            </li>
          ))}
        </Stack>
      )}
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>
      <Typography variant="body2" color="text.secondary">
        No Meta account? <code>npm run whatsapp:simulate</code> plays Meta&apos;s part against a local
        platform: connect a number with any ids and secrets, then follow the steps shown.
      </Typography>

      <Box>
        <Button
          size="small"
          aria-expanded={apiShown}
          aria-controls={apiId}
          onClick={() => setApiShown((shown) => !shown)}
        >
          {apiShown ? "Hide the API example" : "Use the API instead"}
        </Button>
        <Collapse in={apiShown} id={apiId}>
          <Stack spacing={1.5} sx={{ mt: 1 }}>
            <Typography variant="body2">
              The same connection over the API, with a key of an admin or owner. <code>PATCH</code> and{" "}
              <code>DELETE</code> on <code>/v1/whatsapp/connections/{"{id}"}</code> change and disconnect it.
            </Typography>
            <CodeBlock
              label="WhatsApp connection example"
              code={whatsAppApiExample(platformOrigin(), exampleAgentId)}
            />
          </Stack>
        </Collapse>
      </Box>

      <ConnectWhatsAppDialog
        key={form.key}
        open={formOpen}
        connection={form.editing}
        agents={agents}
        knowledgeBases={knowledgeBases}
        pending={changes.busy === formAction}
        error={changes.error(formAction)}
        onConnect={connect}
        onUpdate={save}
        onEdit={() => changes.dismiss(formAction)}
        onCancel={() => setFormOpen(false)}
      />
      <WhatsAppSetupDialog
        open={connected.open}
        connection={connected.subject}
        onClose={connected.close}
        onExited={connected.forget}
      />
      <ConfirmDialog
        open={disconnectOpen}
        title={`Disconnect ${disconnecting?.label ?? "this number"}?`}
        confirmLabel="Disconnect"
        destructive
        pending={changes.busy === "disconnect"}
        error={changes.error("disconnect")}
        errorTitle="Not disconnected"
        onConfirm={disconnect}
        onCancel={() => setDisconnectOpen(false)}
      >
        Messages to this number are no longer answered. Its secrets are deleted; conversations stay. To
        connect it again you need its access token, app secret and verify token.
      </ConfirmDialog>
    </Stack>
  );
}
