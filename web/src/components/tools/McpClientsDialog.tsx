import { useId, useState } from "react";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  Stack,
  Switch,
  Tab,
  Tabs,
  Typography,
} from "@mui/material";
import { useToolSetMcpConfig } from "../../data/hooks/toolSetMcp";
import { useStudio } from "../../data/studio";
import type { McpClientId, ToolSetMcpConfig } from "../../data/toolSetMcp";
import type { ToolSet } from "../../data/toolSets";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { CodeBlock } from "../CodeBlock";
import { ConfirmDialog } from "../ConfirmDialog";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";

interface McpClientsProps {
  readonly toolSetId: string;
  readonly toolSetName: string;
  /** Editors and up (`tools.manage`) choose whether write tools are served. */
  readonly canManage: boolean;
  /** The tool set as the platform answered a change of its MCP export. */
  readonly onChange?: (toolSet: ToolSet) => void;
}

/** The tool set page's button that opens the dialog; the configurations load when it opens. */
export function McpClientsButton(props: McpClientsProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="outlined" onClick={() => setOpen(true)}>
        Use from MCP clients
      </Button>
      {open && <McpClientsDialog {...props} onClose={() => setOpen(false)} />}
    </>
  );
}

/**
 * "Use from MCP clients": the tool set's MCP endpoint, what it serves, and ready configurations of common MCP
 * clients (Claude Code, Claude Desktop, Cursor, VS Code, any Streamable HTTP client) to copy, with
 * `<YOUR_API_KEY>` where each person's own key goes. Editors also choose whether write tools are served.
 */
export function McpClientsDialog({
  toolSetId,
  toolSetName,
  canManage,
  onChange,
  onClose,
}: McpClientsProps & { readonly onClose: () => void }) {
  const titleId = useId();
  const config = useToolSetMcpConfig(toolSetId);
  const studio = useStudio();
  const changes = useMutation<"writes">();
  const [confirming, setConfirming] = useState(false);
  const writesFailure = changes.error("writes");

  const exportWrites = (writes: boolean) =>
    changes.run("writes", async () => {
      const saved = await studio.updateToolSet(toolSetId, { mcpExport: { writes } });
      onChange?.(saved);
      setConfirming(false);
      config.retry();
      return writes
        ? "Write tools are served to MCP clients, for editors' keys."
        : "Write tools are no longer served to MCP clients.";
    });

  return (
    <Dialog open onClose={onClose} aria-labelledby={titleId} maxWidth="md" fullWidth>
      <DialogTitle id={titleId}>Use {toolSetName} from MCP clients</DialogTitle>
      <DialogContent>
        {config.data ? (
          <Stack spacing={2.5}>
            <Typography>
              MCP clients (Claude, Cursor, VS Code, agent frameworks) call this tool set&apos;s published
              tools here. The platform calls the API with the workspace&apos;s credential: the client never
              sees it. Each person puts their own API key where the configurations say{" "}
              <Box component="code" sx={{ fontFamily: monospace }}>
                {config.data.apiKeyPlaceholder}
              </Box>
              ; a key limited to one agent is refused.
            </Typography>
            <CodeBlock label="MCP endpoint" code={config.data.url} />
            <Served config={config.data} />
            <WritesExport
              exported={config.data.writesExported}
              canManage={canManage}
              busy={changes.busy === "writes"}
              onChange={(writes) => (writes ? setConfirming(true) : void exportWrites(false))}
            />
            <Typography role="status" variant="body2" sx={{ minHeight: "1.5em" }}>
              {changes.announcement}
            </Typography>
            {!confirming && writesFailure && <FormErrorAlert title="Not changed" error={writesFailure} />}
            <ClientConfigs config={config.data} />
          </Stack>
        ) : config.error ? (
          <RequestErrorAlert error={config.error} onRetry={config.retry} retrying={config.pending} />
        ) : (
          <PageLoading label="Loading the MCP configurations…" />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
      <ConfirmDialog
        open={confirming}
        title="Serve write tools to MCP clients?"
        confirmLabel="Serve write tools"
        pending={changes.busy === "writes"}
        error={writesFailure}
        errorTitle="Not changed"
        onConfirm={() => void exportWrites(true)}
        onCancel={() => {
          setConfirming(false);
          changes.dismiss("writes");
        }}
      >
        <Typography>
          The published write tools (a transfer, an order) become callable by MCP clients with an
          editor&apos;s or admin&apos;s key. They are marked destructive, so well-behaved clients ask their
          user before each call, but that is up to the client. Viewers&apos; keys still get the reads only.
        </Typography>
      </ConfirmDialog>
    </Dialog>
  );
}

function Served({ config }: { readonly config: ToolSetMcpConfig }) {
  if (config.version === null) {
    return (
      <Alert severity="info">
        Nothing is served yet: the endpoint answers once a version of this tool set is published.
      </Alert>
    );
  }
  const reads = config.tools.filter((t) => t.sideEffect === "read").length;
  const writes = config.tools.length - reads;
  return (
    <Typography>
      Serves version {config.version}: {reads} read {reads === 1 ? "tool" : "tools"}
      {writes > 0 && `, ${writes} write ${writes === 1 ? "tool" : "tools"} (editors and up)`}. A new version
      is served as soon as it is published; add <code>?version={config.version}</code> to the URL to stay on
      this one.
    </Typography>
  );
}

function WritesExport({
  exported,
  canManage,
  busy,
  onChange,
}: {
  readonly exported: boolean;
  readonly canManage: boolean;
  readonly busy: boolean;
  readonly onChange: (writes: boolean) => void;
}) {
  if (!canManage) {
    return (
      <Typography variant="body2" color="text.secondary">
        {exported
          ? "Write tools are served too, to editors' and admins' keys."
          : "Write tools are not served over MCP: only the reads."}
      </Typography>
    );
  }
  return (
    <FormControlLabel
      control={
        <Switch checked={exported} disabled={busy} onChange={(event) => onChange(event.target.checked)} />
      }
      label={
        <>
          <Typography>Serve write tools too</Typography>
          <Typography variant="body2" color="text.secondary">
            Off by default: MCP clients then get the reads only, and nothing is changed without a person.
          </Typography>
        </>
      }
    />
  );
}

function ClientConfigs({ config }: { readonly config: ToolSetMcpConfig }) {
  const [chosen, setChosen] = useState<McpClientId | undefined>(undefined);
  const current = config.clients.find((c) => c.client === chosen) ?? config.clients[0];
  if (!current) return null;
  const panelId = `mcp-client-${current.client}`;
  return (
    <Box>
      <Tabs
        value={current.client}
        onChange={(_event, value: McpClientId) => setChosen(value)}
        variant="scrollable"
        scrollButtons="auto"
        aria-label="MCP client"
        sx={{ borderBottom: 1, borderColor: "divider", mb: 2 }}
      >
        {config.clients.map((c) => (
          <Tab key={c.client} value={c.client} label={c.label} aria-controls={`mcp-client-${c.client}`} />
        ))}
      </Tabs>
      <Stack spacing={1.5} role="tabpanel" id={panelId} aria-label={current.label}>
        <Typography variant="body2">
          {current.file && (
            <>
              <Box component="code" sx={{ fontFamily: monospace }}>
                {current.file}
              </Box>
              {": "}
            </>
          )}
          {current.note}
        </Typography>
        <CodeBlock label={`${current.label} configuration`} code={current.content} />
      </Stack>
    </Box>
  );
}
