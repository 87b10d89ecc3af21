import { useId } from "react";
import {
  FormControl,
  FormControlLabel,
  FormLabel,
  MenuItem,
  Radio,
  RadioGroup,
  TextField,
} from "@mui/material";
import type { ImportEnable, ToolCredential } from "../../data/toolSets";

/** The workspace credential a new tool set's calls carry, or none. */
export function CredentialField({
  credentials,
  value,
  onChange,
  helperText,
}: {
  readonly credentials: readonly ToolCredential[];
  readonly value: string;
  readonly onChange: (credentialId: string) => void;
  /** Said under the field once there is a credential to pick. */
  readonly helperText: string;
}) {
  return (
    <TextField
      select
      label="Credential (optional)"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      helperText={
        credentials.length === 0 ? "No credential yet: an admin adds them under Credentials." : helperText
      }
      fullWidth
    >
      <MenuItem value="">None</MenuItem>
      {credentials.map((c) => (
        <MenuItem key={c.id} value={c.id}>
          {c.name}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Which of a new tool set's tools start switched on; `readsLabel` says what counts as a read for its source. */
export function EnableChoiceField({
  value,
  onChange,
  readsLabel,
}: {
  readonly value: ImportEnable;
  readonly onChange: (choice: ImportEnable) => void;
  readonly readsLabel: string;
}) {
  const labelId = useId();
  const labels: Record<ImportEnable, string> = {
    none: "None: I switch them on one by one",
    read: readsLabel,
    all: "All of them, writes included",
  };
  return (
    <FormControl>
      <FormLabel id={labelId}>Tools enabled at first</FormLabel>
      <RadioGroup
        aria-labelledby={labelId}
        value={value}
        onChange={(event) => onChange(event.target.value as ImportEnable)}
      >
        {(Object.keys(labels) as ImportEnable[]).map((choice) => (
          <FormControlLabel key={choice} value={choice} control={<Radio />} label={labels[choice]} />
        ))}
      </RadioGroup>
    </FormControl>
  );
}
