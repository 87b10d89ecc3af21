import { Box, Table, TableBody, TableCell, TableContainer, TableRow, Typography } from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { BarChart } from "@mui/x-charts/BarChart";
import type { RunScores } from "../../data/evaluations";
import { ChartCard, chartHeight } from "../shared/ChartCard";
import { formatCount, formatLatency, formatRate } from "../shared/format";
import { formatMoney } from "../shared/money";

/** A run's overall scores, one row each, with what each means in a few words. */
export function RunScoresTable({ scores }: { readonly scores: RunScores }) {
  const rows: [string, string, string][] = [
    [
      "Accuracy",
      formatRate(scores.accuracy),
      `${formatCount(scores.correct)} of ${formatCount(scores.items)} answers correct${scores.errors > 0 ? `, ${formatCount(scores.errors)} turns failed` : ""}`,
    ],
    [
      "Citation precision",
      formatRate(scores.citationPrecision),
      `Of ${formatCount(scores.citations)} citations, the share whose passage supports the sentence and matches an expected source`,
    ],
    [
      "Abstention precision",
      formatRate(scores.abstentionPrecision),
      "Of the abstentions, the share that should have abstained",
    ],
    [
      "Abstention recall",
      formatRate(scores.abstentionRecall),
      "Of the items that should abstain, the share that did",
    ],
    [
      "Calibration error (ECE)",
      scores.ece === null ? "—" : scores.ece.toFixed(3),
      "How far confidence is from accuracy (10 bins); lower is better",
    ],
    ["Latency p50", formatLatency(scores.latencyP50Ms), "Half the answers took at most this"],
    ["Latency p95", formatLatency(scores.latencyP95Ms), "95% of the answers took at most this"],
    [
      "Tokens",
      formatCount(scores.tokensIn + scores.tokensOut),
      `${formatCount(scores.tokensIn)} in, ${formatCount(scores.tokensOut)} out`,
    ],
    ["Cost", formatMoney(scores.costMicros, scores.currency), "Billed as sandbox usage"],
    [
      "Judged by",
      scores.judge === "llm" ? "Rules and a model (LLM judge)" : "Rules",
      scores.judge === "llm"
        ? `A configured model also judged each answer${scores.judgeScore === null ? "" : `: mean score ${formatRate(scores.judgeScore)}`}`
        : "The documented rules (expected facts, reference overlap); no model judge is configured",
    ],
  ];
  return (
    <TableContainer tabIndex={0} role="group" aria-label="Scores: the table">
      <Table size="small" aria-label="Scores">
        <TableBody>
          {rows.map(([name, value, note]) => (
            <TableRow key={name}>
              <TableCell component="th" scope="row" sx={{ fontWeight: 600, whiteSpace: "nowrap" }}>
                {name}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{value}</TableCell>
              <TableCell>
                <Typography variant="body2" color="text.secondary">
                  {note}
                </Typography>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

/** Confidence against accuracy per bin: a calibrated agent's bars match. */
export function CalibrationChart({ scores }: { readonly scores: RunScores }) {
  const { palette } = useTheme();
  const bins = scores.calibration.filter((b) => b.count > 0);
  if (bins.length === 0) return null;
  const labels = bins.map((b) => `${Math.round(b.lower * 100)}–${Math.round(b.upper * 100)}%`);
  return (
    <Box>
      <ChartCard
        title="Calibration"
        summary={`Confidence and accuracy of the answered items in ${bins.length} confidence ${bins.length === 1 ? "bin" : "bins"}; expected calibration error ${scores.ece === null ? "—" : scores.ece.toFixed(3)}.`}
        rowHeader="Confidence bin"
        columns={["Answers", "Mean confidence", "Accuracy"]}
        rows={bins.map((b, i) => ({
          key: String(b.lower),
          header: labels[i],
          cells: [formatCount(b.count), formatRate(b.confidence), formatRate(b.accuracy)],
        }))}
        headingLevel="h3"
      >
        <BarChart
          height={chartHeight}
          xAxis={[{ scaleType: "band", data: labels }]}
          yAxis={[{ min: 0, max: 1, valueFormatter: (v: number) => formatRate(v) }]}
          series={[
            { data: bins.map((b) => b.confidence), label: "Mean confidence", color: palette.primary.light },
            { data: bins.map((b) => b.accuracy), label: "Accuracy", color: palette.primary.dark },
          ].map((s) => ({ ...s, valueFormatter: (v: number | null) => formatRate(v) }))}
        />
      </ChartCard>
    </Box>
  );
}
