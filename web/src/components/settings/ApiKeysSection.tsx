import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
  Chip,
  FormControlLabel,
  Link,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { ApiKey, ApiKeyInput, CreatedApiKey } from "../../data/admin";
import type { Agent } from "../../data/agents";
import { useApiKeys } from "../../data/hooks/admin";
import { useAgents } from "../../data/hooks/agents";
import { useEnvironments } from "../../data/hooks/environments";
import { defaultEnvironment, environmentLabel, type Environment } from "../../data/environments";
import { platformOrigin } from "../../data/platform";
import { roleLabels, type Session } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { CodeBlock } from "../CodeBlock";
import { ConfirmDialog } from "../ConfirmDialog";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { CreateApiKeyDialog } from "./CreateApiKeyDialog";
import { roleWithArticle } from "./roleDescriptions";
import { SecretRevealDialog, useShownOnce } from "./SecretRevealDialog";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "./SectionLoadError";
import { useRemoteUpdate } from "./useRemoteUpdate";
import { compactCells, visuallyHidden } from "../shared/tableStyles";

/** `/settings/api-keys`: the workspace's keys, a new key (shown once), and revoking one. */
export function ApiKeysSection({ session }: { readonly session: Session }) {
  const headingId = useId();
  const emptyHeadingId = useId();
  const studio = useStudio();
  const keys = useApiKeys();
  const agents = useAgents({ includeArchived: true });
  const environments = useEnvironments();
  const update = useRemoteUpdate(keys);
  const [showRevoked, setShowRevoked] = useState(false);
  const changes = useMutation<"create" | "revoke">();

  const [createOpen, setCreateOpen] = useState(false);
  const created = useShownOnce<CreatedApiKey & ApiKeyInput>();

  const [revoking, setRevoking] = useState<ApiKey | undefined>(undefined);
  const [revokeOpen, setRevokeOpen] = useState(false);

  const openCreate = () => {
    changes.dismiss("create");
    setCreateOpen(true);
  };

  const create = (input: ApiKeyInput) =>
    changes.run("create", async () => {
      const key = await studio.createApiKey(input);
      setCreateOpen(false);
      created.show({ ...input, ...key });
      // The answer holds only the id and the key: the list says the rest.
      keys.retry();
    });

  const revoke = async () => {
    if (!revoking) return;
    const key = revoking;
    await changes.run("revoke", async () => {
      const revoked = await studio.revokeApiKey(key.id);
      update((list) => list.map((k) => (k.id === revoked.id ? revoked : k)));
      setRevokeOpen(false);
      return `${key.name} was revoked: it no longer works.`;
    });
  };

  const all = keys.data;
  const revokedCount = all?.filter((k) => k.revokedAt !== null).length ?? 0;
  const shown = all?.filter((k) => showRevoked || k.revokedAt === null);
  const newKey = created.subject;

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="API keys"
        description="Keys let your services and channels call this workspace's API. Each has a role, and can be limited to one agent."
        action={
          all && all.length > 0 ? (
            <Button variant="contained" onClick={openCreate}>
              Create API key
            </Button>
          ) : undefined
        }
      />
      {keys.error && !all && (
        <SectionLoadError error={keys.error} onRetry={keys.retry} retrying={keys.pending} />
      )}
      {!all && !keys.error && <PageLoading label="Loading API keys…" />}
      {all && all.length === 0 && (
        <Paper
          component="section"
          aria-labelledby={emptyHeadingId}
          sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
        >
          <Typography variant="h3" id={emptyHeadingId} gutterBottom>
            No API keys yet
          </Typography>
          <Typography color="text.secondary" sx={{ maxWidth: 520, mx: "auto", mb: 3 }}>
            Create a key for each service or channel that calls the API, so you can revoke one without
            touching the others.
          </Typography>
          <Button variant="contained" size="large" onClick={openCreate}>
            Create API key
          </Button>
        </Paper>
      )}
      {all && revokedCount > 0 && (
        <FormControlLabel
          sx={{ alignSelf: "flex-start" }}
          control={
            <Switch checked={showRevoked} onChange={(event) => setShowRevoked(event.target.checked)} />
          }
          label={`Show revoked keys (${revokedCount})`}
        />
      )}
      {shown && all && all.length > 0 && (
        <ApiKeyTable
          keys={shown}
          agents={agents.data}
          environments={environments.data}
          onRevoke={(key) => {
            setRevoking(key);
            changes.dismiss("revoke");
            setRevokeOpen(true);
          }}
        />
      )}
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>

      <CreateApiKeyDialog
        open={createOpen}
        role={session.role}
        agents={agents}
        environments={environments.data}
        pending={changes.busy === "create"}
        error={changes.error("create")}
        onCreate={(input) => void create(input)}
        onCancel={() => setCreateOpen(false)}
      />
      <SecretRevealDialog
        open={created.open}
        secret={newKey?.key}
        title={`Your new API key: ${newKey?.name ?? ""}`}
        secretLabel="API key"
        warning={
          <>
            <strong>You will not see this key again.</strong> Store it now in your secret manager or your
            service&apos;s settings. If you lose it, revoke it and create another.
          </>
        }
        usage={
          newKey && (
            <Stack spacing={1}>
              <Typography>Send it with every request, as a bearer token. For example:</Typography>
              <CodeBlock label="Example request" code={exampleRequest(newKey)} />
            </Stack>
          )
        }
        onClose={created.close}
        onExited={created.forget}
      >
        {newKey && (
          <Typography>
            It can do what {roleWithArticle(newKey.role)} can
            {newKey.agentId
              ? `, and only talk to ${agents.data?.find((a) => a.id === newKey.agentId)?.name ?? newKey.agentId}.`
              : ", with every agent."}
          </Typography>
        )}
      </SecretRevealDialog>
      <ConfirmDialog
        open={revokeOpen}
        title={`Revoke ${revoking?.name ?? "this key"}?`}
        confirmLabel="Revoke key"
        destructive
        pending={changes.busy === "revoke"}
        error={changes.error("revoke")}
        errorTitle="Not revoked"
        onConfirm={() => void revoke()}
        onCancel={() => setRevokeOpen(false)}
      >
        Anything that uses this key ({revoking?.prefix}…) is refused from its next request. Revoking cannot be
        undone.
      </ConfirmDialog>
    </Stack>
  );
}

