import { memo } from "react";
import { Box } from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { BarChart } from "@mui/x-charts/BarChart";
import { LineChart } from "@mui/x-charts/LineChart";
import type { AnalyticsDay, AnalyticsMetrics } from "../../data/analytics";
import { ChartCard, chartHeight } from "../shared/ChartCard";
import type { DataTableRow } from "../shared/DataTable";
import { totalTokens } from "./figures";
import {
  channelLabel,
  formatCompact,
  formatConfidence,
  formatCount,
  formatDay,
  formatDayWithYear,
  formatLatency,
  formatRate,
  plural,
} from "../shared/format";

type Value = number | null;

/** The day with the highest (or lowest) value; days without a value are skipped. */
function peakDay(
  series: readonly AnalyticsDay[],
  value: (day: AnalyticsDay) => Value,
  direction: "highest" | "lowest" = "highest",
): { readonly date: string; readonly value: number } | undefined {
  let peak: { date: string; value: number } | undefined;
  for (const day of series) {
    const v = value(day);
    if (v === null) continue;
    if (!peak || (direction === "highest" ? v > peak.value : v < peak.value))
      peak = { date: day.date, value: v };
  }
  return peak;
}

/** Marks only the points a line cannot show: a day with a value between two days without one. */
function isolatedPoints(data: readonly Value[]) {
  return ({ index }: { readonly index: number }) =>
    (data[index - 1] ?? null) === null && (data[index + 1] ?? null) === null;
}

function dayRows(series: readonly AnalyticsDay[], cells: (day: AnalyticsDay) => string[]): DataTableRow[] {
  return series.map((day) => ({
    key: day.date,
    header: <time dateTime={day.date}>{formatDayWithYear(day.date)}</time>,
    cells: cells(day),
  }));
}

/** A channel's messages on a day, failed turns included. */
const channelTurns = (day: AnalyticsDay, channel: string): number =>
  (day.byChannel?.[channel]?.turns ?? 0) + (day.byChannel?.[channel]?.failed ?? 0);

/** The channels with messages in the window, busiest first, with their totals. */
function channelsOf(series: readonly AnalyticsDay[]): { readonly channel: string; readonly total: number }[] {
  const totals = new Map<string, number>();
  for (const day of series) {
    for (const channel of Object.keys(day.byChannel ?? {})) {
      totals.set(channel, (totals.get(channel) ?? 0) + channelTurns(day, channel));
    }
  }
  return [...totals]
    .map(([channel, total]) => ({ channel, total }))
    .sort((a, b) => b.total - a.total || (a.channel < b.channel ? -1 : 1));
}

// Lines are straight from day to day ("linear"): the default smoothing overshoots, drawing a rate under 0%.

/** Room on the right for the last day's label: a line's last point sits on the edge, unlike a bar. */
const lineMargin = { right: 24 };

const gapNote = "Days without such messages have no point.";

interface DailyChartsProps {
  readonly series: readonly AnalyticsDay[];
  readonly totals: AnalyticsMetrics;
}

