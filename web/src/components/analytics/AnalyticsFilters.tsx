import { Box, ToggleButton, ToggleButtonGroup } from "@mui/material";
import { AgentFilterSelect } from "../AgentFilterSelect";
import type { Agent } from "../../data/agents";
import { analyticsRanges, type AnalyticsRange } from "../../data/analytics";
import type { RemoteData } from "../../data/useRemoteData";

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

      <AgentFilterSelect
        agentId={agentId}
        onChange={onAgentChange}
        agents={agents}
        sx={{ flex: "1 1 240px", maxWidth: { sm: 360 } }}
      />
    </Box>
  );
}
