import { useEffect, useId, useState } from "react";
import {
  Box,
  Button,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useInbox, useNotificationChannels, useOutbox } from "../../data/hooks/monitor";
import type { ChannelTestOutcome, NotificationChannel, NotificationChannelInput } from "../../data/monitor";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { ConfirmDialog } from "../ConfirmDialog";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { SecretRevealDialog, useShownOnce } from "../settings/SecretRevealDialog";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "../settings/SectionLoadError";
import { compactCells, visuallyHidden } from "../shared/tableStyles";
import { useRemoteUpdate } from "../settings/useRemoteUpdate";
import { channelTypeLabels } from "./channelForm";
import { CreateChannelDialog } from "./CreateChannelDialog";
import { InboxPanel, OutboxPanel } from "./NotificationLogs";
import { PresentationChip } from "./PresentationChip";

type ChannelAction = "create" | "delete" | "rotate" | `test:${string}`;

/** How long after a queued test the channels are read again, for its delivery's result. */
const deliveryCheckMs = 3000;

/** What a test did, in a sentence. */
export function testSentence(channel: NotificationChannel, outcome: ChannelTestOutcome): string {
  if (outcome === "duplicate") return `A test to ${channel.name} was already sent.`;
  if (outcome === "queued")
    return `A test notification is on its way to ${channel.name}: its result shows under Last delivery.`;
  return channel.type === "email"
    ? `A test email to ${channel.to.join(", ")} is in the outbox below.`
    : `A test notification is in the inbox below.`;
}

function Destination({ channel }: { readonly channel: NotificationChannel }) {
  switch (channel.type) {
    case "webhook":
    case "slack":
      return (
        <Box sx={{ fontFamily: monospace, fontSize: "0.85rem", overflowWrap: "anywhere" }}>
          {channel.url ?? "—"}
          {channel.type === "slack" && (
            <Typography variant="body2" color="text.secondary" sx={{ fontFamily: "inherit" }}>
              The rest of the address is sealed.
            </Typography>
          )}
        </Box>
      );
    case "email":
      return <Box sx={{ overflowWrap: "anywhere" }}>{channel.to.join(", ")}</Box>;
    case "in-app":
      return <>The inbox below</>;
  }
}

function LastDelivery({ channel }: { readonly channel: NotificationChannel }) {
  const delivery = channel.lastDelivery;
  if (!delivery) {
    return (
      <Typography variant="body2" color="text.secondary">
        {channel.type === "webhook" || channel.type === "slack" ? "Nothing sent yet" : "—"}
      </Typography>
    );
  }
  return (
    <Stack spacing={0.5} sx={{ alignItems: "flex-start" }}>
      <PresentationChip
        presentation={
          delivery.ok ? { label: "Delivered", color: "success" } : { label: "Failed", color: "error" }
        }
      />
      <Typography variant="body2" color="text.secondary">
        {delivery.status !== null && `HTTP ${delivery.status} · `}
        {delivery.error && `${delivery.error} · `}
        <RelativeTime iso={delivery.at} />
      </Typography>
    </Stack>
  );
}