/** The per-day charts: traffic, outcomes, quality, speed and cost, one card each. */
export const DailyCharts = memo(function DailyCharts({ series, totals }: DailyChartsProps) {
  const { palette } = useTheme();
  const days = series.map((day) => day.date);
  const dayCount = series.length;
  const bandAxis = [{ scaleType: "band" as const, data: days, valueFormatter: formatDay }];
  const pointAxis = [{ scaleType: "point" as const, data: days, valueFormatter: formatDay }];
  const shareAxis = [{ min: 0, max: 1, valueFormatter: (v: number) => formatRate(v) }];

  const conversations = series.map((day) => day.conversations);
  const quietDays = series.filter((day) => day.conversations === 0).length;
  const busiestConversations = peakDay(series, (day) => day.conversations || null);

  const busiestMessages = peakDay(series, (day) => day.turns || null);

  const abstention = series.map((day) => day.abstentionRate);
  const mostAbstained = peakDay(series, (day) => day.abstentionRate);

  const confidence = series.map((day) => day.averageConfidence);
  const leastConfident = peakDay(series, (day) => day.averageConfidence, "lowest");

  const p50 = series.map((day) => day.latencyMs.p50);
  const p95 = series.map((day) => day.latencyMs.p95);
  const p99 = series.map((day) => day.latencyMs.p99);
  const slowest = peakDay(series, (day) => day.latencyMs.p95);

  const busiestTokens = peakDay(series, (day) => totalTokens(day) || null);

  const channels = channelsOf(series);
  const channelColors = [
    palette.primary.main,
    palette.secondary.main,
    palette.success.main,
    palette.warning.main,
    palette.info.main,
    palette.error.main,
    palette.grey[600],
    palette.primary.light,
  ];

  return (
    <Box
      sx={{
        display: "grid",
        gap: 2,
        gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
      }}
    >
      <ChartCard
        title="Conversations per day"
        summary={
          busiestConversations
            ? `Busiest day: ${formatDay(busiestConversations.date)}, with ${plural(busiestConversations.value, "conversation", "conversations")}. ` +
              `${plural(quietDays, "day", "days")} of ${formatCount(dayCount)} without any.`
            : `No conversations in these ${formatCount(dayCount)} days.`
        }
        rowHeader="Day"
        columns={["Conversations"]}
        rows={dayRows(series, (day) => [formatCount(day.conversations)])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ tickMinStep: 1, valueFormatter: formatCompact }]}
          series={[
            {
              data: conversations,
              label: "Conversations",
              color: palette.primary.main,
              valueFormatter: (v) => formatCount(v ?? 0),
            },
          ]}
          hideLegend
        />
      </ChartCard>

      <ChartCard
        title="Messages per day"
        summary={
          `${plural(totals.turns, "message", "messages")}: ${formatCount(totals.answered)} answered, ` +
          `${formatCount(totals.abstained)} abstained, ${formatCount(totals.declined)} declined` +
          (totals.failed > 0 ? `; ${plural(totals.failed, "turn", "turns")} failed.` : ".") +
          (busiestMessages
            ? ` Busiest day: ${formatDay(busiestMessages.date)}, with ${formatCount(busiestMessages.value)}.`
            : "")
        }
        rowHeader="Day"
        columns={["Answered", "Abstained", "Declined", "Failed", "Messages"]}
        rows={dayRows(series, (day) => [
          formatCount(day.answered),
          formatCount(day.abstained),
          formatCount(day.declined),
          formatCount(day.failed),
          formatCount(day.turns),
        ])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ tickMinStep: 1, valueFormatter: formatCompact }]}
          series={(
            [
              ["answered", "Answered", palette.primary.main],
              ["abstained", "Abstained", palette.warning.main],
              ["declined", "Declined", palette.grey[500]],
              ["failed", "Failed", palette.error.main],
            ] as const
          ).map(([outcome, label, color]) => ({
            data: series.map((day) => day[outcome]),
            label,
            color,
            stack: "outcome",
            valueFormatter: (v: Value) => formatCount(v ?? 0),
          }))}
        />
      </ChartCard>

      <ChartCard
        title="Messages per day by channel"
        summary={
          channels.length === 0
            ? `No messages in these ${formatCount(dayCount)} days.`
            : `${plural(channels.length, "channel", "channels")} had messages (failed turns included). ` +
              channels
                .map(({ channel, total }) => `${channelLabel(channel)}: ${formatCount(total)}`)
                .join(", ") +
              "."
        }
        rowHeader="Day"
        columns={channels.map(({ channel }) => channelLabel(channel))}
        rows={dayRows(series, (day) =>
          channels.map(({ channel }) => formatCount(channelTurns(day, channel))),
        )}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ tickMinStep: 1, valueFormatter: formatCompact }]}
          series={channels.map(({ channel }, i) => ({
            data: series.map((day) => channelTurns(day, channel)),
            label: channelLabel(channel),
            color: channelColors[i % channelColors.length],
            stack: "channel",
            valueFormatter: (v: Value) => formatCount(v ?? 0),
          }))}
        />
      </ChartCard>

      <ChartCard
        title="Abstention rate per day"
        summary={
          `${formatRate(totals.abstentionRate)} over the range: the share of questions the agents declined to ` +
          `answer for lack of evidence.` +
          (mostAbstained
            ? ` Highest on ${formatDay(mostAbstained.date)}: ${formatRate(mostAbstained.value)}. ${gapNote}`
            : "")
        }
        rowHeader="Day"
        columns={["Abstention rate", "Abstained", "Answered"]}
        rows={dayRows(series, (day) => [
          formatRate(day.abstentionRate),
          formatCount(day.abstained),
          formatCount(day.answered),
        ])}
      >
        <LineChart
          height={chartHeight}
          margin={lineMargin}
          xAxis={pointAxis}
          yAxis={shareAxis}
          series={[
            {
              data: abstention,
              label: "Abstention rate",
              color: palette.warning.main,
              curve: "linear",
              showMark: isolatedPoints(abstention),
              valueFormatter: formatRate,
            },
          ]}
          hideLegend
        />
      </ChartCard>

      <ChartCard
        title="Average confidence per day"
        summary={
          `${formatConfidence(totals.averageConfidence)} over ${plural(totals.answered, "answer", "answers")}.` +
          (leastConfident
            ? ` Lowest on ${formatDay(leastConfident.date)}: ${formatConfidence(leastConfident.value)}. ${gapNote}`
            : "")
        }
        rowHeader="Day"
        columns={["Average confidence", "Answers"]}
        rows={dayRows(series, (day) => [formatConfidence(day.averageConfidence), formatCount(day.answered)])}
      >
        <LineChart
          height={chartHeight}
          margin={lineMargin}
          xAxis={pointAxis}
          yAxis={shareAxis}
          series={[
            {
              data: confidence,
              label: "Average confidence",
              color: palette.success.main,
              curve: "linear",
              showMark: isolatedPoints(confidence),
              valueFormatter: formatConfidence,
            },
          ]}
          hideLegend
        />
      </ChartCard>

      <ChartCard
        title="Latency per day"
        summary={
          `Over the range: p50 ${formatLatency(totals.latencyMs.p50)}, p95 ${formatLatency(totals.latencyMs.p95)}, ` +
          `p99 ${formatLatency(totals.latencyMs.p99)}.` +
          (slowest
            ? ` Slowest p95 on ${formatDay(slowest.date)}: ${formatLatency(slowest.value)}. Days without turns have no point.`
            : "")
        }
        rowHeader="Day"
        columns={["p50", "p95", "p99"]}
        rows={dayRows(series, (day) => [
          formatLatency(day.latencyMs.p50),
          formatLatency(day.latencyMs.p95),
          formatLatency(day.latencyMs.p99),
        ])}
      >
        <LineChart
          height={chartHeight}
          margin={lineMargin}
          xAxis={pointAxis}
          yAxis={[{ min: 0, width: 60, valueFormatter: (v: number) => formatLatency(v) }]}
          series={[
            { data: p50, label: "p50", color: palette.primary.light },
            { data: p95, label: "p95", color: palette.primary.main },
            { data: p99, label: "p99", color: palette.secondary.main },
          ].map((line) => ({
            ...line,
            curve: "linear" as const,
            showMark: isolatedPoints(line.data),
            valueFormatter: formatLatency,
          }))}
        />
      </ChartCard>

      <ChartCard
        title="Token use per day"
        summary={
          `${plural(totalTokens(totals), "token", "tokens")}: ${formatCount(totals.tokens.input)} input, ` +
          `${formatCount(totals.tokens.output)} output.` +
          (busiestTokens
            ? ` Most on ${formatDay(busiestTokens.date)}: ${formatCount(busiestTokens.value)}.`
            : "")
        }
        rowHeader="Day"
        columns={["Input", "Output", "Total"]}
        rows={dayRows(series, (day) => [
          formatCount(day.tokens.input),
          formatCount(day.tokens.output),
          formatCount(totalTokens(day)),
        ])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ valueFormatter: formatCompact }]}
          series={[
            { data: series.map((day) => day.tokens.input), label: "Input", color: palette.primary.main },
            { data: series.map((day) => day.tokens.output), label: "Output", color: palette.secondary.main },
          ].map((bars) => ({ ...bars, stack: "tokens", valueFormatter: (v: Value) => formatCount(v ?? 0) }))}
        />
      </ChartCard>
    </Box>
  );
});
