import { useId, useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { adminLimits, grantableRoles, type ApiKeyInput } from "../../data/admin";
import type { Agent } from "../../data/agents";
import { defaultEnvironment, standardEnvironments, type Environment } from "../../data/environments";
import type { PlatformRequestError } from "../../data/platform";
import { roleLabels, type Role } from "../../data/session";
import type { RemoteData } from "../../data/useRemoteData";
import { FormErrorAlert } from "../FormErrorAlert";
import { roleDescriptions } from "./roleDescriptions";

interface CreateApiKeyDialogProps {
  readonly open: boolean;
  /** The creator's role: a key gets at most that. */
  readonly role: Role;
  readonly agents: RemoteData<Agent[]>;
  /** The workspace's environments, in promotion order (the standard three until they are read). */
  readonly environments?: readonly Environment[] | undefined;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onCreate: (input: ApiKeyInput) => void;
  readonly onCancel: () => void;
}

interface KeyDraft {
  readonly name: string;
  readonly role: Role;
  /** Empty: any agent. */
  readonly agentId: string;
  readonly environment: string;
}

const emptyDraft: KeyDraft = { name: "", role: "viewer", agentId: "", environment: defaultEnvironment };

/** A new API key: a name to recognise it by, a role (at most the creator's) and, optionally, one agent. */
export function CreateApiKeyDialog({
  open,
  role,
  agents,
  environments = standardEnvironments,
  pending,
  error,
  onCreate,
  onCancel,
}: CreateApiKeyDialogProps) {
  const titleId = useId();
  const [draft, setDraft] = useState<KeyDraft>(emptyDraft);
  const [nameProblem, setNameProblem] = useState<string | undefined>(undefined);
  const nameIssue = error?.issues.find((issue) => issue.path === "name")?.message;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const name = draft.name.trim();
    const problem =
      name === ""
        ? "Give the key a name, such as the service or channel that will use it."
        : name.length > adminLimits.apiKeyName
          ? `At most ${adminLimits.apiKeyName} characters.`
          : undefined;
    setNameProblem(problem);
    if (problem) return;
    onCreate({
      name,
      role: draft.role,
      ...(draft.agentId ? { agentId: draft.agentId } : {}),
      // Production is the platform's default: named only when it is another one.
      ...(draft.environment !== defaultEnvironment ? { environment: draft.environment } : {}),
    });
  };

  const agentList = agents.data?.filter((agent) => agent.status !== "archived");
  const agentHelp = agents.error
    ? "The agents could not be listed, so this key can only be for any agent. Close and try again to limit it."
    : draft.agentId
      ? "The key can only talk to this agent, whatever its role: right for a web widget or a channel."
      : "Limit the key to one agent when it is for a channel or a widget.";
  const shownNameProblem = nameProblem ?? nameIssue;

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{
        transition: {
          onExited: () => {
            setDraft(emptyDraft);
            setNameProblem(undefined);
          },
        },
      }}
    >
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>Create API key</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              Services send the key in a header, <code>Authorization: Bearer &lt;key&gt;</code>. You see it
              once, right after creating it.
            </Typography>
            <TextField
              label="Name"
              value={draft.name}
              onChange={(event) => {
                setDraft((d) => ({ ...d, name: event.target.value }));
                setNameProblem(undefined);
              }}
              error={shownNameProblem !== undefined}
              helperText={shownNameProblem ?? "So you know what uses it: a service, a channel, a teammate."}
              autoFocus
              fullWidth
              slotProps={{ htmlInput: { maxLength: adminLimits.apiKeyName } }}
            />
            <TextField
              select
              label="Role"
              value={draft.role}
              onChange={(event) => setDraft((d) => ({ ...d, role: event.target.value as Role }))}
              helperText={`${roleDescriptions[draft.role]} A key gets at most your own role.`}
              slotProps={{ select: { native: true } }}
              fullWidth
            >
              {grantableRoles(role).map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </TextField>
            <TextField
              select
              label="Agent"
              value={draft.agentId}
              onChange={(event) => setDraft((d) => ({ ...d, agentId: event.target.value }))}
              helperText={agentHelp}
              error={agents.error !== undefined && !agents.data}
              slotProps={{ select: { native: true } }}
              fullWidth
            >
              <option value="">Any agent</option>
              {!agentList && !agents.error && (
                <option value="loading" disabled>
                  Loading agents…
                </option>
              )}
              {agentList?.map((agent) => (
                <option key={agent.id} value={agent.id}>
                  {agent.name}
                </option>
              ))}
            </TextField>
            <TextField
              select
              label="Environment"
              value={draft.environment}
              onChange={(event) => setDraft((d) => ({ ...d, environment: event.target.value }))}
              helperText="Conversations through this key get the agent's version serving in this environment."
              slotProps={{ select: { native: true } }}
              fullWidth
            >
              {environments.map((environment) => (
                <option key={environment.name} value={environment.name}>
                  {environment.label}
                </option>
              ))}
            </TextField>
            {error && !nameIssue && <FormErrorAlert title="No key was created" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Creating…" : "Create key"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
