import { Box, Button, MenuItem, TextField, type SxProps, type Theme } from "@mui/material";
import type { Agent } from "../data/agents";
import type { RemoteData } from "../data/useRemoteData";

/** The select's value for "every agent" (a select's value cannot be undefined). */
const allAgents = "";

interface AgentFilterSelectProps {
  /** The agent picked, or undefined for every agent. */
  readonly agentId: string | undefined;
  readonly onChange: (agentId: string | undefined) => void;
  /** The workspace's agents, archived ones included: their history stays. */
  readonly agents: RemoteData<Agent[]>;
  readonly sx?: SxProps<Theme>;
}

/**
 * "Which agent?" for a page about history (conversations, analytics): every agent, or one, archived ones
 * marked. An agent named by the address but not (yet) listed keeps an option, so the select can show it;
 * when the list cannot load, the select says so and offers to load it again.
 */
export function AgentFilterSelect({ agentId, onChange, agents, sx }: AgentFilterSelectProps) {
  const listed = agents.data ?? [];
  const unlisted = agentId !== undefined && !listed.some((agent) => agent.id === agentId);
  return (
    <Box sx={sx}>
      <TextField
        select
        fullWidth
        size="small"
        label="Agent"
        value={agentId ?? allAgents}
        slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        onChange={(event) => onChange(event.target.value === allAgents ? undefined : event.target.value)}
        helperText={
          agents.error && !agents.data
            ? "The list of agents could not be loaded."
            : !agents.data
              ? "Loading agents…"
              : undefined
        }
      >
        <MenuItem value={allAgents}>All agents</MenuItem>
        {listed.map((agent) => (
          <MenuItem key={agent.id} value={agent.id}>
            {agent.status === "archived" ? `${agent.name} (archived)` : agent.name}
          </MenuItem>
        ))}
        {unlisted && (
          <MenuItem value={agentId}>{agents.data ? `Unknown agent (${agentId})` : agentId}</MenuItem>
        )}
      </TextField>
      {agents.error && !agents.data && (
        <Button size="small" onClick={agents.retry}>
          {agents.pending ? "Loading agents…" : "Load the agents again"}
        </Button>
      )}
    </Box>
  );
}
