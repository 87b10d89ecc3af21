import { useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Box,
  Breadcrumbs,
  Button,
  Link,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { EditToolDialog } from "../components/tools/EditToolDialog";
import { McpClientsButton } from "../components/tools/McpClientsDialog";
import { ToolsTable } from "../components/tools/ToolsTable";
import { ToolTryPanel } from "../components/tools/ToolTryPanel";
import { usePageTitle } from "../components/usePageTitle";
import { toolsWithEdit, type ToolEdit } from "../data/forgeTools";
import { useToolCredentials, useToolSet } from "../data/hooks/toolSets";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import type {
  ForgeTool,
  RefreshedToolSet,
  SkippedOperation,
  ToolCredential,
  ToolSet,
} from "../data/toolSets";
import { useMutation } from "../data/useMutation";
import { monospace } from "../theme";

/**
 * Loaded on demand (see routes/index.tsx). One tool set's draft: where its tools call and with which
 * credential, which tools are switched on, trying one for real, refreshing an MCP server's tools, and
 * publishing the enabled ones as a version.
 */
export function ToolSetPage() {
  const { toolSetId = "" } = useParams();
  // Keyed: another tool set starts with its own filter and tried tool.
  return <ToolSetScreen key={toolSetId} toolSetId={toolSetId} />;
}

function ToolSetScreen({ toolSetId }: { readonly toolSetId: string }) {
  const toolSet = useToolSet(toolSetId);
  usePageTitle(toolSet.data?.name ?? "Tool set");

  if (!toolSet.data) {
    if (toolSet.error?.status === 404) {
      return (
        <Stack spacing={3}>
          <PageHeader title="Tool set not found" />
          <Alert severity="warning">
            This workspace has no tool set with the id {toolSetId}. It may belong to another workspace.
          </Alert>
          <Box>
            <Button component={RouterLink} to="/tools" variant="contained">
              See all tool sets
            </Button>
          </Box>
        </Stack>
      );
    }
    return (
      <Stack spacing={3}>
        <PageHeader title="Tool set" />
        {toolSet.error ? (
          <RequestErrorAlert error={toolSet.error} onRetry={toolSet.retry} retrying={toolSet.pending} />
        ) : (
          <PageLoading label="Loading the tool set…" />
        )}
      </Stack>
    );
  }
  return <ToolSetContent toolSet={toolSet.data} onChange={toolSet.replace} />;
}

type Change = "enable" | "credential" | "publish" | "refresh";

/** At most this many names per kind of change in the refresh's summary; the count says the rest. */
const namesShown = 5;

const namedCount = (count: string, names: readonly string[]): string => {
  const shown = names.slice(0, namesShown).join(", ");
  const more = names.length > namesShown ? ` and ${names.length - namesShown} more` : "";
  return `${names.length} ${count} (${shown}${more})`;
};

/** "Refreshed from the server: 2 added (a, b), 1 removed (c)." and what to do next. */
function refreshSummary({ added, removed, changed }: RefreshedToolSet): string {
  const parts = [
    ...(added.length > 0 ? [namedCount("added", added)] : []),
    ...(removed.length > 0 ? [namedCount("removed", removed)] : []),
    ...(changed.length > 0 ? [namedCount("changed", changed)] : []),
  ];
  if (parts.length === 0) return "Refreshed from the server: no tool added, removed or changed.";
  const next = added.length > 0 ? " New tools start switched off. Publish" : " Publish";
  return `Refreshed from the server: ${parts.join(", ")}.${next} to give agents the changes.`;
}

function ToolSetContent({
  toolSet,
  onChange,
}: {
  readonly toolSet: ToolSet;
  /** The tool set as the platform answered a change. */
  readonly onChange: (toolSet: ToolSet) => void;
}) {
  const studio = useStudio();
  const { session } = useSession();
  const canManage = session !== undefined && roleAtLeast(session.role, "editor");
  const credentials = useToolCredentials();
  const changes = useMutation<Change>();
  const [selected, setSelected] = useState<string | undefined>();
  const [editing, setEditing] = useState<ForgeTool | undefined>();
  const enabledCount = toolSet.tools.filter((t) => t.enabled).length;
  const tried = toolSet.tools.find((t) => t.name === selected);

  const setEnabled = (enabled: Readonly<Record<string, boolean>>) =>
    changes.run("enable", async () => {
      const names = Object.keys(enabled);
      if (names.length === 0) return;
      onChange(await studio.updateToolSet(toolSet.id, { enabled }));
      const [only] = names;
      if (names.length === 1 && only !== undefined)
        return `${only} ${enabled[only] ? "enabled" : "disabled"}.`;
      const on = names.filter((name) => enabled[name]).length;
      return on === names.length
        ? `${on} tools enabled.`
        : on === 0
          ? `${names.length} tools disabled.`
          : `${on} tools enabled, ${names.length - on} disabled.`;
    });

  // The edited tool goes back with every other one as stored: the draft's tools are replaced whole.
  const saveEdit = async (tool: ForgeTool, edit: ToolEdit) => {
    const saved = await studio.updateToolSet(toolSet.id, {
      tools: toolsWithEdit(toolSet.tools, tool.name, edit),
    });
    onChange(saved);
    const name = edit.name.trim();
    if (selected === tool.name) setSelected(name);
    setEditing(undefined);
    changes.announce(name === tool.name ? `${name} saved.` : `${tool.name} renamed ${name} and saved.`);
  };

  const setCredential = (credentialId: string | null) =>
    changes.run("credential", async () => {
      onChange(await studio.updateToolSet(toolSet.id, { credentialId }));
      return credentialId === null ? "The tools call without a credential." : "Credential changed.";
    });

  const publish = () =>
    changes.run("publish", async () => {
      const version = await studio.publishToolSet(toolSet.id);
      onChange({ ...toolSet, latestVersion: version.version });
      return `Published version ${version.version} with ${version.tools.length} ${version.tools.length === 1 ? "tool" : "tools"}.`;
    });

  // The refresh answers the draft as the platform read it back once stored: it reloads the page without a GET.
  const refresh = () =>
    changes.run("refresh", async () => {
      const refreshed = await studio.refreshToolSet(toolSet.id);
      onChange(refreshed.toolSet);
      return refreshSummary(refreshed);
    });

  const failure = changes.error("enable") ?? changes.error("credential");
  const publishFailure = changes.error("publish");
  const refreshFailure = changes.error("refresh");

  return (
    <Stack spacing={3}>
      <Box
        component="header"
        sx={{
          display: "flex",
          flexWrap: "wrap",
          gap: 2,
          alignItems: "flex-end",
          justifyContent: "space-between",
        }}
      >
        <Box>
          <Breadcrumbs aria-label="Breadcrumb" sx={{ mb: 1 }}>
            <Link component={RouterLink} to="/tools">
              Tools
            </Link>
            <Typography color="text.primary" aria-current="page" sx={{ overflowWrap: "anywhere" }}>
              {toolSet.name}
            </Typography>
          </Breadcrumbs>
          <Typography variant="h1" gutterBottom sx={{ overflowWrap: "anywhere" }}>
            {toolSet.name}
          </Typography>
          <Typography color="text.secondary">
            {toolSet.source.kind === "openapi"
              ? `Imported from ${toolSet.source.title} (OpenAPI ${toolSet.source.specVersion})${toolSet.source.url ? ` at ${toolSet.source.url}` : ""}.`
              : toolSet.source.kind === "mcp"
                ? `Served by the MCP server ${toolSet.source.serverName || toolSet.source.url} at ${toolSet.source.url}.`
                : "Written by hand."}{" "}
            {enabledCount} of {toolSet.tools.length} tools enabled.
          </Typography>
        </Box>
        <Stack direction="row" spacing={1}>
          <McpClientsButton
            toolSetId={toolSet.id}
            toolSetName={toolSet.name}
            canManage={canManage}
            onChange={onChange}
          />
          {canManage && toolSet.source.kind === "mcp" && (
            <Button variant="outlined" onClick={() => void refresh()}>
              {changes.busy === "refresh" ? "Refreshing…" : "Refresh from server"}
            </Button>
          )}
          {canManage && (
            <Button variant="contained" onClick={() => void publish()}>
              {changes.busy === "publish" ? "Publishing…" : "Publish"}
            </Button>
          )}
        </Stack>
      </Box>

      <Typography role="status" variant="body2" sx={{ minHeight: "1.5em" }}>
        {changes.announcement}
      </Typography>
      {publishFailure && <FormErrorAlert title="Not published" error={publishFailure} />}
      {refreshFailure && <FormErrorAlert title="Not refreshed" error={refreshFailure} />}
      {failure && <FormErrorAlert title="The change was not saved" error={failure} />}

      <Paper sx={{ p: { xs: 2, sm: 3 } }}>
        <Stack direction={{ xs: "column", md: "row" }} spacing={3}>
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <Typography variant="subtitle2">Base URL</Typography>
            <Typography sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
              {toolSet.baseUrl}
            </Typography>
          </Box>
          <Box sx={{ flex: 1, minWidth: 0 }}>
            <CredentialChoice
              credentialId={toolSet.credentialId}
              credentials={credentials.data}
              canManage={canManage}
              onChoose={(id) => void setCredential(id)}
            />
          </Box>
          <Box sx={{ flex: 1 }}>
            <Typography variant="subtitle2">Published</Typography>
            <Typography>
              {toolSet.latestVersion > 0 ? `Version ${toolSet.latestVersion}` : "Not published yet"}
            </Typography>
          </Box>
        </Stack>
      </Paper>

      {toolSet.source.kind !== "manual" && toolSet.source.skipped.length > 0 && (
        <SkippedOperations skipped={toolSet.source.skipped} />
      )}

      <ToolsTable
        tools={toolSet.tools}
        canManage={canManage}
        selected={selected}
        onTry={setSelected}
        onEdit={setEditing}
        onEnable={(enabled) => void setEnabled(enabled)}
        busy={changes.busy !== undefined}
      />

      {canManage && tried && (
        <ToolTryPanel key={tried.name} toolSetId={toolSet.id} baseUrl={toolSet.baseUrl} tool={tried} />
      )}

      {canManage && (
        <EditToolDialog
          tool={editing}
          tools={toolSet.tools}
          onSave={saveEdit}
          onCancel={() => setEditing(undefined)}
        />
      )}
    </Stack>
  );
}

function CredentialChoice({
  credentialId,
  credentials,
  canManage,
  onChoose,
}: {
  readonly credentialId: string | null;
  readonly credentials: readonly ToolCredential[] | undefined;
  readonly canManage: boolean;
  readonly onChoose: (credentialId: string | null) => void;
}) {
  const current = credentials?.find((c) => c.id === credentialId);
  if (!canManage) {
    return (
      <>
        <Typography variant="subtitle2">Credential</Typography>
        <Typography>{credentialId === null ? "None" : (current?.name ?? credentialId)}</Typography>
      </>
    );
  }
  return (
    <TextField
      select
      size="small"
      label="Credential"
      value={credentialId ?? ""}
      onChange={(event) => onChoose(event.target.value === "" ? null : event.target.value)}
      fullWidth
    >
      <MenuItem value="">None</MenuItem>
      {/* Still listed while the credentials load (or if it was deleted), so the select shows what is set. */}
      {credentialId !== null && !current && <MenuItem value={credentialId}>{credentialId}</MenuItem>}
      {(credentials ?? []).map((c) => (
        <MenuItem key={c.id} value={c.id}>
          {c.name}
        </MenuItem>
      ))}
    </TextField>
  );
}

function SkippedOperations({ skipped }: { readonly skipped: readonly SkippedOperation[] }) {
  return (
    <Accordion disableGutters>
      <AccordionSummary aria-controls="skipped-operations" id="skipped-operations-header">
        <Typography>
          {skipped.length} {skipped.length === 1 ? "operation" : "operations"} of the document could not
          become tools
        </Typography>
      </AccordionSummary>
      <AccordionDetails id="skipped-operations">
        <List dense aria-label="Skipped operations">
          {skipped.map((s) => (
            <ListItem key={s.operation} disableGutters>
              <ListItemText
                primary={s.operation}
                secondary={s.reason}
                slotProps={{ primary: { sx: { fontFamily: monospace } } }}
              />
            </ListItem>
          ))}
        </List>
      </AccordionDetails>
    </Accordion>
  );
}