/** A first request the new key may make: a key limited to one agent may only talk to it. */
function exampleRequest(key: CreatedApiKey & ApiKeyInput): string {
  const auth = `-H "Authorization: Bearer $ALCHEMIST_API_KEY"`;
  return key.agentId
    ? `curl -X POST ${platformOrigin()}/v1/agents/${key.agentId}/conversations \\\n  ${auth}`
    : `curl ${platformOrigin()}/v1/agents \\\n  ${auth}`;
}

interface ApiKeyTableProps {
  readonly keys: readonly ApiKey[];
  readonly agents: readonly Agent[] | undefined;
  readonly environments: readonly Environment[] | undefined;
  readonly onRevoke: (key: ApiKey) => void;
}

function ApiKeyTable({ keys, agents, environments, onRevoke }: ApiKeyTableProps) {
  if (keys.length === 0) {
    return <Typography color="text.secondary">Every key of this workspace is revoked.</Typography>;
  }
  return (
    <TableContainer component={Paper}>
      <Table aria-label="API keys" sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Role</TableCell>
            <TableCell>Agent</TableCell>
            <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Created</TableCell>
            <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Last used</TableCell>
            <TableCell align="right">
              <span style={visuallyHidden}>Actions</span>
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {keys.map((key) => (
            <TableRow key={key.id}>
              <TableCell sx={{ overflowWrap: "anywhere" }}>
                <Box sx={{ fontWeight: 600 }}>{key.name}</Box>
                <Typography variant="body2" color="text.secondary" sx={{ fontFamily: monospace }}>
                  {key.prefix}…
                </Typography>
              </TableCell>
              <TableCell>
                {roleLabels[key.role]}
                {/* Production is every key's default: only another environment is worth a line. */}
                {key.environment !== defaultEnvironment && (
                  <Typography variant="body2" color="text.secondary">
                    {environmentLabel(environments, key.environment)}
                  </Typography>
                )}
              </TableCell>
              <TableCell sx={{ overflowWrap: "anywhere" }}>
                <AgentScope agentId={key.agentId} agents={agents} />
              </TableCell>
              <TableCell sx={{ display: { xs: "none", md: "table-cell" }, whiteSpace: "nowrap" }}>
                <RelativeTime iso={key.createdAt} />
              </TableCell>
              <TableCell sx={{ display: { xs: "none", sm: "table-cell" }, whiteSpace: "nowrap" }}>
                {key.lastUsedAt ? (
                  <RelativeTime iso={key.lastUsedAt} />
                ) : (
                  <Typography component="span" color="text.secondary">
                    Never
                  </Typography>
                )}
              </TableCell>
              <TableCell align="right">
                {key.revokedAt ? (
                  <Chip
                    label="Revoked"
                    size="small"
                    variant="outlined"
                    title={`Revoked ${new Date(key.revokedAt).toLocaleString()}`}
                  />
                ) : (
                  <Button
                    color="error"
                    size="small"
                    aria-label={`Revoke ${key.name}`}
                    onClick={() => onRevoke(key)}
                  >
                    Revoke
                  </Button>
                )}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function AgentScope({
  agentId,
  agents,
}: {
  readonly agentId: string | null;
  readonly agents: readonly Agent[] | undefined;
}) {
  if (agentId === null) {
    return (
      <Typography component="span" color="text.secondary">
        Any agent
      </Typography>
    );
  }
  const agent = agents?.find((a) => a.id === agentId);
  return (
    <Link component={RouterLink} to={`/agents/${encodeURIComponent(agentId)}`}>
      {agent?.name ?? agentId}
    </Link>
  );
}
