import { useId, useState } from "react";
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
import type { ImportEnable, McpToolSetInput, ToolCredential } from "../../data/toolSets";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import { CredentialField, EnableChoiceField } from "./ToolSetSourceFields";

const isLocalHost = (hostname: string): boolean =>
  hostname === "localhost" ||
  hostname.endsWith(".localhost") ||
  hostname === "[::1]" ||
  /^127(\.\d{1,3}){3}$/.test(hostname);

/**
 * Why the platform could not use `text` as an MCP server's URL, or undefined. Plain http only for this machine:
 * elsewhere the credential would cross the network in clear. (The platform itself refuses loopback unless its
 * operator allows it, and says so.)
 */
function mcpUrlProblem(text: string): string | undefined {
  if (text === "") return "Give the MCP server's URL, such as https://mcp.example.com/mcp.";
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "An https:// address, such as https://mcp.example.com/mcp.";
  }
  if (url.protocol === "http:" && !isLocalHost(url.hostname))
    return "An https:// address: plain http:// is only for a server on this machine (localhost).";
  if (url.protocol !== "https:" && url.protocol !== "http:")
    return "An https:// address, such as https://mcp.example.com/mcp.";
  if (url.username || url.password)
    return "Leave the user name and password out of the URL: keep them in a credential.";
  return undefined;
}

interface ConnectMcpDialogProps {
  readonly open: boolean;
  /** Offered to authenticate with the server; may be empty. */
  readonly credentials: readonly ToolCredential[];
  /** Creates the tool set; the dialog shows why when this throws, and stays open. */
  readonly onConnect: (input: McpToolSetInput) => Promise<void>;
  readonly onCancel: () => void;
}

/**
 * A remote MCP server (Streamable HTTP) becomes a tool set: each tool it lists a tool, called on the server.
 * The platform's optional non-secret `headers` are not asked for here (see `McpToolSetInput`): secrets go in a
 * credential, and a server that needs another header is connected through the API.
 */
export function ConnectMcpDialog({ open, credentials, onConnect, onCancel }: ConnectMcpDialogProps) {
  const titleId = useId();
  const [url, setUrl] = useState("");
  const [urlError, setUrlError] = useState<string | undefined>();
  const [name, setName] = useState("");
  const [credentialId, setCredentialId] = useState("");
  const [enable, setEnable] = useState<ImportEnable>("none");
  const connecting = useMutation<"connect">();
  const failure = connecting.error("connect");

  const reset = () => {
    setUrl("");
    setUrlError(undefined);
    setName("");
    setCredentialId("");
    setEnable("none");
    connecting.dismiss("connect");
  };

  const submit = async () => {
    if (connecting.busy) return;
    const problem = mcpUrlProblem(url.trim());
    setUrlError(problem);
    if (problem) return;
    const input: McpToolSetInput = {
      url: url.trim(),
      enable,
      ...(name.trim() ? { name: name.trim() } : {}),
      ...(credentialId ? { credentialId } : {}),
    };
    await connecting.run("connect", () => onConnect(input), {
      // Why the server could not be listed shows under its URL too (the alert says it with the rest).
      onFailure: (error) => {
        const issue = error.issues.find((i) => i.path === "url");
        if (issue) setUrlError(issue.message);
      },
    });
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
        <DialogTitle id={titleId}>Connect an MCP server</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              Every tool the server lists becomes a tool agents can call, or is listed with why it could not.
              Refresh the tool set from its page when the server changes.
            </Typography>
            <TextField
              label="Server URL"
              type="url"
              value={url}
              onChange={(event) => {
                setUrl(event.target.value);
                setUrlError(undefined);
              }}
              error={urlError !== undefined}
              helperText={
                urlError ??
                "Its Streamable HTTP endpoint. The platform lists the tools from there: public addresses only, unless its operator allows local ones."
              }
              placeholder="https://mcp.example.com/mcp"
              fullWidth
              slotProps={{ htmlInput: { spellCheck: false, maxLength: 2000 } }}
            />
            <TextField
              label="Name (optional)"
              value={name}
              onChange={(event) => setName(event.target.value)}
              helperText="The server's own name when left empty."
              fullWidth
              slotProps={{ htmlInput: { maxLength: 100 } }}
            />
            <CredentialField
              credentials={credentials}
              value={credentialId}
              onChange={setCredentialId}
              helperText={"Sent to the server with every listing and call."}
            />
            <EnableChoiceField
              value={enable}
              onChange={setEnable}
              readsLabel="The reads (tools the server marks read-only)"
            />
            {failure && <FormErrorAlert title="The MCP server was not connected" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {connecting.busy ? "Connecting…" : "Connect"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
