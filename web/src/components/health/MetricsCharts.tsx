import { memo } from "react";
import { Box } from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { LineChart } from "@mui/x-charts/LineChart";
import type { MetricStep, MonitorSeries, SeriesKind, SeriesPoint } from "../../data/monitor";
import { ChartCard, chartHeight } from "../shared/ChartCard";
import type { DataTableRow } from "../shared/DataTable";
import { formatCompact, formatCount, formatLatency, formatRate, plural } from "../shared/format";
import { formatPointTime, formatTick } from "./format";

type Value = number | null;

/** The point with the highest value; points without one are skipped. */
export function peakPoint(
  points: readonly SeriesPoint[],
  value: (point: SeriesPoint) => Value,
): { readonly at: string; readonly value: number } | undefined {
  let peak: { at: string; value: number } | undefined;
  for (const point of points) {
    const v = value(point);
    if (v !== null && (!peak || v > peak.value)) peak = { at: point.at, value: v };
  }
  return peak;
}

/** The whole window's figures: sums, and the error rate over them (errors / count, as the platform's). */
export function seriesTotals(points: readonly SeriesPoint[]) {
  const count = points.reduce((sum, p) => sum + p.count, 0);
  const errors = points.reduce((sum, p) => sum + p.errors, 0);
  const abstained = points.reduce((sum, p) => sum + p.abstained, 0);
  // No window-wide abstention rate: it is over answered and abstained turns, which the points do not count.
  return { count, errors, abstained, errorRate: count === 0 ? null : errors / count };
}

/** Marks only the points a line cannot show: a value between two steps without one. */
function isolatedPoints(data: readonly Value[]) {
  return ({ index }: { readonly index: number }) =>
    (data[index - 1] ?? null) === null && (data[index + 1] ?? null) === null;
}

const lineMargin = { right: 24 };

const kindWords: Record<SeriesKind, { readonly one: string; readonly many: string; readonly title: string }> =
  {
    turn: { one: "turn", many: "turns", title: "Turns" },
    request: { one: "request", many: "requests", title: "Requests" },
  };

interface MetricsChartsProps {
  readonly series: MonitorSeries;
  readonly kind: SeriesKind;
}

/** Latency, error rate, traffic and (for turns) abstentions over the window, one card each. */
export const MetricsCharts = memo(function MetricsCharts({ series, kind }: MetricsChartsProps) {
  const { palette } = useTheme();
  const { points, step } = series;
  const words = kindWords[kind];
  const totals = seriesTotals(points);
  const stepWord: Record<MetricStep, string> = { minute: "minute", hour: "hour", day: "day" };
  const xAxis = [
    {
      scaleType: "utc" as const,
      data: points.map((p) => new Date(p.at)),
      valueFormatter: (value: Date) => formatTick(value, step),
    },
  ];
  const rows = (cells: (point: SeriesPoint) => string[]): DataTableRow[] =>
    points.map((point) => ({
      key: point.at,
      header: <time dateTime={point.at}>{formatPointTime(point.at, step)}</time>,
      cells: cells(point),
    }));
  const when = (at: string) => formatPointTime(at, step);

  const p50 = points.map((p) => p.p50);
  const p95 = points.map((p) => p.p95);
  const p99 = points.map((p) => p.p99);
  const slowest = peakPoint(points, (p) => p.p95);

  const errorRate = points.map((p) => p.errorRate);
  const worstErrors = peakPoint(points, (p) => p.errorRate || null);

  const busiest = peakPoint(points, (p) => p.count || null);

  const abstention = points.map((p) => p.abstentionRate);
  const mostAbstained = peakPoint(points, (p) => p.abstentionRate || null);

  const gapNote = `A ${stepWord[step]} without ${words.many} has no point.`;

  return (
    <Box
      sx={{
        display: "grid",
        gap: 2,
        gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
      }}
    >
      <ChartCard
        title="Latency"
        summary={
          slowest
            ? `Slowest p95: ${formatLatency(slowest.value)}, at ${when(slowest.at)}. ${gapNote}`
            : `No ${words.many} to time in this window.`
        }
        rowHeader="Time"
        columns={["p50", "p95", "p99"]}
        rows={rows((p) => [formatLatency(p.p50), formatLatency(p.p95), formatLatency(p.p99)])}
      >
        <LineChart
          height={chartHeight}
          margin={lineMargin}
          xAxis={xAxis}
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
        title="Error rate"
        summary={
          `${formatRate(totals.errorRate)} over the window: ${plural(totals.errors, `failed ${words.one}`, `failed ${words.many}`)} of ${formatCount(totals.count)}.` +
          (worstErrors ? ` Highest at ${when(worstErrors.at)}: ${formatRate(worstErrors.value)}.` : "")
        }
        rowHeader="Time"
        columns={["Error rate", "Errors", words.title]}
        rows={rows((p) => [formatRate(p.errorRate), formatCount(p.errors), formatCount(p.count)])}
      >
        <LineChart
          height={chartHeight}
          margin={lineMargin}
          xAxis={xAxis}
          yAxis={[{ min: 0, max: 1, valueFormatter: (v: number) => formatRate(v) }]}
          series={[
            {
              data: errorRate,
              label: "Error rate",
              color: palette.error.main,
              curve: "linear",
              showMark: isolatedPoints(errorRate),
              valueFormatter: formatRate,
            },
          ]}
          hideLegend
        />
      </ChartCard>

      <ChartCard
        title={words.title}
        summary={
          `${plural(totals.count, words.one, words.many)} in the window, ${formatCount(totals.errors)} failed.` +
          (busiest
            ? ` Busiest ${stepWord[step]}: ${when(busiest.at)}, with ${formatCount(busiest.value)}.`
            : "")
        }
        rowHeader="Time"
        columns={["All", "Failed", "Tokens in", "Tokens out"]}
        rows={rows((p) => [
          formatCount(p.count),
          formatCount(p.errors),
          formatCount(p.tokensIn),
          formatCount(p.tokensOut),
        ])}
      >
        <LineChart
          height={chartHeight}
          margin={lineMargin}
          xAxis={xAxis}
          yAxis={[{ min: 0, tickMinStep: 1, valueFormatter: formatCompact }]}
          series={[
            { data: points.map((p) => p.count), label: "All", color: palette.primary.main },
            { data: points.map((p) => p.errors), label: "Failed", color: palette.error.main },
          ].map((line) => ({
            ...line,
            curve: "linear" as const,
            showMark: false,
            valueFormatter: (v: Value) => formatCount(v ?? 0),
          }))}
        />
      </ChartCard>

      {kind === "turn" && (
        <ChartCard
          title="Abstention rate"
          summary={
            `${plural(totals.abstained, "abstention", "abstentions")} in the window: questions the agents declined to answer for lack of evidence.` +
            (mostAbstained
              ? ` Highest at ${when(mostAbstained.at)}: ${formatRate(mostAbstained.value)}.`
              : "")
          }
          rowHeader="Time"
          columns={["Abstention rate", "Abstained", "Turns"]}
          rows={rows((p) => [formatRate(p.abstentionRate), formatCount(p.abstained), formatCount(p.count)])}
        >
          <LineChart
            height={chartHeight}
            margin={lineMargin}
            xAxis={xAxis}
            yAxis={[{ min: 0, max: 1, valueFormatter: (v: number) => formatRate(v) }]}
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
      )}
    </Box>
  );
});
