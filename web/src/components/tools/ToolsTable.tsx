import { useId, useMemo, useState } from "react";
import {
  Box,
  Button,
  Chip,
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
import type { HttpMethod } from "../../data/apiDescription";
import { tagsOf, toolMatches } from "../../data/forgeTools";
import type { ForgeTool } from "../../data/toolSets";
import { monospace, warningDark } from "../../theme";
import { MethodChip } from "../MethodChip";

interface ToolsTableProps {
  readonly tools: readonly ForgeTool[];
  readonly canManage: boolean;
  /** The tool being tried, highlighted. */
  readonly selected: string | undefined;
  readonly onTry: (name: string) => void;
  readonly onEdit: (tool: ForgeTool) => void;
  /** Switches tools on or off by name: one, or every tool shown. */
  readonly onEnable: (enabled: Readonly<Record<string, boolean>>) => void;
  /** A change is on its way: the bulk switches wait for it. */
  readonly busy: boolean;
}

/**
 * A tool set's tools, found by words (name, method, path, description) and by their OpenAPI tags, switched on
 * and off one by one or all those shown at once (every tool of a tag, say), tried and edited.
 */
export function ToolsTable({ tools, canManage, selected, onTry, onEdit, onEnable, busy }: ToolsTableProps) {
  const headingId = useId();
  const [search, setSearch] = useState("");
  const [tag, setTag] = useState<string | null>(null);
  const tags = useMemo(() => tagsOf(tools), [tools]);
  // A tag no tool carries any more (renamed away by an edit) filters nothing out.
  const activeTag = tag !== null && tags.some((t) => t.tag === tag) ? tag : null;
  const shown = useMemo(
    () => tools.filter((t) => toolMatches(t, search, activeTag)),
    [tools, search, activeTag],
  );
  const filtered = shown.length !== tools.length;
  const scope = !filtered
    ? "all"
    : activeTag !== null && search.trim() === ""
      ? `all tagged ${activeTag}`
      : `the ${shown.length} shown`;
  const switchAll = (enabled: boolean) =>
    onEnable(Object.fromEntries(shown.filter((t) => t.enabled !== enabled).map((t) => [t.name, enabled])));

  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, justifyContent: "space-between", mb: 2 }}>
        <Typography variant="h2" id={headingId}>
          Tools
        </Typography>
        <Stack direction={{ xs: "column", sm: "row" }} spacing={2}>
          <TextField
            size="small"
            type="search"
            label="Search tools"
            placeholder="Name, path or description"
            value={search}
            onChange={(event) => setSearch(event.target.value)}
          />
          {tags.length > 0 && (
            <TextField
              select
              size="small"
              label="Tag"
              value={activeTag ?? ""}
              onChange={(event) => setTag(event.target.value === "" ? null : event.target.value)}
              sx={{ minWidth: 180 }}
            >
              <MenuItem value="">All tags</MenuItem>
              {tags.map(({ tag: name, count }) => (
                <MenuItem key={name} value={name}>
                  {name} ({count})
                </MenuItem>
              ))}
            </TextField>
          )}
        </Stack>
      </Box>
      {tools.length > 0 && (
        <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", mb: 1.5, minHeight: 32 }}>
          <Typography variant="body2" color="text.secondary" sx={{ mr: "auto" }}>
            {filtered
              ? `${shown.length} of ${tools.length} tools shown`
              : `${tools.length} ${tools.length === 1 ? "tool" : "tools"}`}
            , {shown.filter((t) => t.enabled).length} of them enabled
          </Typography>
          {canManage && shown.length > 0 && (
            <>
              <Button
                size="small"
                disabled={busy || shown.every((t) => t.enabled)}
                onClick={() => switchAll(true)}
              >
                Enable {scope}
              </Button>
              <Button
                size="small"
                disabled={busy || shown.every((t) => !t.enabled)}
                onClick={() => switchAll(false)}
              >
                Disable {scope}
              </Button>
            </>
          )}
        </Box>
      )}
      {tools.length === 0 ? (
        <Typography color="text.secondary">This tool set has no tools.</Typography>
      ) : shown.length === 0 ? (
        <Typography color="text.secondary">
          No tool matches
          {search.trim() !== "" ? ` “${search.trim()}”` : ""}
          {activeTag !== null ? ` in the tag ${activeTag}` : ""}.
        </Typography>
      ) : (
        <TableContainer>
          <Table aria-label="Tools" size="small">
            <TableHead>
              <TableRow>
                <TableCell>Tool</TableCell>
                <TableCell>Request</TableCell>
                <TableCell>Effect</TableCell>
                <TableCell>Enabled</TableCell>
                {canManage && <TableCell align="right">Actions</TableCell>}
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
                    {tool.tags.length > 0 && (
                      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 0.5, mt: 0.5 }}>
                        {tool.tags.map((name) => (
                          <Chip key={name} size="small" variant="outlined" label={name} />
                        ))}
                      </Box>
                    )}
                  </TableCell>
                  <TableCell>
                    <Stack direction="row" spacing={1} sx={{ alignItems: "center" }}>
                      <MethodChip method={tool.method.toLowerCase() as HttpMethod} />
                      <Typography component="code" sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
                        {tool.path}
                      </Typography>
                    </Stack>
                    {tool.select !== null && (
                      <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
                        Answer at{" "}
                        <Box component="code" sx={{ fontFamily: monospace }}>
                          {tool.select}
                        </Box>
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell>
                    <Chip
                      size="small"
                      label={tool.sideEffect === "write" ? "Write" : "Read"}
                      color={tool.sideEffect === "write" ? "warning" : "default"}
                      variant="outlined"
                      sx={
                        tool.sideEffect === "write"
                          ? { color: warningDark, borderColor: warningDark }
                          : undefined
                      }
                    />
                  </TableCell>
                  <TableCell>
                    {canManage ? (
                      <Switch
                        checked={tool.enabled}
                        onChange={(event) => onEnable({ [tool.name]: event.target.checked })}
                        slotProps={{ input: { "aria-label": `Enable ${tool.name}` } }}
                      />
                    ) : tool.enabled ? (
                      "On"
                    ) : (
                      "Off"
                    )}
                  </TableCell>
                  {canManage && (
                    <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                      <Button size="small" onClick={() => onEdit(tool)} aria-label={`Edit ${tool.name}`}>
                        Edit
                      </Button>
                      <Button size="small" onClick={() => onTry(tool.name)} aria-label={`Try ${tool.name}`}>
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
