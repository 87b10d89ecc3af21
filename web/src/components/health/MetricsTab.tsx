import { useId, useState } from "react";
import { useSearchParams } from "react-router";
import {
  Box,
  LinearProgress,
  Paper,
  Stack,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import { useAgents } from "../../data/hooks/agents";
import { useMonitorSeries } from "../../data/hooks/monitor";
import {
  defaultMetricsWindow,
  isMetricsWindowId,
  metricsWindows,
  seriesKinds,
  type MetricsWindowId,
  type MonitorSeries,
  type SeriesKind,
} from "../../data/monitor";
import { AgentFilterSelect } from "../AgentFilterSelect";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { SectionLoadError } from "../settings/SectionLoadError";
import { formatPointTime } from "./format";
import { MetricsCharts, seriesTotals } from "./MetricsCharts";

const kindLabels: Record<SeriesKind, string> = { turn: "Agent turns", request: "API requests" };

/**
 * The last answer while the next one loads (another window, kind or agent), so the charts do not blank out
 * on every change; they are shown dimmed and busy. An answer is never kept across an error.
 */
function useShownSeries(data: MonitorSeries | undefined, waiting: boolean): MonitorSeries | undefined {
  const [last, setLast] = useState(data);
  if (data !== undefined && data !== last) setLast(data);
  return data ?? (waiting ? last : undefined);
}

/**
 * `/monitor/metrics?window=1h|24h|7d|30d&kind=turn|request&agent=<id>`: latency percentiles, error rate,
 * traffic and abstentions over time, each chart with its numbers as a table. In the address, so a view can
 * be shared.
 */
export function MetricsTab() {
  const [searchParams, setSearchParams] = useSearchParams();
  const windowParam = searchParams.get("window");
  const windowId: MetricsWindowId = isMetricsWindowId(windowParam) ? windowParam : defaultMetricsWindow;
  const kind: SeriesKind = searchParams.get("kind") === "request" ? "request" : "turn";
  const agentId = kind === "turn" ? searchParams.get("agent") || undefined : undefined;
  const series = useMonitorSeries(windowId, kind, agentId);
  const agents = useAgents({ includeArchived: true });
  const shown = useShownSeries(series.data, series.pending && !series.error);
  const updating = shown !== undefined && shown !== series.data;
  const emptyHeadingId = useId();

  const setFilter = (name: "window" | "kind" | "agent", value: string | undefined) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (value === undefined) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );

  const windowOption = metricsWindows.find((w) => w.id === windowId) ?? metricsWindows[1];
  const agentName = agentId && (agents.data?.find((a) => a.id === agentId)?.name ?? `agent ${agentId}`);

  let content;
  if (series.error && !shown) {
    content = <SectionLoadError error={series.error} onRetry={series.retry} retrying={series.pending} />;
  } else if (!shown) {
    content = <PageLoading label="Loading metrics…" />;
  } else {
    const first = shown.points[0];
    const last = shown.points[shown.points.length - 1];
    const period =
      first && last
        ? `${formatPointTime(first.at, shown.step)} – ${formatPointTime(last.at, shown.step)}`
        : "This window";
    content = (
      <Stack
        spacing={2}
        aria-busy={updating}
        sx={{ opacity: updating ? 0.6 : 1, transition: "opacity 150ms" }}
      >
        <Box>
          <LinearProgress
            aria-label="Updating metrics"
            sx={{ visibility: updating ? "visible" : "hidden", mb: 1 }}
          />
          <Typography variant="h2">
            {kind === "turn" ? `Turns of ${agentName || "all agents"}` : "API requests"}, last{" "}
            {windowOption.label}
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {period} · one point per {shown.step}
          </Typography>
        </Box>
        {series.error && (
          <RequestErrorAlert
            error={series.error}
            onRetry={series.retry}
            retrying={series.pending}
            staleSince={series.updatedAt}
          />
        )}
        {seriesTotals(shown.points).count === 0 ? (
          <Paper
            component="section"
            aria-labelledby={emptyHeadingId}
            sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
          >
            <Typography variant="h3" id={emptyHeadingId} gutterBottom>
              No {kind === "turn" ? "turns" : "requests"} in the last {windowOption.label}
            </Typography>
            <Typography color="text.secondary" sx={{ maxWidth: 560, mx: "auto" }}>
              {kind === "turn"
                ? `${agentName || "No agent"} answered nothing in this window. Every turn counts here, from the playground, the API and every channel.`
                : "Nothing called the API in this window."}{" "}
              Choose a longer window, or come back once there is traffic.
            </Typography>
          </Paper>
        ) : (
          <MetricsCharts series={shown} kind={kind} />
        )}
      </Stack>
    );
  }

  return (
    <Stack spacing={3}>
      <Box
        role="group"
        aria-label="Filters"
        sx={{ display: "flex", flexWrap: "wrap", gap: 2, alignItems: "flex-start" }}
      >
        <ToggleButtonGroup
          exclusive
          size="small"
          color="primary"
          value={windowId}
          aria-label="Window"
          onChange={(_event, value: unknown) => {
            // A click on the pressed button answers null: the window stays.
            if (isMetricsWindowId(value)) setFilter("window", value);
          }}
          sx={{ height: 40, bgcolor: "background.paper" }}
        >
          {metricsWindows.map((w) => (
            <ToggleButton key={w.id} value={w.id} sx={{ px: 2, color: "text.secondary" }}>
              {w.label}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <ToggleButtonGroup
          exclusive
          size="small"
          color="primary"
          value={kind}
          aria-label="What to measure"
          onChange={(_event, value: unknown) => {
            const picked = seriesKinds.find((k) => k === value);
            if (picked) setFilter("kind", picked === "turn" ? undefined : picked);
          }}
          sx={{ height: 40, bgcolor: "background.paper" }}
        >
          {seriesKinds.map((k) => (
            <ToggleButton key={k} value={k} sx={{ px: 2, color: "text.secondary" }}>
              {kindLabels[k]}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {kind === "turn" && (
          <AgentFilterSelect
            agentId={agentId}
            onChange={(id) => setFilter("agent", id)}
            agents={agents}
            sx={{ flex: "1 1 240px", maxWidth: { sm: 360 } }}
          />
        )}
      </Box>
      {content}
    </Stack>
  );
}
