import { useId } from "react";
import { Box, CircularProgress, Paper, Typography } from "@mui/material";
import { useRulePreview } from "../../data/hooks/monitor";
import type { AlertMetric, AlertRuleInput, RulePreview } from "../../data/monitor";
import { formatCount, formatInstant, plural } from "../shared/format";
import { FormErrorAlert } from "../FormErrorAlert";
import { formatMetricValue, formatMinutes, metricLabel } from "./format";
import { liveMetrics } from "./ruleForm";

/** The firings a preview lists; the count says how many more there were. */
const listedFirings = 5;

/** The preview in one sentence: how often, and how much of the week had data to judge by. */
export function previewSentence(preview: RulePreview): string {
  const { days, fired, minutesWithData } = preview;
  const judged =
    minutesWithData === 0
      ? "there was no data for it"
      : `it had data for ${formatMinutes(minutesWithData)} of them`;
  if (fired === 0) return `It would not have fired in the last ${days} days: ${judged}.`;
  const sparse = minutesWithData / (days * 1440) < 0.5;
  return (
    `It would have fired ${fired === 1 ? "once" : `${formatCount(fired)} times`} in the last ${days} days: ` +
    `${judged}${sparse ? ", so it may fire more often once there is more traffic" : ""}.`
  );
}

interface RulePreviewPanelProps {
  /** The rule as typed; `undefined` while the form cannot be sent. */
  readonly input: AlertRuleInput | undefined;
  readonly metric: AlertMetric;
}

/**
 * How often the rule being edited would have fired over the last 7 days, asked again once typing pauses: a
 * rule that would fire every hour, or never, shows it before it is saved.
 */
export function RulePreviewPanel({ input, metric }: RulePreviewPanelProps) {
  const headingId = useId();
  const live = liveMetrics.includes(metric);
  const { preview, outdated } = useRulePreview(live ? undefined : input);
  const data = preview?.data ?? undefined;
  const checking = preview !== undefined && (preview.pending || outdated);
  return (
    <Paper
      component="section"
      aria-labelledby={headingId}
      aria-busy={checking}
      sx={{ p: 2, bgcolor: "background.default" }}
    >
      <Box sx={{ display: "flex", alignItems: "center", gap: 1, mb: 1 }}>
        <Typography variant="h3" component="h3" id={headingId}>
          Over the last 7 days
        </Typography>
        {checking && <CircularProgress size={16} aria-label="Checking the last 7 days" />}
      </Box>
      <Box role="status" aria-live="polite">
        {live ? (
          <Typography variant="body2" color="text.secondary">
            {metricLabel(metric)} is read live, so there is no history to replay this rule on.
          </Typography>
        ) : preview === undefined ? (
          <Typography variant="body2" color="text.secondary">
            Complete the condition to see how often this rule would have fired.
          </Typography>
        ) : preview.error && !checking ? null : data ? (
          <Typography variant="body2" sx={{ opacity: checking ? 0.6 : 1 }}>
            {previewSentence(data)}
          </Typography>
        ) : (
          <Typography variant="body2" color="text.secondary">
            Checking the last 7 days…
          </Typography>
        )}
      </Box>
      {preview?.error && !checking && (
        <FormErrorAlert title="The preview could not be computed" error={preview.error} />
      )}
      {data && data.firings.length > 0 && (
        <Box
          component="ul"
          aria-label="When it would have fired"
          sx={{ m: 0, mt: 1, pl: 2.5, opacity: checking ? 0.6 : 1 }}
        >
          {data.firings.slice(0, listedFirings).map((firing) => (
            <Typography component="li" variant="body2" key={firing.firedAt}>
              {formatInstant(firing.firedAt)}
              {firing.resolvedAt
                ? `, for ${formatMinutes(Math.max(1, Math.round((Date.parse(firing.resolvedAt) - Date.parse(firing.firedAt)) / 60_000)))}`
                : ", still firing"}
              {firing.peak !== null && ` (worst ${formatMetricValue(metric, firing.peak)})`}
            </Typography>
          ))}
          {data.firings.length > listedFirings && (
            <Typography component="li" variant="body2" color="text.secondary">
              and {plural(data.firings.length - listedFirings, "more", "more")}
            </Typography>
          )}
        </Box>
      )}
    </Paper>
  );
}
