import { Box, Button, MenuItem, TextField, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import type { Agent } from "../../data/agents";
import { analyticsRanges, type AnalyticsRange } from "../../data/analytics";
import type { RemoteData } from "../../data/useRemoteData";

/** The select's value for "every agent" (a select's value cannot be undefined). */
const allAgents = "";

interface AnalyticsFiltersProps {
  readonly days: AnalyticsRange;
  readonly agentId: string | undefined;
  readonly onDaysChange: (days: AnalyticsRange) => void;
  readonly onAgentChange: (agentId: string | undefined) => void;
  /** The workspace's agents, archived ones included: their history stays. */
  readonly agents: RemoteData<Agent[]>;
}

/** Which days and which agent the figures are about. */
export function AnalyticsFilters({
  days,
  agentId,
  onDaysChange,
  onAgentChange,
  agents,
}: AnalyticsFiltersProps) {
  const listed = agents.data ?? [];
  // An agent named by the address but not (yet) listed keeps an option, so the select can show it.
  const unlisted = agentId !== undefined && !listed.some((agent) => agent.id === agentId);

  return (
    <Box
      role="group"
      aria-label="Filters"
      sx={{ display: "flex", flexWrap: "wrap", gap: 2, alignItems: "flex-start" }}
    >
      <ToggleButtonGroup
        exclusive
        size="small"
        color="primary"
        value={days}
        aria-label="Range"
        onChange={(_event, value: unknown) => {
          // A click on the pressed button answers null: the range stays.
          const range = analyticsRanges.find((r) => r === value);
          if (range !== undefined) onDaysChange(range);
        }}
        sx={{ height: 40, bgcolor: "background.paper" }}
      >
        {analyticsRanges.map((range) => (
          <ToggleButton key={range} value={range} sx={{ px: 2, color: "text.secondary" }}>
            {range} days
          </ToggleButton>
        ))}
      </ToggleButtonGroup>

      <Box sx={{ flex: "1 1 240px", maxWidth: { sm: 360 } }}>
        <TextField
          select
          fullWidth
          size="small"
          label="Agent"
          value={agentId ?? allAgents}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          onChange={(event) =>
            onAgentChange(event.target.value === allAgents ? undefined : event.target.value)
          }
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
          <Typography component="div" variant="body2">
            <Button size="small" onClick={agents.retry}>
              {agents.pending ? "Loading agents…" : "Load the agents again"}
            </Button>
          </Typography>
        )}
      </Box>
    </Box>
  );
}
