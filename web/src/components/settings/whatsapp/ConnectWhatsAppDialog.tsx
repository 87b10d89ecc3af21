import { useId, useState, type FormEvent, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormHelperText,
  Link,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import type { Agent } from "../../../data/agents";
import { standardEnvironments } from "../../../data/environments";
import { useEnvironments } from "../../../data/hooks/environments";
import type { KnowledgeBaseList } from "../../../data/knowledgeBases";
import type { PlatformRequestError } from "../../../data/platform";
import type { RemoteData } from "../../../data/useRemoteData";
import {
  emptyWhatsAppDraft,
  whatsAppDraftFieldOf,
  whatsAppDraftOf,
  whatsAppDraftProblems,
  whatsAppInputOf,
  whatsAppLimits,
  whatsAppPatchOf,
  type WhatsAppConnection,
  type WhatsAppConnectionDraft,
  type WhatsAppConnectionInput,
  type WhatsAppConnectionPatch,
  type WhatsAppDraftField,
  type WhatsAppDraftProblems,
} from "../../../data/whatsapp";
import { monospace } from "../../../theme";
import { FormErrorAlert } from "../../FormErrorAlert";
import { asSentence } from "../SectionLoadError";

interface ConnectWhatsAppDialogProps {
  readonly open: boolean;
  /** The connection to edit; without one, the dialog connects a new number. */
  readonly connection?: WhatsAppConnection | undefined;
  readonly agents: RemoteData<Agent[]>;
  /** Where documents staff send may go. */
  readonly knowledgeBases: RemoteData<KnowledgeBaseList>;
  readonly pending: boolean;
  /** Why the platform refused the last attempt. */
  readonly error: PlatformRequestError | undefined;
  readonly onConnect: (input: WhatsAppConnectionInput) => void;
  readonly onUpdate: (connection: WhatsAppConnection, patch: WhatsAppConnectionPatch) => void;
  /** A field changed: an earlier refusal no longer describes the form. */
  readonly onEdit: () => void;
  readonly onCancel: () => void;
}

/** In the order of the form, to focus the first field with a problem. */
const fieldOrder: readonly WhatsAppDraftField[] = [
  "label",
  "phoneNumberId",
  "wabaId",
  "agentId",
  "accessToken",
  "appSecret",
  "verifyToken",
  "templateName",
  "templateLanguage",
  "documentsKnowledgeBaseId",
  "documentsSenders",
];

/**
 * Connects a WhatsApp number to a published agent, or edits one: its label, agent, template and where staff's
 * documents go, and rotates its secrets. Secrets are password fields, sent once and never shown again (an
 * edit leaves empty ones as they are). The parent mounts it afresh (`key`) for each opening, so a form starts
 * from the connection.
 */
export function ConnectWhatsAppDialog({
  open,
  connection,
  agents,
  knowledgeBases,
  pending,
  error,
  onConnect,
  onUpdate,
  onEdit,
  onCancel,
}: ConnectWhatsAppDialogProps) {
  const titleId = useId();
  const formId = useId();
  const mode = connection ? "edit" : "connect";
  const [draft, setDraft] = useState<WhatsAppConnectionDraft>(() =>
    connection ? whatsAppDraftOf(connection) : emptyWhatsAppDraft,
  );
  const [problems, setProblems] = useState<WhatsAppDraftProblems>({});
  const refusal = describeRefusal(error);
  const environments = useEnvironments().data ?? standardEnvironments;
  const fieldId = (name: WhatsAppDraftField) => `${formId}-${name}`;

  const change = (name: WhatsAppDraftField, value: string) => {
    setDraft((d) => ({ ...d, [name]: value }));
    setProblems(({ [name]: _fixed, ...rest }) => rest);
    onEdit();
  };

  const toggleDocuments = (on: boolean) => {
    setDraft((d) => ({ ...d, documentsOn: on }));
    setProblems(({ documentsKnowledgeBaseId: _kb, documentsSenders: _senders, ...rest }) => rest);
    onEdit();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const found = whatsAppDraftProblems(draft, mode);
    setProblems(found);
    const first = fieldOrder.find((name) => found[name] !== undefined);
    if (first) {
      document.getElementById(fieldId(first))?.focus();
      return;
    }
    if (connection) onUpdate(connection, whatsAppPatchOf(draft, connection));
    else onConnect(whatsAppInputOf(draft));
  };

  const problem = (name: WhatsAppDraftField) => problems[name] ?? refusal.fields[name];
  const field = (
    name: WhatsAppDraftField,
    label: string,
    help: ReactNode,
    options: { readonly secret?: boolean; readonly numeric?: boolean; readonly maxLength?: number } = {},
  ) => (
    <TextField
      id={fieldId(name)}
      label={label}
      value={draft[name]}
      onChange={(event) => change(name, event.target.value)}
      error={problem(name) !== undefined}
      helperText={problem(name) ?? help}
      fullWidth
      {...(options.secret ? { type: "password", autoComplete: "new-password" } : { autoComplete: "off" })}
      slotProps={{
        htmlInput: {
          spellCheck: false,
          ...(options.numeric ? { inputMode: "numeric" } : {}),
          ...(options.maxLength ? { maxLength: options.maxLength } : {}),
        },
      }}
    />
  );
  const keepIfEmpty = mode === "edit" ? " Leave it empty to keep the current one." : "";

  return (
    <Dialog
      open={open}
      // A click beside a long form must not lose what was typed: Cancel or Escape close it.
      onClose={(_event, reason) => {
        if (reason !== "backdropClick") onCancel();
      }}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{
        transition: {
          // The secrets typed are forgotten as soon as the dialog is gone.
          onExited: () => setDraft(emptyWhatsAppDraft),
        },
      }}
    >
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>
          {connection ? `Edit ${connection.label}` : "Connect a WhatsApp number"}
        </DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              {connection
                ? "Change which agent answers on this number, its label or its template, or rotate its secrets."
                : "The ids and the access token are on your Meta app's WhatsApp > API Setup page, the app secret under App settings > Basic; the verify token is one you choose."}
            </Typography>
            {field(
              "label",
              "Label",
              `How you recognise this number here, such as Support line.${connection ? "" : " Without one: WhatsApp number."}`,
              {
                maxLength: whatsAppLimits.label,
              },
            )}
            {connection ? (
              <Typography variant="body2" color="text.secondary">
                Phone number ID{" "}
                <Box component="span" sx={{ fontFamily: monospace }}>
                  {connection.phoneNumberId}
                </Box>
                , WhatsApp Business Account ID{" "}
                <Box component="span" sx={{ fontFamily: monospace }}>
                  {connection.wabaId}
                </Box>
                : a connection&apos;s number cannot change. To answer on another number, connect it.
              </Typography>
            ) : (
              <>
                {field(
                  "phoneNumberId",
                  "Phone number ID",
                  "The number's id in Meta (digits), not the phone number itself.",
                  { numeric: true },
                )}
                {field(
                  "wabaId",
                  "WhatsApp Business Account ID",
                  "The account the number belongs to (digits).",
                  { numeric: true },
                )}
              </>
            )}
            <AgentSelect
              id={fieldId("agentId")}
              value={draft.agentId}
              agents={agents}
              current={connection?.agentId}
              problem={problem("agentId")}
              onChange={(agentId) => change("agentId", agentId)}
            />
            <TextField
              select
              id={fieldId("environment")}
              label="Environment"
              value={draft.environment}
              onChange={(event) => change("environment", event.target.value)}
              error={problem("environment") !== undefined}
              helperText={
                problem("environment") ??
                "The number answers with the agent's version serving in this environment."
              }
              slotProps={{ select: { native: true } }}
              fullWidth
            >
              {environments.map((e) => (
                <option key={e.name} value={e.name}>
                  {e.label}
                </option>
              ))}
            </TextField>

            <Alert severity="info" role="note">
              {connection
                ? "The secrets are write-only: the platform keeps them sealed and never shows them, not even here. Type one again only to replace it."
                : "The three secrets are write-only: once saved, the platform keeps them sealed and never shows them again, not even here. Keep them where you manage Meta's credentials."}
            </Alert>
            {field(
              "accessToken",
              "Access token",
              `A permanent token of a Meta system user with the whatsapp_business_messaging permission.${keepIfEmpty}`,
              { secret: true },
            )}
            {field(
              "appSecret",
              "App secret",
              `Your Meta app's secret (App settings > Basic): each delivery's signature is checked with it.${keepIfEmpty}`,
              { secret: true },
            )}
            {field(
              "verifyToken",
              "Verify token",
              `A token you choose, at least ${whatsAppLimits.minSecret} characters: you enter the same one in Meta's webhook settings.${keepIfEmpty}`,
              { secret: true },
            )}

            <Box>
              <Typography variant="subtitle2" component="h3">
                Replies after 24 hours (optional)
              </Typography>
              <Typography variant="body2" color="text.secondary">
                WhatsApp lets a business send only an approved template more than 24 hours after the
                customer&apos;s last message. With one here, such a late reply is sent as this template;
                without, it is not sent and shows as the number&apos;s last error.
              </Typography>
            </Box>
            <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
              {field("templateName", "Template name", "As named in Meta, such as follow_up.")}
              {field("templateLanguage", "Template language", "Such as en or en_US.")}
            </Stack>

            <DocumentsSettings
              on={draft.documentsOn}
              wasOn={connection ? connection.documents !== null : false}
              onToggle={toggleDocuments}
              knowledgeBase={
                <KnowledgeBaseSelect
                  id={fieldId("documentsKnowledgeBaseId")}
                  value={draft.documentsKnowledgeBaseId}
                  knowledgeBases={knowledgeBases}
                  current={connection?.documents?.knowledgeBaseId}
                  problem={problem("documentsKnowledgeBaseId")}
                  onChange={(kbId) => change("documentsKnowledgeBaseId", kbId)}
                />
              }
              senders={
                <TextField
                  id={fieldId("documentsSenders")}
                  label="Numbers allowed to add documents"
                  value={draft.documentsSenders}
                  onChange={(event) => change("documentsSenders", event.target.value)}
                  error={problem("documentsSenders") !== undefined}
                  helperText={
                    problem("documentsSenders") ??
                    `One WhatsApp number per line, country code first, such as +31 6 1234 5678 (up to ${whatsAppLimits.senders}).`
                  }
                  multiline
                  minRows={3}
                  fullWidth
                  autoComplete="off"
                  slotProps={{ htmlInput: { spellCheck: false, inputMode: "tel" } }}
                />
              }
            />

            {refusal.agent && (
              <AgentRefusalAlert
                reason={refusal.agent}
                agentId={draft.agentId}
                agentName={agents.data?.find((a) => a.id === draft.agentId)?.name}
              />
            )}
            {error && refusal.general && (
              <FormErrorAlert
                title={connection ? "Nothing was saved" : "The number was not connected"}
                error={error}
              />
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending
              ? connection
                ? "Saving…"
                : "Connecting…"
              : connection
                ? "Save changes"
                : "Connect number"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

interface Refusal {
  /** Problems the platform named, under the fields they are about. */
  readonly fields: WhatsAppDraftProblems;
  /** The platform's sentence when the agent cannot answer on WhatsApp. */
  readonly agent: string | undefined;
  /** Shown above the buttons: nothing more precise says it. */
  readonly general: boolean;
}

/** Where each of the platform's refusals shows: under a field, as the agent's problem, or above the buttons. */
function describeRefusal(error: PlatformRequestError | undefined): Refusal {
  if (!error) return { fields: {}, agent: undefined, general: false };
  if (error.code === "failed-precondition" && error.reason) {
    return { fields: {}, agent: error.reason, general: false };
  }
  if (error.code === "not-found" && error.reason && /^knowledge base /i.test(error.reason)) {
    return {
      fields: {
        documentsKnowledgeBaseId: `${asSentence(error.reason)} It may have been deleted: choose another.`,
      },
      agent: undefined,
      general: false,
    };
  }
  if (error.code === "already-exists" && error.reason) {
    return {
      fields: { phoneNumberId: `${asSentence(error.reason)} Edit that connection instead.` },
      agent: undefined,
      general: false,
    };
  }
  const fields: { [F in WhatsAppDraftField]?: string } = {};
  let unplaced = error.issues.length === 0;
  for (const issue of error.issues) {
    const name = whatsAppDraftFieldOf(issue.path);
    if (name) fields[name] ??= issue.message;
    else unplaced = true;
  }
  return { fields, agent: undefined, general: unplaced };
}

/**
 * The agent cannot answer on WhatsApp: not published, or its published version leaves the channel out. Says
 * what to do, with a link to the agent.
 */
function AgentRefusalAlert({
  reason,
  agentId,
  agentName,
}: {
  readonly reason: string;
  readonly agentId: string;
  readonly agentName: string | undefined;
}) {
  const name = agentName ?? agentId;
  const channelMissing = /not enabled on the whatsapp channel/i.test(reason);
  return (
    <Alert severity="error">
      <AlertTitle>
        {channelMissing ? `${name} does not answer on WhatsApp` : `${name} cannot answer yet`}
      </AlertTitle>
      <Typography variant="body2" sx={{ mb: 1 }}>
        The platform says: {asSentence(reason)}
      </Typography>
      {channelMissing ? (
        <Typography variant="body2" sx={{ mb: 1 }}>
          What to do: add <code>whatsapp</code> to the agent&apos;s channels, publish it again, then connect
          the number. The builder does not edit channels yet: send <code>PATCH /v1/agents/{agentId}</code>{" "}
          with <code>channels</code> listing <code>whatsapp</code> among the others it answers on, then
          publish.
        </Typography>
      ) : (
        <Typography variant="body2" sx={{ mb: 1 }}>
          What to do: publish the agent, then connect the number, or choose another agent.
        </Typography>
      )}
      <Link component={RouterLink} to={`/agents/${encodeURIComponent(agentId)}`}>
        Open {name}
      </Link>
    </Alert>
  );
}

interface AgentSelectProps {
  readonly id: string;
  readonly value: string;
  readonly agents: RemoteData<Agent[]>;
  /** The agent an edited connection has now: listed even when it no longer answers. */
  readonly current: string | undefined;
  readonly problem: string | undefined;
  readonly onChange: (agentId: string) => void;
}

/** The published agents, the only ones the platform lets answer on a number. */
function AgentSelect({ id, value, agents, current, problem, onChange }: AgentSelectProps) {
  const published = agents.data?.filter((a) => a.publishedVersion !== null && a.status !== "archived");
  const currentAgent = agents.data?.find((a) => a.id === current);
  const options =
    current && published && !published.some((a) => a.id === current)
      ? [{ id: current, name: `${currentAgent?.name ?? current} (not published)` }, ...published]
      : published;
  const help = agents.error
    ? "The agents could not be listed: close this form and try again."
    : published && published.length === 0
      ? "No agent is published yet: publish one, then connect the number."
      : "It answers every message to this number with its published version.";
  return (
    <TextField
      select
      id={id}
      label="Agent"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={problem !== undefined || (agents.error !== undefined && !agents.data)}
      helperText={problem ?? help}
      slotProps={{ select: { native: true } }}
      fullWidth
    >
      <option value="" disabled>
        {options ? "Choose a published agent" : "Loading agents…"}
      </option>
      {options?.map((agent) => (
        <option key={agent.id} value={agent.id}>
          {agent.name}
        </option>
      ))}
    </TextField>
  );
}

interface DocumentsSettingsProps {
  readonly on: boolean;
  /** The edited connection adds documents now: turning it off stops that. */
  readonly wasOn: boolean;
  readonly onToggle: (on: boolean) => void;
  readonly knowledgeBase: ReactNode;
  readonly senders: ReactNode;
}

/** The optional documents setting: a switch, then where documents go and who may send them. */
function DocumentsSettings({ on, wasOn, onToggle, knowledgeBase, senders }: DocumentsSettingsProps) {
  const helpId = useId();
  return (
    <>
      <Box>
        <Typography variant="subtitle2" component="h3">
          Documents from staff (optional)
        </Typography>
        <FormControlLabel
          control={
            <Switch
              checked={on}
              onChange={(event) => onToggle(event.target.checked)}
              slotProps={{ input: { "aria-describedby": helpId } }}
            />
          }
          label="Add documents staff send to a knowledge base"
        />
        <FormHelperText id={helpId} sx={{ mx: 0 }}>
          {on
            ? "A document one of the numbers below sends to this number is added to the knowledge base (the reply says so), and its caption is answered. Anyone else's documents are answered from their caption only."
            : wasOn
              ? "Saving turns it off: documents sent to this number are answered from their caption only, and none is added."
              : "Off: documents sent to this number are answered from their caption only."}
        </FormHelperText>
      </Box>
      {on && (
        <>
          {knowledgeBase}
          {senders}
        </>
      )}
    </>
  );
}

interface KnowledgeBaseSelectProps {
  readonly id: string;
  readonly value: string;
  readonly knowledgeBases: RemoteData<KnowledgeBaseList>;
  /** The knowledge base an edited connection adds to now: listed even when it is gone. */
  readonly current: string | undefined;
  readonly problem: string | undefined;
  readonly onChange: (kbId: string) => void;
}

/** The workspace's knowledge bases, the documents' destination. */
function KnowledgeBaseSelect({
  id,
  value,
  knowledgeBases,
  current,
  problem,
  onChange,
}: KnowledgeBaseSelectProps) {
  const list = knowledgeBases.data;
  const known = list?.available ? list.knowledgeBases : undefined;
  const options =
    current && list && !known?.some((kb) => kb.id === current)
      ? [{ id: current, name: known ? `${current} (not found)` : current }, ...(known ?? [])]
      : known;
  const help = knowledgeBases.error
    ? "The knowledge bases could not be listed: close this form and try again."
    : list && !list.available
      ? "This platform cannot list knowledge bases: documents cannot be added on it yet."
      : known && known.length === 0
        ? "This workspace has no knowledge base yet: create one under Knowledge first."
        : "Documents added are read like uploads, and searchable a minute or two later.";
  return (
    <TextField
      select
      id={id}
      label="Knowledge base"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={problem !== undefined || (knowledgeBases.error !== undefined && !list)}
      helperText={problem ?? help}
      slotProps={{ select: { native: true } }}
      fullWidth
    >
      <option value="" disabled>
        {options ? "Choose a knowledge base" : list ? "No knowledge base listed" : "Loading knowledge bases…"}
      </option>
      {options?.map((kb) => (
        <option key={kb.id} value={kb.id}>
          {kb.name}
        </option>
      ))}
    </TextField>
  );
}
