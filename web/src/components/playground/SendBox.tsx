import type { FormEvent, KeyboardEvent } from "react";
import { Box, Button, TextField } from "@mui/material";

interface SendBoxProps {
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly onSend: () => void;
  readonly sending: boolean;
}

/** The message box: Enter sends, Shift+Enter starts a new line. */
export function SendBox({ value, onChange, onSend, sending }: SendBoxProps) {
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onSend();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    // Not while an input method composes a word: its Enter picks the word.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      onSend();
    }
  };
  return (
    <Box component="form" onSubmit={submit} sx={{ display: "flex", gap: 1, alignItems: "flex-end" }}>
      <TextField
        label="Message"
        helperText="Enter sends, Shift+Enter adds a line."
        multiline
        maxRows={8}
        fullWidth
        value={value}
        disabled={sending}
        onChange={(event) => onChange(event.target.value)}
        onKeyDown={onKeyDown}
      />
      <Button type="submit" variant="contained" disabled={sending || value.trim() === ""} sx={{ mb: 3 }}>
        {sending ? "Sending…" : "Send"}
      </Button>
    </Box>
  );
}
