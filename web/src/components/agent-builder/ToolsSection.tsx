import { memo, useState } from "react";
import {
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  IconButton,
  List,
  ListItem,
  ListItemText,
  Stack,
  Tooltip,
  Typography,
} from "@mui/material";
import {
  agentLimits,
  builtinToolDescriptions,
  isHttpTool,
  type AgentDraft,
  type AgentTool,
  type BuiltinToolName,
  type HttpTool,
} from "../../data/agents";
import { HttpToolDialog } from "./HttpToolDialog";
import { LabeledSlider } from "./LabeledSlider";
import { ToolSetsSection } from "./ToolSetsSection";

interface ToolsSectionProps {
  readonly tools: readonly AgentTool[];
  readonly maxToolSteps: number;
  readonly toolsError: string | undefined;
  readonly maxToolStepsError: string | undefined;
  /** Must be stable (the page's `useCallback`). */
  readonly onChange: (change: Partial<AgentDraft>) => void;
  readonly readOnly: boolean;
  /** Hosts the platform lets HTTP tools call; `null`: any public host. */
  readonly toolHosts: readonly string[] | null;
}

const builtinNames = Object.keys(builtinToolDescriptions) as BuiltinToolName[];

/** Built-in tools to switch on, HTTP tools to add, edit and remove, and how many tool rounds an answer may take. */
export const ToolsSection = memo(function ToolsSection({
  tools,
  maxToolSteps,
  toolsError,
  maxToolStepsError,
  onChange,
  readOnly,
  toolHosts,
}: ToolsSectionProps) {
  // `null`: adding a new tool; a tool: editing it; undefined: no dialog.
  const [editing, setEditing] = useState<HttpTool | null | undefined>(undefined);
  const httpTools = tools.filter(isHttpTool);
  const full = tools.length >= agentLimits.tools;

  const setBuiltin = (name: BuiltinToolName, on: boolean) =>
    onChange({
      tools: on
        ? [...tools, { kind: "builtin", name }]
        : tools.filter((t) => !(t.kind === "builtin" && t.name === name)),
    });
  const saveHttpTool = (tool: HttpTool) => {
    const previous = editing;
    onChange({
      tools: previous ? tools.map((t) => (t === previous ? tool : t)) : [...tools, tool],
    });
    setEditing(undefined);
  };

  return (
    <>
      <Box>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          Built-in tools
        </Typography>
        <FormGroup>
          {builtinNames.map((name) => (
            <FormControlLabel
              key={name}
              // Long labels wrap on phones: the box stays by the first line.
              sx={{ alignItems: "flex-start", mb: 1, "& .MuiCheckbox-root": { pt: 0.25 } }}
              control={
                <Checkbox
                  checked={tools.some((t) => t.kind === "builtin" && t.name === name)}
                  onChange={(event) => setBuiltin(name, event.target.checked)}
                  disabled={readOnly || (full && !tools.some((t) => t.name === name))}
                />
              }
              label={
                <span>
                  <code>{name}</code>: {builtinToolDescriptions[name]}
                </span>
              }
            />
          ))}
        </FormGroup>
      </Box>
      <Box>
        <Typography variant="subtitle2" component="h3" gutterBottom>
          HTTP tools
        </Typography>
        {httpTools.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            None yet. An HTTP tool lets the agent call one of your services (an order status, an account
            balance) with arguments the model fills in.
          </Typography>
        ) : (
          <List dense aria-label="HTTP tools" disablePadding>
            {httpTools.map((tool) => (
              <ListItem
                key={tool.name}
                divider
                disableGutters
                secondaryAction={
                  readOnly ? undefined : (
                    <Stack direction="row" spacing={0.5}>
                      <Button
                        size="small"
                        onClick={() => setEditing(tool)}
                        aria-label={`Edit tool ${tool.name}`}
                      >
                        Edit
                      </Button>
                      <Tooltip title={`Remove ${tool.name}`}>
                        <IconButton
                          size="small"
                          aria-label={`Remove tool ${tool.name}`}
                          onClick={() => onChange({ tools: tools.filter((t) => t !== tool) })}
                        >
                          <span aria-hidden="true">✕</span>
                        </IconButton>
                      </Tooltip>
                    </Stack>
                  )
                }
                sx={{ pr: readOnly ? 0 : 14 }}
              >
                <ListItemText
                  primary={<code>{tool.name}</code>}
                  secondary={
                    <>
                      {tool.method} {tool.url}
                      <br />
                      {tool.description}
                    </>
                  }
                  slotProps={{ secondary: { sx: { overflowWrap: "anywhere" } } }}
                />
              </ListItem>
            ))}
          </List>
        )}
        {!readOnly && (
          <Button sx={{ mt: 1 }} variant="outlined" onClick={() => setEditing(null)} disabled={full}>
            Add HTTP tool
          </Button>
        )}
        {full && <FormHelperText>An agent has at most {agentLimits.tools} tools.</FormHelperText>}
        {toolsError && <FormHelperText error>{toolsError}</FormHelperText>}
      </Box>
      <ToolSetsSection tools={tools} onChange={(next) => onChange({ tools: next })} readOnly={readOnly} />
      <LabeledSlider
        label="Tool steps per answer"
        description="How many rounds of tool calls the model may make before it must answer (0 turns tools off)."
        value={maxToolSteps}
        min={0}
        max={agentLimits.maxToolSteps}
        step={1}
        format={(v) => (v === 1 ? "1 round" : `${v} rounds`)}
        onChange={(next) => onChange({ maxToolSteps: next })}
        disabled={readOnly}
        error={maxToolStepsError}
      />
      {editing !== undefined && (
        <HttpToolDialog
          tool={editing ?? undefined}
          takenNames={tools.flatMap((t) => (t !== editing && t.name !== undefined ? [t.name] : []))}
          toolHosts={toolHosts}
          onDone={saveHttpTool}
          onCancel={() => setEditing(undefined)}
        />
      )}
    </>
  );
});
