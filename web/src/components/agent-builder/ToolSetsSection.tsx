import { useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
  FormHelperText,
  IconButton,
  Link,
  List,
  ListItem,
  ListItemText,
  MenuItem,
  Stack,
  TextField,
  Tooltip,
  Typography,
} from "@mui/material";
import { agentLimits, isPinnedToolSet, type AgentTool, type PinnedToolSet } from "../../data/agents";
import { useToolSets } from "../../data/hooks/toolSets";

interface ToolSetsSectionProps {
  readonly tools: readonly AgentTool[];
  readonly onChange: (tools: readonly AgentTool[]) => void;
  readonly readOnly: boolean;
}

const versionsUpTo = (latest: number): number[] => Array.from({ length: latest }, (_, i) => latest - i);

/**
 * Tool Forge tool sets the agent uses, each pinned to a published version: add one (its latest version), move a
 * pinned one to another version, or remove it. A tool set's new version changes nothing here until it is pinned
 * and the agent published.
 */
export function ToolSetsSection({ tools, onChange, readOnly }: ToolSetsSectionProps) {
  const toolSets = useToolSets();
  const [adding, setAdding] = useState("");
  const pinned = tools.filter(isPinnedToolSet);
  const full = tools.length >= agentLimits.tools;
  const byId = new Map((toolSets.data ?? []).map((s) => [s.id, s]));
  const addable = (toolSets.data ?? []).filter(
    (s) => s.latestVersion > 0 && !pinned.some((p) => p.toolSetId === s.id),
  );

  const replace = (previous: AgentTool, next: PinnedToolSet | null) =>
    onChange(next ? tools.map((t) => (t === previous ? next : t)) : tools.filter((t) => t !== previous));
  const add = () => {
    const set = byId.get(adding);
    if (!set) return;
    onChange([...tools, { kind: "toolset", toolSetId: set.id, version: set.latestVersion }]);
    setAdding("");
  };

  return (
    <Box>
      <Typography variant="subtitle2" component="h3" gutterBottom>
        Tool sets
      </Typography>
      {toolSets.error && (
        <FormHelperText error sx={{ mb: 1 }}>
          The workspace's tool sets could not be listed: {toolSets.error.message}
        </FormHelperText>
      )}
      {pinned.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          None yet. A tool set is an API imported in{" "}
          <Link component={RouterLink} to="/tools">
            Tools
          </Link>{" "}
          (its OpenAPI document or MCP server); the agent uses the tools of the version you pin.
        </Typography>
      ) : (
        <List dense aria-label="Tool sets" disablePadding>
          {pinned.map((tool) => {
            const set = byId.get(tool.toolSetId);
            const name = set?.name ?? tool.toolSetId;
            const count = tool.only?.length;
            return (
              <ListItem
                key={tool.toolSetId}
                divider
                disableGutters
                secondaryAction={
                  readOnly ? undefined : (
                    <Tooltip title={`Remove ${name}`}>
                      <IconButton
                        size="small"
                        aria-label={`Remove tool set ${name}`}
                        onClick={() => replace(tool, null)}
                      >
                        <span aria-hidden="true">✕</span>
                      </IconButton>
                    </Tooltip>
                  )
                }
                sx={{ pr: readOnly ? 0 : 6, gap: 2, flexWrap: "wrap" }}
              >
                <ListItemText
                  primary={
                    <Link component={RouterLink} to={`/tools/${encodeURIComponent(tool.toolSetId)}`}>
                      {name}
                    </Link>
                  }
                  secondary={
                    count !== undefined
                      ? `${count} of its tools`
                      : set && set.latestVersion > tool.version
                        ? `Version ${set.latestVersion} is published: pin it to use its tools`
                        : "All of its tools"
                  }
                />
                <TextField
                  select
                  size="small"
                  label="Version"
                  value={String(tool.version)}
                  disabled={readOnly || !set}
                  onChange={(event) => replace(tool, { ...tool, version: Number(event.target.value) })}
                  sx={{ minWidth: 120 }}
                >
                  {versionsUpTo(Math.max(set?.latestVersion ?? 0, tool.version)).map((v) => (
                    <MenuItem key={v} value={String(v)}>
                      Version {v}
                    </MenuItem>
                  ))}
                </TextField>
              </ListItem>
            );
          })}
        </List>
      )}
      {!readOnly && (
        <Stack direction="row" spacing={1} sx={{ mt: 1, alignItems: "center" }}>
          <TextField
            select
            size="small"
            label="Add a tool set"
            value={adding}
            onChange={(event) => setAdding(event.target.value)}
            disabled={full || addable.length === 0}
            helperText={
              toolSets.data && addable.length === 0 && pinned.length === 0
                ? "No tool set has a published version yet: publish one in Tools."
                : undefined
            }
            // Why the select is off is read, not greyed out with it (a disabled helper text fails AA contrast).
            slotProps={{ formHelperText: { disabled: false } }}
            sx={{ minWidth: 240 }}
          >
            {addable.map((s) => (
              <MenuItem key={s.id} value={s.id}>
                {s.name} (version {s.latestVersion})
              </MenuItem>
            ))}
          </TextField>
          <Button variant="outlined" onClick={add} disabled={adding === "" || full}>
            Add
          </Button>
        </Stack>
      )}
      {full && pinned.length > 0 && (
        <FormHelperText>An agent has at most {agentLimits.tools} tools.</FormHelperText>
      )}
    </Box>
  );
}
