import { memo } from "react";
import {
  Alert,
  Box,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { BarChart } from "@mui/x-charts/BarChart";
import {
  experimentMetricLabels,
  experimentMetrics,
  type ExperimentMetric,
  type ExperimentResults,
  type Significance,
  type VariantMetrics,
} from "../../data/experiments";
import { ChartCard, chartHeight } from "../shared/ChartCard";
import { formatCount, formatLatency, formatRate } from "../shared/format";
import { formatMoney } from "../shared/money";

/** Experiments cost what the billing catalog charges: micros of US dollars. */
const currency = "usd";

const shortMetric: Record<ExperimentMetric, string> = {
  answerRate: "Answer rate",
  feedbackScore: "Feedback score",
  abstentionRate: "Abstention rate",
};

export const formatPValue = (p: number | null) => (p === null ? "—" : p < 0.001 ? "< 0.001" : p.toFixed(3));

const formatPoints = (d: number) => `${d > 0 ? "+" : d < 0 ? "−" : "±"}${(Math.abs(d) * 100).toFixed(1)} pts`;

export function formatDifference(d: number | null): string {
  return d === null ? "—" : formatPoints(d);
}

export function formatCi(ci: readonly [number, number] | null): string {
  return ci === null ? "—" : `${formatPoints(ci[0])} to ${formatPoints(ci[1])}`;
}

/** Why there is not enough data, without the platform's own "not enough data:" lead (the screen says it). */
export function shortReason(reason: string): string {
  return reason.replace(/^not enough data:\s*/i, "");
}

/** What a comparison says, in words that do not rely on its color. */
export function verdictOf(s: Significance): string {
  if (!s.enoughData) return `Not enough data: ${shortReason(s.reason)}`;
  if (!s.significant) return "No significant difference";
  const better = (s.difference ?? 0) > 0 === s.higherIsBetter;
  return better ? "Significantly better" : "Significantly worse";
}

const nameOf = (variants: readonly VariantMetrics[], id: string) =>
  variants.find((v) => v.variantId === id)?.name ?? id;

/** Every figure per variant: the numbers the charts draw, as a table. */
export function VariantFiguresTable({ variants }: { readonly variants: readonly VariantMetrics[] }) {
  return (
    <TableContainer tabIndex={0} role="group" aria-label="Per-variant figures: the numbers">
      <Table size="small" aria-label="Per-variant figures">
        <TableHead>
          <TableRow>
            {[
              "Variant",
              "Share",
              "Turns",
              "Answer rate",
              "Abstention rate",
              "Feedback score",
              "Ratings",
              "Latency p50",
              "Latency p95",
              "Tokens",
              "Cost",
              "Cost per turn",
              "Eval score",
            ].map((column, i) => (
              <TableCell
                key={column}
                scope="col"
                align={i === 0 ? "left" : "right"}
                sx={{ whiteSpace: "nowrap" }}
              >
                {column}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {variants.map((v) => (
            <TableRow key={v.variantId}>
              <TableCell component="th" scope="row" sx={{ whiteSpace: "nowrap" }}>
                {v.name}
              </TableCell>
              {[
                formatRate(v.share),
                formatCount(v.turns),
                formatRate(v.answerRate),
                formatRate(v.abstentionRate),
                formatRate(v.feedbackScore),
                `${formatCount(v.ratingsUp)} up of ${formatCount(v.ratings)}`,
                formatLatency(v.latencyP50Ms),
                formatLatency(v.latencyP95Ms),
                formatCount(v.inputTokens + v.outputTokens),
                formatMoney(v.costMicros, currency),
                v.costPerTurnMicros === null ? "—" : formatMoney(Math.round(v.costPerTurnMicros), currency),
                formatRate(v.evalScore),
              ].map((cell, i) => (
                <TableCell key={i} align="right" sx={{ whiteSpace: "nowrap" }}>
                  {cell}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Per-variant metrics as charts, each with its numbers on request. */
export const VariantCharts = memo(function VariantCharts({
  variants,
}: {
  readonly variants: readonly VariantMetrics[];
}) {
  const { palette } = useTheme();
  const names = variants.map((v) => v.name);
  const bandAxis = [{ scaleType: "band" as const, data: names }];
  const rows = (cells: (v: VariantMetrics) => string[]) =>
    variants.map((v) => ({ key: v.variantId, header: v.name, cells: cells(v) }));
  const rate = (value: number | null) => formatRate(value);
  const highest = (pick: (v: VariantMetrics) => number | null) => {
    let best: VariantMetrics | undefined;
    for (const v of variants) {
      const x = pick(v);
      if (x !== null && (best === undefined || x > (pick(best) ?? -Infinity))) best = v;
    }
    return best;
  };
  const mostAnswers = highest((v) => v.answerRate);
  const bestRated = highest((v) => v.feedbackScore);
  const slowest = highest((v) => v.latencyP95Ms);
  const costliest = highest((v) => v.costPerTurnMicros);

  return (
    <Box
      sx={{
        display: "grid",
        gap: 2,
        gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
      }}
    >
      <ChartCard
        title="Answers, abstentions and feedback"
        summary={
          mostAnswers
            ? `Highest answer rate: ${mostAnswers.name}, ${rate(mostAnswers.answerRate)}.` +
              (bestRated
                ? ` Best feedback: ${bestRated.name}, ${rate(bestRated.feedbackScore)} thumbs up.`
                : " No ratings yet.")
            : "No turns yet: the rates appear once end users talk to the agent."
        }
        rowHeader="Variant"
        columns={["Answer rate", "Abstention rate", "Feedback score"]}
        rows={rows((v) => [rate(v.answerRate), rate(v.abstentionRate), rate(v.feedbackScore)])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ min: 0, max: 1, valueFormatter: (v: number) => formatRate(v) }]}
          series={(
            [
              ["answerRate", palette.primary.main],
              ["abstentionRate", palette.warning.main],
              ["feedbackScore", palette.success.main],
            ] as const
          ).map(([metric, color]) => ({
            data: variants.map((v) => v[metric]),
            label: shortMetric[metric],
            color,
            valueFormatter: (v: number | null) => formatRate(v),
          }))}
        />
      </ChartCard>
      <ChartCard
        title="Latency"
        summary={
          slowest
            ? `Slowest p95: ${slowest.name}, ${formatLatency(slowest.latencyP95Ms)}.`
            : "No turns to time yet."
        }
        rowHeader="Variant"
        columns={["p50", "p95"]}
        rows={rows((v) => [formatLatency(v.latencyP50Ms), formatLatency(v.latencyP95Ms)])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ min: 0, width: 60, valueFormatter: (v: number) => formatLatency(v) }]}
          series={[
            { data: variants.map((v) => v.latencyP50Ms), label: "p50", color: palette.primary.light },
            { data: variants.map((v) => v.latencyP95Ms), label: "p95", color: palette.primary.dark },
          ].map((s) => ({ ...s, valueFormatter: (v: number | null) => formatLatency(v) }))}
        />
      </ChartCard>
      <ChartCard
        title="Cost per turn"
        summary={
          costliest
            ? `Costliest per turn: ${costliest.name}, ${formatMoney(Math.round(costliest.costPerTurnMicros ?? 0), currency)} (estimated with the billing prices).`
            : "No turns to cost yet."
        }
        rowHeader="Variant"
        columns={["Cost per turn", "Cost", "Turns"]}
        rows={rows((v) => [
          v.costPerTurnMicros === null ? "—" : formatMoney(Math.round(v.costPerTurnMicros), currency),
          formatMoney(v.costMicros, currency),
          formatCount(v.turns),
        ])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ min: 0, width: 72, valueFormatter: (v: number) => formatMoney(Math.round(v), currency) }]}
          series={[
            {
              data: variants.map((v) => v.costPerTurnMicros),
              label: "Cost per turn",
              color: palette.secondary.main,
              valueFormatter: (v: number | null) => (v === null ? "—" : formatMoney(Math.round(v), currency)),
            },
          ]}
          hideLegend
        />
      </ChartCard>
      <ChartCard
        title="Traffic"
        summary={`${formatCount(variants.reduce((n, v) => n + v.turns, 0))} turns so far, split ${variants.map((v) => `${v.name} ${formatCount(v.turns)}`).join(", ")}.`}
        rowHeader="Variant"
        columns={["Turns", "Answered", "Abstained", "Failed"]}
        rows={rows((v) => [
          formatCount(v.turns),
          formatCount(v.answered),
          formatCount(v.abstained),
          formatCount(v.failed),
        ])}
      >
        <BarChart
          height={chartHeight}
          xAxis={bandAxis}
          yAxis={[{ min: 0, tickMinStep: 1 }]}
          series={(
            [
              ["answered", "Answered", palette.primary.main],
              ["abstained", "Abstained", palette.warning.main],
              ["failed", "Failed", palette.error.main],
            ] as const
          ).map(([key, label, color]) => ({
            data: variants.map((v) => v[key]),
            label,
            color,
            stack: "turns",
            valueFormatter: (v: number | null) => formatCount(v ?? 0),
          }))}
        />
      </ChartCard>
    </Box>
  );
});

/** Each variant against the baseline: the test named, p-values, intervals, and "not enough data" plainly. */
export function SignificancePanel({
  results,
  metric,
}: {
  readonly results: ExperimentResults;
  readonly metric: ExperimentMetric;
}) {
  const { variants, significance } = results;
  // The deciding metric first, then the others in the platform's order.
  const sorted = [...significance].sort(
    (a, b) =>
      Number(b.metric === metric) - Number(a.metric === metric) ||
      experimentMetrics.indexOf(a.metric) - experimentMetrics.indexOf(b.metric),
  );
  const method = significance[0]?.method;
  const decided = significance.filter((s) => s.metric === metric);
  const enough = decided.some((s) => s.enoughData);
  const level = Math.round((significance[0]?.confidenceLevel ?? 0.95) * 100);
  return (
    <Paper component="section" aria-labelledby="experiment-significance-heading" sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id="experiment-significance-heading" gutterBottom>
        Significance
      </Typography>
      <Typography sx={{ mb: 1 }}>
        Decided on: <strong>{experimentMetricLabels[metric]}</strong>. Method:{" "}
        {method ?? "two-proportion z-test"}.
        {variants.length > 2 &&
          " With more than two variants the p-values are adjusted (Bonferroni): the adjusted value decides."}
      </Typography>
      {!enough && (
        <Alert severity="info" sx={{ mb: 2 }}>
          Not enough data yet to tell the variants apart on {shortMetric[metric].toLowerCase()}:{" "}
          {shortReason(decided[0]?.reason ?? "") || "the test needs more turns per variant."}
        </Alert>
      )}
      {results.winnerVariantId !== null && (
        <Alert severity="success" sx={{ mb: 2 }}>
          {nameOf(variants, results.winnerVariantId)} is significantly better on{" "}
          {shortMetric[metric].toLowerCase()}.
        </Alert>
      )}
      {sorted.length === 0 ? (
        <Typography color="text.secondary">No comparison yet.</Typography>
      ) : (
        <TableContainer tabIndex={0} role="group" aria-label="Significance: the numbers">
          <Table size="small" aria-label="Significance of each variant against the baseline">
            <TableHead>
              <TableRow>
                {[
                  "Metric",
                  "Variant vs. baseline",
                  "Baseline",
                  "Variant",
                  "Difference",
                  `${level}% CI`,
                  "p-value",
                  "Adjusted p",
                  "Verdict",
                ].map((c) => (
                  <TableCell key={c} scope="col" sx={{ whiteSpace: "nowrap" }}>
                    {c}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {sorted.map((s) => (
                <TableRow key={`${s.metric}-${s.variantId}`} selected={s.metric === metric}>
                  <TableCell component="th" scope="row" sx={{ whiteSpace: "nowrap" }}>
                    {shortMetric[s.metric]}
                    {s.metric === metric ? " (decides)" : ""}
                  </TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    {nameOf(variants, s.variantId)} vs. {nameOf(variants, s.baselineVariantId)}
                  </TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    {formatRate(s.baseline.rate)} ({formatCount(s.baseline.successes)}/
                    {formatCount(s.baseline.n)})
                  </TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    {formatRate(s.variant.rate)} ({formatCount(s.variant.successes)}/
                    {formatCount(s.variant.n)})
                  </TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>{formatDifference(s.difference)}</TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>{formatCi(s.ci)}</TableCell>
                  <TableCell>{formatPValue(s.pValue)}</TableCell>
                  <TableCell>{formatPValue(s.pValueAdjusted)}</TableCell>
                  <TableCell sx={{ minWidth: 220 }}>
                    {s.enoughData ? (
                      verdictOf(s)
                    ) : (
                      <>
                        Not enough data
                        <Typography variant="body2" color="text.secondary">
                          {shortReason(s.reason)}
                        </Typography>
                      </>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
