import { Autocomplete, TextField } from "@mui/material";
import { agentLimits } from "../../data/agents";

interface BlockedTopicsFieldProps {
  readonly value: readonly string[];
  readonly onChange: (topics: string[]) => void;
  readonly disabled: boolean;
  readonly error: string | undefined;
}

/** Topics typed as chips: Enter (or leaving the field) adds one, Backspace or the chip's delete removes one. */
export function BlockedTopicsField({ value, onChange, disabled, error }: BlockedTopicsFieldProps) {
  return (
    <Autocomplete
      multiple
      freeSolo
      autoSelect
      disabled={disabled}
      options={[] as string[]}
      value={[...value]}
      onChange={(_event, topics) => {
        const cleaned = topics
          .map((t) => t.trim().slice(0, agentLimits.blockedTopic))
          .filter((t) => t !== "");
        onChange([...new Set(cleaned)].slice(0, agentLimits.blockedTopics));
      }}
      slotProps={{ chip: { size: "small" } }}
      renderInput={(params) => (
        <TextField
          {...params}
          label="Blocked topics"
          error={error !== undefined}
          helperText={
            error ??
            "Questions on these topics are declined before any search or model call. Type a topic and press Enter."
          }
        />
      )}
    />
  );
}
