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
import type { Agent } from "../../data/agents";
import type { RunTargetVersion } from "../../data/evaluations";
import { useAgents, useAgentVersions } from "../../data/hooks/agents";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

interface StartRunDialogProps {
  readonly open: boolean;
  readonly datasetName: string;
  readonly itemCount: number;
  readonly onStart: (target: {
    readonly agentId: string;
    readonly version: RunTargetVersion;
  }) => Promise<void>;
  readonly onCancel: () => void;
}

/** Which agent and which of its versions (or its draft) answers the dataset's questions. */
export function StartRunDialog({ open, datasetName, itemCount, onStart, onCancel }: StartRunDialogProps) {
  const titleId = useId();
  const agents = useAgents({ includeArchived: false });
  const [agentId, setAgentId] = useState("");
  const [version, setVersion] = useState<string>("");
  const [shown, setShown] = useState(false);
  const starting = useMutation<"start">();
  const agent = agents.data?.find((a) => a.id === agentId);

  const reset = () => {
    setAgentId("");
    setVersion("");
    setShown(false);
    starting.dismiss("start");
  };

  const submit = async () => {
    setShown(true);
    if (agentId === "" || version === "") return;
    await starting.run("start", () =>
      onStart({ agentId, version: version === "draft" ? "draft" : Number(version) }),
    );
  };

  return (
    <Dialog
      open={open}
      onClose={onCancel}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: reset } }}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <DialogTitle id={titleId}>Run “{datasetName}”</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              Asks the {itemCount.toLocaleString("en")} question{itemCount === 1 ? "" : "s"} of the dataset in
              the sandbox: the turns are billed as sandbox usage and left out of analytics and conversation
              lists.
            </Typography>
            <TextField
              select
              label="Agent"
              value={agentId}
              onChange={(event) => {
                setAgentId(event.target.value);
                setVersion("");
              }}
              error={shown && agentId === ""}
              helperText={
                shown && agentId === ""
                  ? "Choose the agent to evaluate."
                  : agents.error
                    ? "The agents could not be listed."
                    : undefined
              }
              required
            >
              {(agents.data ?? []).map((a) => (
                <MenuItem key={a.id} value={a.id}>
                  {a.name}
                </MenuItem>
              ))}
            </TextField>
            {agent ? (
              <VersionField
                agent={agent}
                value={version}
                onChange={setVersion}
                missing={shown && version === ""}
              />
            ) : (
              <TextField select label="Version" value="" disabled helperText="Choose an agent first.">
                <MenuItem value="">—</MenuItem>
              </TextField>
            )}
            {starting.error("start") && (
              <FormErrorAlert title="The run was not started" error={starting.error("start")!} />
            )}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={itemCount === 0}>
            {starting.busy ? "Starting…" : "Start run"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

function VersionField({
  agent,
  value,
  onChange,
  missing,
}: {
  readonly agent: Agent;
  readonly value: string;
  readonly onChange: (value: string) => void;
  readonly missing: boolean;
}) {
  const versions = useAgentVersions(agent.id);
  return (
    <TextField
      select
      label="Version"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={missing}
      helperText={
        missing
          ? "Choose the draft or a published version."
          : "A published version, or the draft (unpublished changes)."
      }
      required
    >
      <MenuItem value="draft">The draft</MenuItem>
      {(versions.data ?? []).map((v) => (
        <MenuItem key={v.version} value={String(v.version)}>
          Version {v.version}
          {v.version === agent.publishedVersion ? " (serving)" : ""}
        </MenuItem>
      ))}
    </TextField>
  );
}
