import { useId, useState, type FormEvent } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  notificationChannelTypes,
  type NotificationChannelInput,
  type NotificationChannelType,
} from "../../data/monitor";
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";
import {
  channelLimits,
  channelTypeLabels,
  newChannelForm,
  readChannelForm,
  type ChannelForm,
} from "./channelForm";

const typeNotes: Record<NotificationChannelType, string> = {
  webhook:
    "Posts each notification as JSON to your address, signed with a secret you see once, after creating it.",
  slack: "Posts to a Slack channel through an incoming webhook (or a service that takes Slack's messages).",
  email:
    "Sends an email through Firebase's Trigger Email extension. In local mode nothing is sent: read them below.",
  "in-app": "Shows notifications in the inbox below, for the workspace's admins.",
};

interface CreateChannelDialogProps {
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onCreate: (input: NotificationChannelInput) => void;
  readonly onCancel: () => void;
}

/** A new place alerts are sent: a webhook, Slack, email addresses, or the studio's inbox. */
export function CreateChannelDialog({ pending, error, onCreate, onCancel }: CreateChannelDialogProps) {
  const titleId = useId();
  const [form, setForm] = useState<ChannelForm>(newChannelForm);
  const [tried, setTried] = useState(false);
  const { input, problems } = readChannelForm(form);
  const problem = (key: keyof typeof problems) => (tried ? problems[key] : undefined);
  const set = (key: "name" | "url" | "to", value: string) =>
    setForm((current) => ({ ...current, [key]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (input && !pending) onCreate(input);
  };

  return (
    <Dialog open onClose={onCancel} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>Add a notification channel</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <TextField
              select
              label="Type"
              value={form.type}
              slotProps={{ select: { native: true } }}
              onChange={(event) => {
                const type = notificationChannelTypes.find((t) => t === event.target.value);
                if (type) setForm((current) => ({ ...current, type }));
              }}
              helperText={typeNotes[form.type]}
              fullWidth
            >
              {notificationChannelTypes.map((type) => (
                <option key={type} value={type}>
                  {channelTypeLabels[type]}
                </option>
              ))}
            </TextField>
            <TextField
              label="Name"
              required
              autoFocus
              value={form.name}
              onChange={(event) => set("name", event.target.value)}
              error={problem("name") !== undefined}
              helperText={problem("name") ?? "How rules and this page call it."}
              slotProps={{ htmlInput: { maxLength: channelLimits.name } }}
              fullWidth
            />
            {(form.type === "webhook" || form.type === "slack") && (
              <TextField
                label={form.type === "slack" ? "Incoming webhook address" : "Address"}
                required
                value={form.url}
                onChange={(event) => set("url", event.target.value)}
                error={problem("url") !== undefined}
                helperText={
                  problem("url") ??
                  (form.type === "slack"
                    ? "https://hooks.slack.com/services/…: kept sealed, and never shown again in full."
                    : "https://…, where your service receives the notifications.")
                }
                slotProps={{ htmlInput: { inputMode: "url", spellCheck: false } }}
                fullWidth
              />
            )}
            {form.type === "email" && (
              <TextField
                label="Send to"
                required
                multiline
                minRows={2}
                value={form.to}
                onChange={(event) => set("to", event.target.value)}
                error={problem("to") !== undefined}
                helperText={
                  problem("to") ??
                  `Up to ${channelLimits.recipients} addresses, separated by commas or lines.`
                }
                fullWidth
              />
            )}
            {form.type === "in-app" && (
              <Typography variant="body2" color="text.secondary">
                Nothing else to set: admins and owners see the inbox on this page.
              </Typography>
            )}
            {error && <FormErrorAlert title="The channel was not added" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Adding…" : "Add channel"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
