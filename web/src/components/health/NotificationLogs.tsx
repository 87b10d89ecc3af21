import { useId, type ReactNode } from "react";
import { Link as RouterLink } from "react-router";
import { Box, Button, Link, Paper, Stack, Typography } from "@mui/material";
import type { InboxNotification, OutboxEmail } from "../../data/monitor";
import type { RemoteData } from "../../data/useRemoteData";
import { formatInstant } from "../shared/format";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "../settings/SectionLoadError";
import { severityPresentation } from "./format";
import { PresentationChip } from "./PresentationChip";
import { incidentPath } from "./sections";

const notificationTypeLabels: Record<string, string> = {
  fired: "Firing",
  renotified: "Still firing",
  resolved: "Resolved",
  test: "Test",
};

/** A list's loading and error states; `children` once it has loaded. */
function Loaded<T>({
  remote,
  label,
  children,
}: {
  readonly remote: RemoteData<T>;
  readonly label: string;
  readonly children: (data: T) => ReactNode;
}) {
  if (remote.data !== undefined) return <>{children(remote.data)}</>;
  if (remote.error)
    return <SectionLoadError error={remote.error} onRetry={remote.retry} retrying={remote.pending} />;
  return <PageLoading label={label} />;
}

/** The in-app notifications, newest first: what in-app channels (and alerts with no channel) said. */
export function InboxPanel({ inbox }: { readonly inbox: RemoteData<InboxNotification[]> }) {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Inbox"
        level="h3"
        description="In-app notifications, newest first. An alert whose rule names no channel that still exists lands here too."
        action={
          inbox.data ? (
            <Button variant="outlined" size="small" onClick={inbox.retry}>
              {inbox.pending ? "Refreshing…" : "Refresh inbox"}
            </Button>
          ) : undefined
        }
      />
      <Loaded remote={inbox} label="Loading the inbox…">
        {(notifications) =>
          notifications.length === 0 ? (
            <Typography color="text.secondary">No notifications yet.</Typography>
          ) : (
            <Paper component="ul" aria-labelledby={headingId} sx={{ m: 0, p: 0, listStyle: "none" }}>
              {notifications.map((n, i) => (
                <Box
                  component="li"
                  key={n.id}
                  sx={{ px: 2, py: 1.5, borderTop: i === 0 ? 0 : 1, borderColor: "divider" }}
                >
                  <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center" }}>
                    <PresentationChip presentation={severityPresentation[n.severity]} />
                    <Typography sx={{ fontWeight: 600 }}>
                      {notificationTypeLabels[n.type] ?? n.type}: {n.ruleName}
                    </Typography>
                    <Typography variant="body2" color="text.secondary">
                      <RelativeTime iso={n.at} />
                    </Typography>
                  </Box>
                  <Typography variant="body2">{n.summary}</Typography>
                  {n.incidentId && (
                    <Link component={RouterLink} to={incidentPath(n.incidentId)} variant="body2">
                      View the incident
                    </Link>
                  )}
                </Box>
              ))}
            </Paper>
          )
        }
      </Loaded>
    </Stack>
  );
}

/** Alert emails as written for the Trigger Email extension, newest first: local mode's only way to read them. */
export function OutboxPanel({ outbox }: { readonly outbox: RemoteData<OutboxEmail[]> }) {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Outbox"
        level="h3"
        description="The emails email channels were sent, newest first. With Firebase, the Trigger Email extension sends them; in local mode nothing does, so read them here."
        action={
          outbox.data ? (
            <Button variant="outlined" size="small" onClick={outbox.retry}>
              {outbox.pending ? "Refreshing…" : "Refresh outbox"}
            </Button>
          ) : undefined
        }
      />
      <Loaded remote={outbox} label="Loading the outbox…">
        {(emails) =>
          emails.length === 0 ? (
            <Typography color="text.secondary">No emails yet.</Typography>
          ) : (
            <Paper component="ul" aria-labelledby={headingId} sx={{ m: 0, p: 0, listStyle: "none" }}>
              {emails.map((email, i) => (
                <Box
                  component="li"
                  key={email.id}
                  sx={{ px: 2, py: 1.5, borderTop: i === 0 ? 0 : 1, borderColor: "divider" }}
                >
                  <Box component="details">
                    <Box component="summary" sx={{ cursor: "pointer" }}>
                      <Typography component="span" sx={{ fontWeight: 600 }}>
                        {email.subject}
                      </Typography>
                      <Typography component="span" variant="body2" color="text.secondary">
                        {" "}
                        · to {email.to.join(", ")} · {formatInstant(email.createdAt)}
                      </Typography>
                    </Box>
                    <Typography
                      variant="body2"
                      sx={{ whiteSpace: "pre-wrap", mt: 1, overflowWrap: "anywhere" }}
                    >
                      {email.text}
                    </Typography>
                  </Box>
                </Box>
              ))}
            </Paper>
          )
        }
      </Loaded>
    </Stack>
  );
}
