import { useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import {
  Button,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { ConnectMcpDialog } from "../components/tools/ConnectMcpDialog";
import { CredentialsSection } from "../components/tools/CredentialsSection";
import { ImportToolSetDialog } from "../components/tools/ImportToolSetDialog";
import { usePageTitle } from "../components/usePageTitle";
import { useToolCredentials, useToolSets } from "../data/hooks/toolSets";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import type { McpToolSetInput, ToolSet, ToolSetImport } from "../data/toolSets";

/**
 * Loaded on demand (see routes/index.tsx). Tool Forge: the workspace's tool sets (an API's operations as tools
 * agents call), importing one from an OpenAPI document or connecting an MCP server, and the credentials tools
 * authenticate with.
 */
export function ToolsPage() {
  usePageTitle("Tools");
  const studio = useStudio();
  const navigate = useNavigate();
  const toolSets = useToolSets();
  const credentials = useToolCredentials();
  const { session } = useSession();
  const canManageTools = session !== undefined && roleAtLeast(session.role, "editor");
  const canManageCredentials = session !== undefined && roleAtLeast(session.role, "admin");
  const [importing, setImporting] = useState(false);
  const [connecting, setConnecting] = useState(false);
  const { data, error, pending, retry, updatedAt } = toolSets;

  const importToolSet = async (input: ToolSetImport) => {
    const { toolSet } = await studio.importToolSet(input);
    navigate(`/tools/${encodeURIComponent(toolSet.id)}`);
  };

  const connectMcpServer = async (input: McpToolSetInput) => {
    const toolSet = await studio.connectMcpServer(input);
    navigate(`/tools/${encodeURIComponent(toolSet.id)}`);
  };

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Tools"
        intro="The APIs your agents may call: each operation a tool, published as versions agents pin."
        actions={
          canManageTools && (
            <Stack direction="row" spacing={1}>
              <Button variant="outlined" onClick={() => setConnecting(true)}>
                Connect MCP server
              </Button>
              <Button variant="contained" onClick={() => setImporting(true)}>
                Import OpenAPI
              </Button>
            </Stack>
          )
        }
      />
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={retry}
          retrying={pending}
          staleSince={data ? updatedAt : undefined}
        />
      )}
      {!data && !error && <PageLoading label="Loading tool sets…" />}
      {data &&
        (data.length === 0 ? (
          <Paper
            component="section"
            aria-labelledby="no-tool-sets"
            sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
          >
            <Typography variant="h2" id="no-tool-sets" gutterBottom>
              No tool sets yet
            </Typography>
            <Typography color="text.secondary">
              {canManageTools
                ? "Import an API's OpenAPI document or connect an MCP server: its operations or tools become tools you switch on, try and publish."
                : "Tool sets appear here once an editor of this workspace imports an API or connects an MCP server."}
            </Typography>
          </Paper>
        ) : (
          <ToolSetTable toolSets={data} />
        ))}

      <CredentialsSection credentials={credentials} canManage={canManageCredentials} />

      {canManageTools && (
        <ImportToolSetDialog
          open={importing}
          credentials={credentials.data ?? []}
          onImport={importToolSet}
          onCancel={() => setImporting(false)}
        />
      )}
      {canManageTools && (
        <ConnectMcpDialog
          open={connecting}
          credentials={credentials.data ?? []}
          onConnect={connectMcpServer}
          onCancel={() => setConnecting(false)}
        />
      )}
    </Stack>
  );
}

function ToolSetTable({ toolSets }: { readonly toolSets: readonly ToolSet[] }) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Tool sets">
        <TableHead>
          <TableRow>
            <TableCell>Tool set</TableCell>
            <TableCell>Source</TableCell>
            <TableCell>Base URL</TableCell>
            <TableCell align="right">Tools enabled</TableCell>
            <TableCell>Published</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {toolSets.map((set) => (
            <TableRow key={set.id} hover>
              <TableCell sx={{ maxWidth: 360 }}>
                <Link
                  component={RouterLink}
                  to={`/tools/${encodeURIComponent(set.id)}`}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {set.name}
                </Link>
              </TableCell>
              <TableCell>
                {set.source.kind === "openapi"
                  ? "OpenAPI"
                  : set.source.kind === "mcp"
                    ? "MCP server"
                    : "Manual"}
              </TableCell>
              <TableCell sx={{ overflowWrap: "anywhere" }}>{set.baseUrl}</TableCell>
              <TableCell align="right">
                {set.tools.filter((t) => t.enabled).length} / {set.tools.length}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                {set.latestVersion > 0 ? `Version ${set.latestVersion}` : "Not yet"}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
