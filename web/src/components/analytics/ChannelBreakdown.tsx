import { memo, useId } from "react";
import { Paper, Typography } from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { BarChart } from "@mui/x-charts/BarChart";
import type { ChannelAnalytics } from "../../data/analytics";
import { ChartFigure } from "../shared/ChartCard";
import { DataTable } from "../shared/DataTable";
import { activityOf, totalTokens } from "./figures";
import {
  channelLabel,
  formatCompact,
  formatConfidence,
  formatCount,
  formatLatency,
  formatRate,
  plural,
} from "../shared/format";

/** One bar per channel, so the chart grows with them: readable labels at any count. */
const barHeight = 44;
const axisHeight = 80;

/** Where the messages came from: one stacked bar per channel, and every figure per channel in a table. */
export const ChannelBreakdown = memo(function ChannelBreakdown({
  channels,
}: {
  readonly channels: readonly ChannelAnalytics[];
}) {
  const { palette } = useTheme();
  const headingId = useId();
  const summaryId = useId();
  const labels = channels.map((c) => channelLabel(c.channel));
  const busiest = channels[0];
  const total = channels.reduce((sum, c) => sum + activityOf(c), 0);

  return (
    <Paper
      component="section"
      aria-labelledby={headingId}
      sx={{ p: { xs: 2, sm: 2.5 }, display: "flex", flexDirection: "column", gap: 1, minWidth: 0 }}
    >
      <Typography variant="h2" id={headingId}>
        By channel
      </Typography>
      <Typography variant="body2" color="text.secondary" id={summaryId}>
        {busiest && total > 0
          ? `${plural(channels.length, "channel", "channels")}. The busiest, ${channelLabel(busiest.channel)}, ` +
            `had ${formatRate(activityOf(busiest) / total)} of the turns.`
          : "No channel had any traffic."}
      </Typography>
      <ChartFigure labelledBy={headingId} describedBy={summaryId}>
        <BarChart
          layout="horizontal"
          height={axisHeight + barHeight * Math.max(1, channels.length)}
          yAxis={[{ scaleType: "band", data: labels, width: 120 }]}
          xAxis={[{ tickMinStep: 1, tickNumber: 6, valueFormatter: formatCompact }]}
          series={(
            [
              ["answered", "Answered", palette.primary.main],
              ["abstained", "Abstained", palette.warning.main],
              ["declined", "Declined", palette.grey[500]],
              ["failed", "Failed", palette.error.main],
            ] as const
          ).map(([outcome, label, color]) => ({
            data: channels.map((c) => c[outcome]),
            label,
            color,
            stack: "outcome",
            valueFormatter: (v: number | null) => formatCount(v ?? 0),
          }))}
        />
      </ChartFigure>
      <DataTable
        label="Figures by channel"
        rowHeader="Channel"
        columns={[
          "Conversations",
          "Messages",
          "Failed",
          "Abstention rate",
          "Average confidence",
          "Latency (p95)",
          "Tokens",
        ]}
        rows={channels.map((c) => ({
          key: c.channel,
          header: channelLabel(c.channel),
          cells: [
            formatCount(c.conversations),
            formatCount(c.turns),
            formatCount(c.failed),
            formatRate(c.abstentionRate),
            formatConfidence(c.averageConfidence),
            formatLatency(c.latencyMs.p95),
            formatCount(totalTokens(c)),
          ],
        }))}
      />
    </Paper>
  );
});
