import { memo, useId } from "react";
import { Box, Paper, Typography } from "@mui/material";
import type { AnalyticsMetrics } from "../../data/analytics";
import { totalTokens } from "./figures";
import { formatConfidence, formatCount, formatLatency, formatRate, plural } from "../shared/format";
import { visuallyHidden } from "../shared/ChartCard";

interface Figure {
  readonly label: string;
  readonly value: string;
  readonly detail: string;
}

/**
 * The range's figures as the platform totals them over every turn: rates and confidence weighted by
 * messages (not averaged over days), conversations counted once, percentiles over all turns.
 */
export function headlineFiguresOf(totals: AnalyticsMetrics): Figure[] {
  const decided = totals.answered + totals.abstained;
  return [
    {
      label: "Conversations",
      value: formatCount(totals.conversations),
      detail: "with at least one message",
    },
    {
      label: "Messages",
      value: formatCount(totals.turns),
      detail:
        `${formatCount(totals.answered)} answered · ${formatCount(totals.abstained)} abstained · ` +
        `${formatCount(totals.declined)} declined` +
        (totals.failed > 0 ? ` · ${plural(totals.failed, "turn", "turns")} failed` : ""),
    },
    {
      label: "Abstention rate",
      value: formatRate(totals.abstentionRate),
      detail:
        decided > 0
          ? `${formatCount(totals.abstained)} of ${formatCount(decided)} questions`
          : "No questions",
    },
    {
      label: "Average confidence",
      value: formatConfidence(totals.averageConfidence),
      detail: totals.answered > 0 ? `over ${plural(totals.answered, "answer", "answers")}` : "No answers",
    },
    {
      label: "Latency (p95)",
      value: formatLatency(totals.latencyMs.p95),
      detail: `p50 ${formatLatency(totals.latencyMs.p50)} · p99 ${formatLatency(totals.latencyMs.p99)}`,
    },
    {
      label: "Tokens",
      value: formatCount(totalTokens(totals)),
      detail: `${formatCount(totals.tokens.input)} in · ${formatCount(totals.tokens.output)} out`,
    },
  ];
}

/** The headline figures of the range: a card each, under a heading for screen readers. */
export const HeadlineFigures = memo(function HeadlineFigures({
  totals,
  heading,
}: {
  readonly totals: AnalyticsMetrics;
  readonly heading: string;
}) {
  const headingId = useId();
  return (
    <Box component="section" aria-labelledby={headingId}>
      <Typography variant="h2" id={headingId} sx={visuallyHidden}>
        {heading}
      </Typography>
      <Box
        sx={{
          display: "grid",
          gap: 2,
          gridTemplateColumns: {
            xs: "repeat(2, minmax(0, 1fr))",
            sm: "repeat(3, minmax(0, 1fr))",
            lg: "repeat(6, minmax(0, 1fr))",
          },
        }}
      >
        {headlineFiguresOf(totals).map((figure) => (
          <HeadlineFigure key={figure.label} figure={figure} />
        ))}
      </Box>
    </Box>
  );
});

/** One figure: a group named by its label, so a screen reader says "Abstention rate, group, 16.7%…". */
function HeadlineFigure({ figure }: { readonly figure: Figure }) {
  const labelId = useId();
  return (
    <Paper role="group" aria-labelledby={labelId} sx={{ p: 2, minWidth: 0 }}>
      <Typography id={labelId} variant="body2" color="text.secondary">
        {figure.label}
      </Typography>
      <Typography sx={{ fontSize: "1.6rem", fontWeight: 700, lineHeight: 1.3 }}>{figure.value}</Typography>
      <Typography variant="caption" color="text.secondary" component="p">
        {figure.detail}
      </Typography>
    </Paper>
  );
}
