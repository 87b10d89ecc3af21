import { Box, Button, MenuItem, TextField } from "@mui/material";
import { conversationChannels, type ConversationChannel } from "../../data/history";
import { AgentFilterSelect } from "../AgentFilterSelect";
import type { Agent } from "../../data/agents";
import type { RemoteData } from "../../data/useRemoteData";
import { channelLabels } from "./describe";

/** What the filters hold, as the address keeps it: days are `YYYY-MM-DD`, both included. */
export interface HistoryFilterValues {
  readonly agentId: string | undefined;
  readonly channel: ConversationChannel | undefined;
  readonly fromDay: string | undefined;
  readonly toDay: string | undefined;
}

/** A select's value for "no filter" (a select's value cannot be undefined). */
const all = "";
/** Shows "All agents" / "All channels" in the select rather than an empty box under its label. */
const everything = { select: { displayEmpty: true }, inputLabel: { shrink: true } } as const;

interface ConversationFiltersProps {
  readonly values: HistoryFilterValues;
  readonly onChange: (change: Partial<HistoryFilterValues>) => void;
  readonly onClear: () => void;
  /** The workspace's agents, archived ones included: their conversations stay. */
  readonly agents: RemoteData<Agent[]>;
  /** Why the dates cannot be used as they are (shown under "To"). */
  readonly rangeError: string | undefined;
}

/** Which conversations the history shows: by agent, channel and days of last activity. */
export function ConversationFilters({
  values,
  onChange,
  onClear,
  agents,
  rangeError,
}: ConversationFiltersProps) {
  const { agentId, channel, fromDay, toDay } = values;

  return (
    <Box
      role="group"
      aria-label="Filters"
      sx={{
        display: "grid",
        gap: 2,
        gridTemplateColumns: {
          xs: "repeat(2, minmax(0, 1fr))",
          md: "minmax(0, 2fr) minmax(0, 1.5fr) minmax(0, 1fr) minmax(0, 1fr) auto",
        },
        alignItems: "start",
      }}
    >
      <AgentFilterSelect
        agentId={agentId}
        onChange={(id) => onChange({ agentId: id })}
        agents={agents}
        sx={{ gridColumn: { xs: "1 / -1", md: "auto" } }}
      />
      <TextField
        select
        fullWidth
        size="small"
        label="Channel"
        value={channel ?? all}
        slotProps={everything}
        onChange={(event) => {
          const picked = conversationChannels.find((c) => c === event.target.value);
          onChange({ channel: picked });
        }}
        sx={{ gridColumn: { xs: "1 / -1", md: "auto" } }}
      >
        <MenuItem value={all}>All channels</MenuItem>
        {conversationChannels.map((c) => (
          <MenuItem key={c} value={c}>
            {channelLabels[c]}
          </MenuItem>
        ))}
      </TextField>
      <TextField
        type="date"
        size="small"
        label="From"
        value={fromDay ?? ""}
        onChange={(event) => onChange({ fromDay: event.target.value || undefined })}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { max: toDay } }}
      />
      <TextField
        type="date"
        size="small"
        label="To"
        value={toDay ?? ""}
        onChange={(event) => onChange({ toDay: event.target.value || undefined })}
        error={rangeError !== undefined}
        helperText={rangeError}
        slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: fromDay } }}
      />
      <Button
        onClick={onClear}
        sx={{
          gridColumn: { xs: "1 / -1", md: "auto" },
          justifySelf: { xs: "start", md: "stretch" },
          height: 40,
        }}
      >
        Clear filters
      </Button>
    </Box>
  );
}
