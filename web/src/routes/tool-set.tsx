import { useId, useMemo, useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import {
  Accordion,
  AccordionDetails,
  AccordionSummary,
  Alert,
  Box,
  Breadcrumbs,
  Button,
  Chip,
  Link,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { MethodChip } from "../components/MethodChip";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { ToolTryPanel } from "../components/tools/ToolTryPanel";
import { usePageTitle } from "../components/usePageTitle";
import type { HttpMethod } from "../data/apiDescription";
import { useToolCredentials, useToolSet } from "../data/hooks/toolSets";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import type { ForgeTool, SkippedOperation, ToolCredential, ToolSet } from "../data/toolSets";
import { useMutation } from "../data/useMutation";
import { monospace } from "../theme";

/**
 * Loaded on demand (see routes/index.tsx). One tool set's draft: where its tools call and with which
 * credential, which tools are switched on, trying one for real, and publishing the enabled ones as a version.
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

type Change = "enable" | "credential" | "publish";

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
  const [filter, setFilter] = useState("");
  const [selected, setSelected] = useState<string | undefined>();
  const enabledCount = toolSet.tools.filter((t) => t.enabled).length;
  const tried = toolSet.tools.find((t) => t.name === selected);

  const setEnabled = (tool: ForgeTool, enabled: boolean) =>
    changes.run("enable", async () => {
      onChange(await studio.updateToolSet(toolSet.id, { enabled: { [tool.name]: enabled } }));
      return `${tool.name} ${enabled ? "enabled" : "disabled"}.`;
    });

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

  const failure = changes.error("enable") ?? changes.error("credential");
  const publishFailure = changes.error("publish");

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
              ? `Imported from ${toolSet.source.title} (OpenAPI ${toolSet.source.specVersion}).`
              : "Written by hand."}{" "}
            {enabledCount} of {toolSet.tools.length} tools enabled.
          </Typography>
        </Box>
        {canManage && (
          <Button variant="contained" onClick={() => void publish()}>
            {changes.busy === "publish" ? "Publishing…" : "Publish"}
          </Button>
        )}
      </Box>

      <Typography role="status" variant="body2" sx={{ minHeight: "1.5em" }}>
        {changes.announcement}
      </Typography>
      {publishFailure && <FormErrorAlert title="Not published" error={publishFailure} />}
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

      {toolSet.source.kind === "openapi" && toolSet.source.skipped.length > 0 && (
        <SkippedOperations skipped={toolSet.source.skipped} />
      )}

      <ToolTable
        tools={toolSet.tools}
        filter={filter}
        onFilter={setFilter}
        canManage={canManage}
        selected={selected}
        onSelect={setSelected}
        onEnable={(tool, enabled) => void setEnabled(tool, enabled)}
      />

      {canManage && tried && (
        <ToolTryPanel key={tried.name} toolSetId={toolSet.id} baseUrl={toolSet.baseUrl} tool={tried} />
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

function ToolTable({
  tools,
  filter,
  onFilter,
  canManage,
  selected,
  onSelect,
  onEnable,
}: {
  readonly tools: readonly ForgeTool[];
  readonly filter: string;
  readonly onFilter: (text: string) => void;
  readonly canManage: boolean;
  readonly selected: string | undefined;
  readonly onSelect: (name: string) => void;
  readonly onEnable: (tool: ForgeTool, enabled: boolean) => void;
}) {
  const headingId = useId();
  const shown = useMemo(() => {
    const words = filter.trim().toLowerCase();
    if (words === "") return tools;
    return tools.filter((t) =>
      [t.name, t.description, t.path, t.method].some((text) => text.toLowerCase().includes(words)),
    );
  }, [tools, filter]);
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, justifyContent: "space-between", mb: 2 }}>
        <Typography variant="h2" id={headingId}>
          Tools
        </Typography>
        <TextField
          size="small"
          type="search"
          label="Filter tools"
          value={filter}
          onChange={(event) => onFilter(event.target.value)}
        />
      </Box>
      {tools.length === 0 ? (
        <Typography color="text.secondary">This tool set has no tools.</Typography>
      ) : shown.length === 0 ? (
        <Typography color="text.secondary">No tool matches “{filter.trim()}”.</Typography>
      ) : (
        <TableContainer>
          <Table aria-label="Tools" size="small">
            <TableHead>
              <TableRow>
                <TableCell>Tool</TableCell>
                <TableCell>Request</TableCell>
                <TableCell>Effect</TableCell>
                <TableCell>Enabled</TableCell>
                {canManage && <TableCell align="right">Try</TableCell>}
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((tool) => (
                <TableRow key={tool.name} selected={tool.name === selected}>
                  <TableCell sx={{ maxWidth: 360 }}>
                    <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{tool.name}</Typography>
                    <Typography
                      variant="body2"
                      color="text.secondary"
                      sx={{
                        display: "-webkit-box",
                        WebkitLineClamp: 2,
                        WebkitBoxOrient: "vertical",
                        overflow: "hidden",
                      }}
                    >
                      {tool.description}
                    </Typography>
                  </TableCell>
                  <TableCell>
                    <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                      <MethodChip method={tool.method.toLowerCase() as HttpMethod} />
                      <Typography component="code" sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
                        {tool.path}
                      </Typography>
                    </Stack>
                  </TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={tool.sideEffect === "write" ? "Write" : "Read"}
                      color={tool.sideEffect === "write" ? "warning" : "default"}
                      variant="outlined"
                    />
                  </TableCell>
                  <TableCell>
                    {canManage ? (
                      <Switch
                        checked={tool.enabled}
                        onChange={(event) => onEnable(tool, event.target.checked)}
                        slotProps={{ input: { "aria-label": `Enable ${tool.name}` } }}
                      />
                    ) : tool.enabled ? (
                      "On"
                    ) : (
                      "Off"
                    )}
                  </TableCell>
                  {canManage && (
                    <TableCell align="right">
                      <Button
                        size="small"
                        onClick={() => onSelect(tool.name)}
                        aria-label={`Try ${tool.name}`}
                      >
                        Try
                      </Button>
                    </TableCell>
                  )}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
