import { useId, useState } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  MenuItem,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  maxMemoryTextChars,
  memoryKindLabels,
  memoryKinds,
  type Memory,
  type MemoryChange,
  type MemoryKind,
  type NewMemory,
} from "../../data/narrative";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import { dateInputValue, expiryOf, type AgentName } from "./describe";

/** The select's value for a memory every agent of the workspace recalls. */
const workspaceScope = "";

type Field = "text" | "kind" | "key" | "agentId" | "expiresAt";
const fields: readonly Field[] = ["text", "kind", "key", "agentId", "expiresAt"];

interface MemoryDialogProps {
  readonly open: boolean;
  /** The memory to edit; undefined adds one. */
  readonly memory: Memory | undefined;
  /** The agents that talked to this end user: a new memory is for one of them, or for the workspace. */
  readonly agentIds: readonly string[];
  readonly agentName: AgentName;
  readonly onCreate: (memory: NewMemory) => Promise<void>;
  readonly onUpdate: (memoryId: string, change: MemoryChange) => Promise<void>;
  readonly onClose: () => void;
}

/**
 * Adds a memory as an editor, or corrects one: its text (addressed to the end user, as the model reads it),
 * kind, and expiry; a new one also says which agent recalls it and, optionally, the slot it fills. The
 * platform's refusal of a field shows under that field.
 */
export function MemoryDialog({
  open,
  memory,
  agentIds,
  agentName,
  onCreate,
  onUpdate,
  onClose,
}: MemoryDialogProps) {
  const titleId = useId();
  const [text, setText] = useState(memory?.text ?? "");
  const [kind, setKind] = useState<MemoryKind>(memory?.kind ?? "fact");
  const [key, setKey] = useState("");
  const [agentId, setAgentId] = useState(agentIds[0] ?? workspaceScope);
  const [expiresOn, setExpiresOn] = useState(dateInputValue(memory?.expiresAt ?? null));
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const saving = useMutation<"save">();
  const failure = saving.error("save");
  const pending = saving.busy !== undefined;

  const clear = (field: Field) => setFieldErrors(({ [field]: _gone, ...rest }) => rest);

  const submit = async () => {
    if (pending) return;
    if (text.trim() === "") {
      setFieldErrors({ text: "Write what to remember, addressed to the end user: “You prefer French.”" });
      return;
    }
    const expiresAt = expiryOf(expiresOn);
    // Only what changed: an expiry shown as its day is not sent back rounded to the end of that day.
    const change: MemoryChange | undefined = memory && {
      ...(text.trim() !== memory.text ? { text } : {}),
      ...(kind !== memory.kind ? { kind } : {}),
      ...(expiresOn !== dateInputValue(memory.expiresAt) ? { expiresAt } : {}),
    };
    if (change && Object.keys(change).length === 0) {
      onClose();
      return;
    }
    const done = await saving.run(
      "save",
      () =>
        memory && change
          ? onUpdate(memory.id, change)
          : onCreate({
              agentId: agentId === workspaceScope ? null : agentId,
              kind,
              text,
              ...(key.trim() ? { key: key.trim() } : {}),
              ...(expiresAt ? { expiresAt } : {}),
            }),
      {
        // A refused field shows under it; the alert then says only that something was refused.
        onFailure: (error) => {
          const found: Partial<Record<Field, string>> = {};
          for (const issue of error.issues) {
            const field = fields.find((f) => issue.path === f || issue.path.startsWith(`${f}.`));
            if (field && found[field] === undefined) found[field] = issue.message;
          }
          setFieldErrors(found);
        },
      },
    );
    if (done) onClose();
  };

  const length = `${text.length} / ${maxMemoryTextChars}`;
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <DialogTitle id={titleId}>{memory ? "Edit memory" : "Add a memory"}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              {memory
                ? "The agent recalls the corrected memory from the next question on; the memory is marked as edited by you."
                : "The agent recalls it like something the end user said, and cites it as [M1] when an answer relies on it."}
            </Typography>
            <TextField
              label="What to remember"
              value={text}
              onChange={(event) => {
                setText(event.target.value);
                clear("text");
              }}
              error={fieldErrors.text !== undefined}
              helperText={
                fieldErrors.text ??
                `Addressed to the end user, as the model reads it: “You live in Berlin.” ${length}`
              }
              required
              multiline
              minRows={2}
              fullWidth
              autoFocus
              slotProps={{ htmlInput: { maxLength: maxMemoryTextChars } }}
            />
            <TextField
              select
              label="Kind"
              value={kind}
              onChange={(event) => {
                setKind(memoryKinds.find((k) => k === event.target.value) ?? "fact");
                clear("kind");
              }}
              error={fieldErrors.kind !== undefined}
              helperText={
                fieldErrors.kind ?? "A fact about them, a preference, or something the agent committed to."
              }
              fullWidth
            >
              {memoryKinds.map((k) => (
                <MenuItem key={k} value={k}>
                  {memoryKindLabels[k]}
                </MenuItem>
              ))}
            </TextField>
            {!memory && (
              <>
                <TextField
                  select
                  label="Recalled by"
                  value={agentId}
                  onChange={(event) => {
                    setAgentId(event.target.value);
                    clear("agentId");
                  }}
                  error={fieldErrors.agentId !== undefined}
                  helperText={
                    fieldErrors.agentId ??
                    "One agent, or every agent of the workspace whose long-term memory is shared."
                  }
                  slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
                  fullWidth
                >
                  {agentIds.map((id) => (
                    <MenuItem key={id} value={id}>
                      {agentName(id)}
                    </MenuItem>
                  ))}
                  <MenuItem value={workspaceScope}>Every agent of the workspace</MenuItem>
                </TextField>
                <TextField
                  label="Key (optional)"
                  value={key}
                  onChange={(event) => {
                    setKey(event.target.value);
                    clear("key");
                  }}
                  error={fieldErrors.key !== undefined}
                  helperText={
                    fieldErrors.key ??
                    "The slot it fills, in lower case, such as city or language: it replaces the memory with the same key, which stays in its history."
                  }
                  fullWidth
                  slotProps={{ htmlInput: { maxLength: 100 } }}
                />
              </>
            )}
            <TextField
              label="Forget it after (optional)"
              type="date"
              value={expiresOn}
              onChange={(event) => {
                setExpiresOn(event.target.value);
                clear("expiresAt");
              }}
              error={fieldErrors.expiresAt !== undefined}
              helperText={
                fieldErrors.expiresAt ?? "Leave empty to keep it as long as the agent's retention allows."
              }
              slotProps={{ inputLabel: { shrink: true } }}
              sx={{ maxWidth: 280 }}
            />
            {failure && (
              <FormErrorAlert
                title={memory ? "The memory was not saved" : "The memory was not added"}
                error={failure}
              />
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Saving…" : memory ? "Save" : "Add memory"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
