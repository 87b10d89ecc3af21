import { useId } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Card,
  CardContent,
  Chip,
  Link,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { AnalyticsRange, ChannelAnalytics } from "../../data/analytics";
import { useAnalytics } from "../../data/hooks/analytics";
import { activityOf } from "../analytics/figures";
import { channelLabel, formatCount, formatRate } from "../shared/format";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { SectionLoadError } from "./SectionLoadError";
import { compactCells } from "../shared/tableStyles";

/** The window, in days up to now: the analytics page's default, so "Open analytics" shows the same figures. */
const activityRange: AnalyticsRange = 30;

/** Every channel an agent answers on, in the order of the page's cards; the platform's names. */
const channels = ["api", "openai-compatible", "mcp", "whatsapp", "widget", "callable", "studio"] as const;

const isKnown = (channel: string) => channels.some((known) => known === channel);

const columns = ["Messages", "Failed turns", "Abstention rate", "Last activity"] as const;

/**
 * How much each channel was used in the last 30 days, from `GET /v1/analytics`: one row per channel, the
 * quiet ones too, so a channel that stopped answering stands out. The parent shows it only to roles that
 * may read analytics (they are drawn from end users' conversations).
 */
export function ChannelActivity() {
  const headingId = useId();
  const analytics = useAnalytics({ days: activityRange });
  const data = analytics.data;
  const byChannel = new Map(data?.byChannel.map((c) => [c.channel, c]));
  // A channel the studio does not know yet still shows, after the known ones.
  const rows = [...channels, ...(data?.byChannel.map((c) => c.channel) ?? []).filter((c) => !isKnown(c))];

  return (
    <Card component="section" aria-labelledby={headingId}>
      <CardContent sx={{ p: { xs: 2, sm: 3 } }}>
        <Box sx={{ display: "flex", flexWrap: "wrap", alignItems: "baseline", gap: 1, mb: 1 }}>
          <Typography variant="h3" id={headingId} sx={{ flex: 1 }}>
            Activity in the last {activityRange} days
          </Typography>
          <Link component={RouterLink} to={`/analytics?range=${activityRange}`}>
            Open analytics
          </Link>
        </Box>
        {analytics.error && !data && (
          <SectionLoadError error={analytics.error} onRetry={analytics.retry} retrying={analytics.pending} />
        )}
        {!data && !analytics.error && <PageLoading label="Loading channel activity…" />}
        {data && (
          <>
            {/* `truncated` is about knowledge gaps only: the activity figures are always complete. */}
            {/* Scrolls sideways on a phone: focusable, so a keyboard can scroll it too. */}
            <TableContainer tabIndex={0} role="region" aria-label="Activity by channel, table">
              <Table size="small" aria-labelledby={headingId} sx={compactCells}>
                <TableHead>
                  <TableRow>
                    <TableCell scope="col">Channel</TableCell>
                    {columns.map((column) => (
                      <TableCell key={column} scope="col" align="right">
                        {column}
                      </TableCell>
                    ))}
                  </TableRow>
                </TableHead>
                <TableBody>
                  {rows.map((channel) => (
                    <ChannelRow key={channel} channel={channel} figures={byChannel.get(channel)} />
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          </>
        )}
      </CardContent>
    </Card>
  );
}

function ChannelRow({
  channel,
  figures,
}: {
  readonly channel: string;
  readonly figures: ChannelAnalytics | undefined;
}) {
  const header = (
    <TableCell component="th" scope="row">
      {channelLabel(channel)}
    </TableCell>
  );
  if (!figures || activityOf(figures) === 0) {
    return (
      <TableRow>
        {header}
        <TableCell colSpan={columns.length} sx={{ color: "text.secondary" }}>
          No messages
        </TableCell>
      </TableRow>
    );
  }
  return (
    <TableRow>
      {header}
      <TableCell align="right">{formatCount(figures.turns)}</TableCell>
      <TableCell align="right">
        {figures.failed > 0 ? (
          <Chip size="small" color="error" label={`${formatCount(figures.failed)} failed`} />
        ) : (
          "0"
        )}
      </TableCell>
      <TableCell align="right">{formatRate(figures.abstentionRate)}</TableCell>
      <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
        {figures.lastActivityAt ? <RelativeTime iso={figures.lastActivityAt} /> : "—"}
      </TableCell>
    </TableRow>
  );
}
