import { useId, useState } from "react";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import type { RemoteData } from "../../data/useRemoteData";
import { useStudio } from "../../data/studio";
import {
  credentialKindLabels,
  credentialKinds,
  keyPlacements,
  type CredentialKind,
  type KeyPlacement,
  type ToolCredential,
  type ToolCredentialInput,
} from "../../data/toolSets";
import { useMutation } from "../../data/useMutation";
import { ConfirmDialog } from "../ConfirmDialog";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";

const secretNotice =
  "Secrets are write-only: once saved, the platform never shows them again, not even to admins. " +
  "To change one, rotate it.";

/** Where a credential goes, in a few words. */
function credentialDetail(c: ToolCredential): string {
  if (c.kind === "api-key" && c.placement) return `${c.placement.in} ${c.placement.name}`;
  if (c.kind === "basic" && c.username) return `user ${c.username}`;
  if (c.kind === "oauth2-client-credentials" && c.oauth) return `${c.oauth.clientId} at ${c.oauth.tokenUrl}`;
  return "Authorization: Bearer";
}

interface CredentialsSectionProps {
  readonly credentials: RemoteData<ToolCredential[]>;
  /** Admins and owners (`credentials.manage`) add, rotate and delete. */
  readonly canManage: boolean;
}

/** The workspace's credentials for tools: listed for everyone, managed by admins. */
export function CredentialsSection({ credentials, canManage }: CredentialsSectionProps) {
  const studio = useStudio();
  const headingId = useId();
  const [adding, setAdding] = useState(false);
  const [rotating, setRotating] = useState<ToolCredential | undefined>();
  const [deleting, setDeleting] = useState<ToolCredential | undefined>();
  const changes = useMutation<"delete">();
  const { data, error, pending, retry, replace } = credentials;

  const remove = async (credential: ToolCredential) => {
    const ok = await changes.run("delete", async () => {
      await studio.deleteToolCredential(credential.id);
      return `Credential ${credential.name} deleted.`;
    });
    if (ok) {
      setDeleting(undefined);
      if (data) replace(data.filter((c) => c.id !== credential.id));
    }
  };

  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, justifyContent: "space-between", mb: 1 }}>
        <Typography variant="h2" id={headingId}>
          Credentials
        </Typography>
        {canManage && (
          <Button variant="outlined" onClick={() => setAdding(true)}>
            Add credential
          </Button>
        )}
      </Box>
      <Typography color="text.secondary" sx={{ mb: 2 }}>
        How tools authenticate with the APIs they call. {secretNotice}
      </Typography>
      <Typography role="status" variant="body2" sx={{ mb: changes.announcement ? 1 : 0 }}>
        {changes.announcement}
      </Typography>
      {error && <RequestErrorAlert error={error} onRetry={retry} retrying={pending} />}
      {!data && !error && <PageLoading label="Loading credentials…" />}
      {data && data.length === 0 && (
        <Typography color="text.secondary">
          {canManage
            ? "No credential yet. Add one before importing an API that needs a key or a token."
            : "No credential yet. An admin of this workspace adds them."}
        </Typography>
      )}
      {data && data.length > 0 && (
        <TableContainer>
          <Table aria-label="Credentials" size="small">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Kind</TableCell>
                <TableCell>Where it goes</TableCell>
                {canManage && <TableCell align="right">Actions</TableCell>}
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((c) => (
                <TableRow key={c.id}>
                  <TableCell sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{c.name}</TableCell>
                  <TableCell>{credentialKindLabels[c.kind]}</TableCell>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>{credentialDetail(c)}</TableCell>
                  {canManage && (
                    <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                      <Button size="small" onClick={() => setRotating(c)} aria-label={`Rotate ${c.name}`}>
                        Rotate secret
                      </Button>
                      <Button
                        size="small"
                        color="error"
                        onClick={() => {
                          changes.dismiss("delete");
                          setDeleting(c);
                        }}
                        aria-label={`Delete ${c.name}`}
                      >
                        Delete
                      </Button>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}

      {canManage && (
        <>
          <AddCredentialDialog
            open={adding}
            onCancel={() => setAdding(false)}
            onAdd={async (input) => {
              const created = await studio.createToolCredential(input);
              setAdding(false);
              replace([...(data ?? []), created]);
              changes.announce(`Credential ${created.name} added. Its secret will not be shown again.`);
            }}
          />
          <RotateSecretDialog
            credential={rotating}
            onCancel={() => setRotating(undefined)}
            onRotate={async (credential, secret) => {
              const updated = await studio.updateToolCredential(credential.id, { secret });
              setRotating(undefined);
              if (data) replace(data.map((c) => (c.id === updated.id ? updated : c)));
              changes.announce(`The secret of ${updated.name} was replaced.`);
            }}
          />
          <ConfirmDialog
            open={deleting !== undefined}
            title={`Delete ${deleting?.name ?? "the credential"}?`}
            confirmLabel="Delete"
            destructive
            pending={changes.busy === "delete"}
            error={changes.error("delete")}
            errorTitle="The credential was not deleted"
            onConfirm={() => deleting && void remove(deleting)}
            onCancel={() => setDeleting(undefined)}
          >
            Tools that use it stop authenticating at once. Its secret is deleted with it.
          </ConfirmDialog>
        </>
      )}
    </Paper>
  );
}

interface AddCredentialDialogProps {
  readonly open: boolean;
  readonly onAdd: (input: ToolCredentialInput) => Promise<void>;
  readonly onCancel: () => void;
}

const secretLabels: Record<CredentialKind, string> = {
  "api-key": "API key",
  bearer: "Token",
  basic: "Password",
  "oauth2-client-credentials": "Client secret",
};

function AddCredentialDialog({ open, onAdd, onCancel }: AddCredentialDialogProps) {
  const titleId = useId();
  const [kind, setKind] = useState<CredentialKind>("api-key");
  const [name, setName] = useState("");
  const [secret, setSecret] = useState("");
  const [placementIn, setPlacementIn] = useState<KeyPlacement>("header");
  const [placementName, setPlacementName] = useState("X-API-Key");
  const [username, setUsername] = useState("");
  const [tokenUrl, setTokenUrl] = useState("");
  const [clientId, setClientId] = useState("");
  const [scopes, setScopes] = useState("");
  const [problem, setProblem] = useState<string | undefined>();
  const adding = useMutation<"add">();
  const failure = adding.error("add");

  const reset = () => {
    setKind("api-key");
    setName("");
    setSecret("");
    setPlacementIn("header");
    setPlacementName("X-API-Key");
    setUsername("");
    setTokenUrl("");
    setClientId("");
    setScopes("");
    setProblem(undefined);
    adding.dismiss("add");
  };

  const submit = async () => {
    if (adding.busy) return;
    if (name.trim() === "" || secret === "") {
      setProblem(`Give the credential a name and its ${secretLabels[kind].toLowerCase()}.`);
      return;
    }
    const input: ToolCredentialInput = {
      name: name.trim(),
      kind,
      secret,
      ...(kind === "api-key" ? { placement: { in: placementIn, name: placementName.trim() } } : {}),
      ...(kind === "basic" ? { username: username.trim() } : {}),
      ...(kind === "oauth2-client-credentials"
        ? {
            oauth: {
              tokenUrl: tokenUrl.trim(),
              clientId: clientId.trim(),
              scopes: scopes.split(/[\s,]+/).filter(Boolean),
              clientAuth: "basic" as const,
            },
          }
        : {}),
    };
    await adding.run("add", () => onAdd(input));
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: reset } }}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <DialogTitle id={titleId}>Add a credential</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Alert severity="info">{secretNotice}</Alert>
            <TextField
              select
              label="Kind"
              value={kind}
              onChange={(event) => setKind(event.target.value as CredentialKind)}
              fullWidth
            >
              {credentialKinds.map((k) => (
                <MenuItem key={k} value={k}>
                  {credentialKindLabels[k]}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              label="Name"
              value={name}
              onChange={(event) => setName(event.target.value)}
              required
              fullWidth
              slotProps={{ htmlInput: { maxLength: 100 } }}
            />
            {kind === "api-key" && (
              <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
                <TextField
                  select
                  label="Sent in"
                  value={placementIn}
                  onChange={(event) => setPlacementIn(event.target.value as KeyPlacement)}
                  sx={{ minWidth: 140 }}
                >
                  {keyPlacements.map((p) => (
                    <MenuItem key={p} value={p}>
                      {p}
                    </MenuItem>
                  ))}
                </TextField>
                <TextField
                  label="Parameter name"
                  value={placementName}
                  onChange={(event) => setPlacementName(event.target.value)}
                  required
                  fullWidth
                />
              </Stack>
            )}
            {kind === "basic" && (
              <TextField
                label="User name"
                value={username}
                onChange={(event) => setUsername(event.target.value)}
                required
                fullWidth
              />
            )}
            {kind === "oauth2-client-credentials" && (
              <>
                <TextField
                  label="Token URL"
                  value={tokenUrl}
                  onChange={(event) => setTokenUrl(event.target.value)}
                  required
                  fullWidth
                />
                <TextField
                  label="Client id"
                  value={clientId}
                  onChange={(event) => setClientId(event.target.value)}
                  required
                  fullWidth
                />
                <TextField
                  label="Scopes (optional)"
                  value={scopes}
                  onChange={(event) => setScopes(event.target.value)}
                  helperText="Separated by spaces or commas."
                  fullWidth
                />
              </>
            )}
            <TextField
              label={secretLabels[kind]}
              type="password"
              autoComplete="new-password"
              value={secret}
              onChange={(event) => setSecret(event.target.value)}
              required
              fullWidth
            />
            {problem && (
              <Typography role="alert" color="error" variant="body2">
                {problem}
              </Typography>
            )}
            {failure && <FormErrorAlert title="The credential was not added" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {adding.busy ? "Adding…" : "Add"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

interface RotateSecretDialogProps {
  readonly credential: ToolCredential | undefined;
  readonly onRotate: (credential: ToolCredential, secret: string) => Promise<void>;
  readonly onCancel: () => void;
}

function RotateSecretDialog({ credential, onRotate, onCancel }: RotateSecretDialogProps) {
  const titleId = useId();
  const [secret, setSecret] = useState("");
  const rotating = useMutation<"rotate">();
  const failure = rotating.error("rotate");
  return (
    <Dialog
      open={credential !== undefined}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="xs"
      fullWidth
      slotProps={{
        transition: {
          onExited: () => {
            setSecret("");
            rotating.dismiss("rotate");
          },
        },
      }}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          if (credential && secret !== "") void rotating.run("rotate", () => onRotate(credential, secret));
        }}
      >
        <DialogTitle id={titleId}>Rotate the secret of {credential?.name}</DialogTitle>
        <DialogContent>
          <Stack spacing={2} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              The new secret replaces the old one at once; tool sets and agents need no change. It will not be
              shown again.
            </Typography>
            <TextField
              label={credential ? secretLabels[credential.kind] : "Secret"}
              type="password"
              autoComplete="new-password"
              value={secret}
              onChange={(event) => setSecret(event.target.value)}
              required
              fullWidth
            />
            {failure && <FormErrorAlert title="The secret was not replaced" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={secret === ""}>
            {rotating.busy ? "Replacing…" : "Replace secret"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