/** `/monitor/notifications`: where alerts are sent (add, test, delete), and the inbox and outbox. */
export function NotificationsTab({ canManage }: { readonly canManage: boolean }) {
  const headingId = useId();
  const emptyHeadingId = useId();
  const studio = useStudio();
  const channels = useNotificationChannels();
  const update = useRemoteUpdate(channels);
  const inbox = useInbox();
  const outbox = useOutbox();
  const changes = useMutation<ChannelAction>();
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<NotificationChannel | undefined>(undefined);
  const [rotating, setRotating] = useState<NotificationChannel | undefined>(undefined);
  const secret = useShownOnce<{
    readonly name: string;
    readonly secret: string;
    readonly rotated: boolean;
  }>();
  // A queued test's result arrives a moment later, as the channel's last delivery.
  const [awaitingDelivery, setAwaitingDelivery] = useState(0);
  const { retry: retryChannels } = channels;
  useEffect(() => {
    if (awaitingDelivery === 0) return;
    const timer = setTimeout(retryChannels, deliveryCheckMs);
    return () => clearTimeout(timer);
  }, [awaitingDelivery, retryChannels]);

  const create = (input: NotificationChannelInput) =>
    void changes.run("create", async () => {
      const created = await studio.createNotificationChannel(input);
      update((list) => [...list, created.channel]);
      setCreating(false);
      if (created.secret !== undefined)
        secret.show({ name: created.channel.name, secret: created.secret, rotated: false });
      return `${created.channel.name} is added.`;
    });

  const remove = () => {
    const channel = deleting;
    if (!channel) return;
    void changes.run("delete", async () => {
      await studio.deleteNotificationChannel(channel.id);
      update((list) => list.filter((c) => c.id !== channel.id));
      setDeleting(undefined);
      return `${channel.name} is deleted.`;
    });
  };

  const rotate = () => {
    const channel = rotating;
    if (!channel) return;
    void changes.run("rotate", async () => {
      const newSecret = await studio.rotateChannelSecret(channel.id);
      setRotating(undefined);
      secret.show({ name: channel.name, secret: newSecret, rotated: true });
      return `${channel.name} has a new signing secret.`;
    });
  };

  const test = (channel: NotificationChannel) =>
    void changes.run(`test:${channel.id}`, async () => {
      const outcome = await studio.testNotificationChannel(channel.id);
      if (outcome === "queued") setAwaitingDelivery((n) => n + 1);
      else if (channel.type === "email") outbox.retry();
      else inbox.retry();
      return testSentence(channel, outcome);
    });

  const list = channels.data;
  const testErrors = (list ?? []).flatMap((channel) => {
    const error = changes.error(`test:${channel.id}`);
    return error ? [{ channel, error }] : [];
  });
  const shownSecret = secret.subject;

  return (
    <Stack spacing={5}>
      <Stack component="section" aria-labelledby={headingId} spacing={2}>
        <SectionHeader
          id={headingId}
          title="Notification channels"
          description="Where alerts are sent when they fire, fire again and resolve. A rule names its channels, or uses them all."
          action={
            canManage && list && list.length > 0 ? (
              <Button
                variant="contained"
                onClick={() => {
                  changes.dismiss("create");
                  setCreating(true);
                }}
              >
                Add channel
              </Button>
            ) : undefined
          }
        />
        {!list &&
          (channels.error ? (
            <SectionLoadError error={channels.error} onRetry={channels.retry} retrying={channels.pending} />
          ) : (
            <PageLoading label="Loading notification channels…" />
          ))}
        {list && list.length === 0 && (
          <Paper
            component="section"
            aria-labelledby={emptyHeadingId}
            sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
          >
            <Typography variant="h3" id={emptyHeadingId} gutterBottom>
              No notification channels yet
            </Typography>
            <Typography color="text.secondary" sx={{ maxWidth: 520, mx: "auto", mb: canManage ? 3 : 0 }}>
              Until there is one, alerts only reach the inbox below. Add a webhook, a Slack channel or email
              addresses so the right people hear about them.
            </Typography>
            {canManage && (
              <Button
                variant="contained"
                size="large"
                onClick={() => {
                  changes.dismiss("create");
                  setCreating(true);
                }}
              >
                Add channel
              </Button>
            )}
          </Paper>
        )}
        {list && list.length > 0 && (
          <TableContainer component={Paper}>
            <Table aria-labelledby={headingId} sx={compactCells}>
              <TableHead>
                <TableRow>
                  <TableCell>Channel</TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Sends to</TableCell>
                  <TableCell>Last delivery</TableCell>
                  {canManage && (
                    <TableCell align="right">
                      <span style={visuallyHidden}>Actions</span>
                    </TableCell>
                  )}
                </TableRow>
              </TableHead>
              <TableBody>
                {list.map((channel) => (
                  <TableRow key={channel.id}>
                    <TableCell sx={{ overflowWrap: "anywhere" }}>
                      <Box sx={{ fontWeight: 600 }}>{channel.name}</Box>
                      <Typography variant="body2" color="text.secondary">
                        {channelTypeLabels[channel.type]}
                        {channel.hasSecret && " · signed"}
                      </Typography>
                    </TableCell>
                    <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                      <Destination channel={channel} />
                    </TableCell>
                    <TableCell>
                      <LastDelivery channel={channel} />
                    </TableCell>
                    {canManage && (
                      <TableCell align="right">
                        <Stack
                          direction={{ xs: "column", md: "row" }}
                          spacing={1}
                          sx={{ justifyContent: "flex-end" }}
                        >
                          <Button
                            size="small"
                            variant="outlined"
                            aria-label={`Send a test to ${channel.name}`}
                            onClick={() => test(channel)}
                          >
                            {changes.busy === `test:${channel.id}` ? "Sending…" : "Send test"}
                          </Button>
                          {channel.type === "webhook" && (
                            <Button
                              size="small"
                              aria-label={`New signing secret for ${channel.name}`}
                              onClick={() => {
                                changes.dismiss("rotate");
                                setRotating(channel);
                              }}
                            >
                              New secret
                            </Button>
                          )}
                          <Button
                            size="small"
                            color="error"
                            aria-label={`Delete ${channel.name}`}
                            onClick={() => {
                              changes.dismiss("delete");
                              setDeleting(channel);
                            }}
                          >
                            Delete
                          </Button>
                        </Stack>
                      </TableCell>
                    )}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
        {list && channels.error && (
          <FormErrorAlert title="The channels could not be refreshed" error={channels.error} />
        )}
        {testErrors.map(({ channel, error }) => (
          <FormErrorAlert key={channel.id} title={`No test was sent to ${channel.name}`} error={error} />
        ))}
        <Typography role="status" color="text.secondary">
          {changes.announcement}
        </Typography>
      </Stack>

      <InboxPanel inbox={inbox} />
      <OutboxPanel outbox={outbox} />

      {creating && (
        <CreateChannelDialog
          pending={changes.busy === "create"}
          error={changes.error("create")}
          onCreate={create}
          onCancel={() => setCreating(false)}
        />
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deleting?.name ?? "this channel"}?`}
        confirmLabel="Delete channel"
        destructive
        pending={changes.busy === "delete"}
        error={changes.error("delete")}
        errorTitle="Not deleted"
        onConfirm={remove}
        onCancel={() => setDeleting(undefined)}
      >
        Alerts stop going there at once, and notifications still queued for it are dropped. Rules that name it
        go on with their other channels.
      </ConfirmDialog>
      <ConfirmDialog
        open={rotating !== undefined}
        title={`New signing secret for ${rotating?.name ?? "this webhook"}?`}
        confirmLabel="Make a new secret"
        destructive
        pending={changes.busy === "rotate"}
        error={changes.error("rotate")}
        errorTitle="No new secret"
        onConfirm={rotate}
        onCancel={() => setRotating(undefined)}
      >
        The current secret stops verifying at once: update your receiver with the new one right after.
      </ConfirmDialog>
      <SecretRevealDialog
        open={secret.open}
        secret={shownSecret?.secret}
        title={`Signing secret of ${shownSecret?.name ?? "the webhook"}`}
        secretLabel="Signing secret"
        warning={
          <>
            <strong>You will not see this secret again.</strong> Store it with your receiver now. If you lose
            it, make a new one.
          </>
        }
        usage={
          <Typography variant="body2">
            Each post carries an <code>x-alchemist-signature</code> header,{" "}
            <code>t=&lt;unix seconds&gt;,v1=&lt;HMAC-SHA256&gt;</code>: the hex HMAC of{" "}
            <code>&lt;t&gt;.&lt;raw body&gt;</code> with this secret. Refuse a post whose signature does not
            match or whose time is more than five minutes off.
          </Typography>
        }
        onClose={secret.close}
        onExited={secret.forget}
      >
        <Typography>
          {shownSecret?.rotated ? "The webhook's new secret. " : "The webhook is added. "}
          Every notification it posts is signed with it, so your receiver can check that the platform sent it.
        </Typography>
      </SecretRevealDialog>
    </Stack>
  );
}
