import { useId, useState } from "react";
import { Link as RouterLink, useParams, useSearchParams } from "react-router";
import { Alert, Box, LinearProgress, Stack, Tab, Tabs, Typography } from "@mui/material";
import { AnalyticsFilters } from "../components/analytics/AnalyticsFilters";
import {
  AgentNotFoundNotice,
  NoAccessNotice,
  NoActivity,
  TruncatedNotice,
} from "../components/analytics/AnalyticsNotices";
import { ChannelBreakdown } from "../components/analytics/ChannelBreakdown";
import { DailyCharts } from "../components/analytics/DailyCharts";
import { activityOf } from "../components/analytics/figures";
import { formatDayWithYear } from "../components/shared/format";
import { HeadlineFigures } from "../components/analytics/HeadlineFigures";
import { KnowledgeGaps } from "../components/analytics/KnowledgeGaps";
import { DriftView } from "../components/narrative/DriftView";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { PageHeader } from "../components/PageHeader";
import {
  analyticsRanges,
  defaultAnalyticsRange,
  type Analytics,
  type AnalyticsRange,
} from "../data/analytics";
import { hasPermission } from "../data/admin";
import { useAgents } from "../data/hooks/agents";
import { useAnalytics } from "../data/hooks/analytics";
import { isDriftStatus } from "../data/narrative";
import { roleAtLeast, useSession } from "../data/session";

/** `?range=7|30|90` (default 30) and `?agent=<id>` (default every agent): a view can be shared as a link. */
function rangeOf(param: string | null): AnalyticsRange {
  return analyticsRanges.find((range) => String(range) === param) ?? defaultAnalyticsRange;
}

/**
 * The last answer while the next one loads (another range or agent), so the page does not blank out on
 * every change; it is shown dimmed and busy. An answer is never kept across an error.
 */
function useShownAnalytics(data: Analytics | undefined, waiting: boolean): Analytics | undefined {
  const [last, setLast] = useState(data);
  if (data !== undefined && data !== last) setLast(data);
  return data ?? (waiting ? last : undefined);
}

const intro =
  "How your agents are doing: conversations, abstentions, confidence, speed and token use, day by day, the questions they could not answer, and the answers that changed.";

const analyticsTabs = [
  { id: "activity", label: "Activity", to: "/analytics" },
  { id: "drift", label: "Drift", to: "/analytics/drift" },
] as const;
const panelId = "analytics-panel";
const tabElementId = (tab: string) => `analytics-tab-${tab}`;

/**
 * Loaded on demand (see routes/index.tsx). `/analytics/:tab?`: how the workspace's agents are doing, per UTC
 * day, and the questions they abstained on most (knowledge gaps), at `/analytics`; the answers that changed
 * for the same question (drift) at `/analytics/drift`.
 */
export function AnalyticsPage() {
  const { tab } = useParams();
  const current = tab === "drift" ? "drift" : "activity";
  return (
    <Stack spacing={3}>
      <PageHeader title="Analytics" intro={intro} />
      <Box>
        <Tabs value={current} aria-label="Analytics" sx={{ borderBottom: 1, borderColor: "divider" }}>
          {analyticsTabs.map((t) => (
            <Tab
              key={t.id}
              value={t.id}
              label={t.label}
              id={tabElementId(t.id)}
              component={RouterLink}
              to={t.to}
              {...(t.id === current ? { "aria-controls": panelId } : {})}
            />
          ))}
        </Tabs>
        <Box id={panelId} role="tabpanel" aria-labelledby={tabElementId(current)} sx={{ pt: 3 }}>
          {current === "drift" ? <DriftTab /> : <ActivityTab />}
        </Box>
      </Box>
    </Stack>
  );
}

/** `?agent=<id>&status=open|reviewed|dismissed|all` (default: open flags of every agent). */
function DriftTab() {
  usePageTitle("Drift · Analytics");
  const [searchParams, setSearchParams] = useSearchParams();
  const agents = useAgents({ includeArchived: true });
  const { session } = useSession();
  if (session === undefined || !hasPermission(session.role, "conversations.view")) {
    return (
      <Alert severity="info">
        Drift compares answers end users were given, so only editors, admins and owners can read it.
      </Alert>
    );
  }
  const statusParam = searchParams.get("status");
  const status = statusParam === "all" ? undefined : isDriftStatus(statusParam) ? statusParam : "open";
  const set = (name: string, value: string | undefined) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (value === undefined) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );
  return (
    <DriftView
      agentId={searchParams.get("agent") || undefined}
      status={status}
      onAgentChange={(id) => set("agent", id)}
      onStatusChange={(next) => set("status", next === "open" ? undefined : (next ?? "all"))}
      agents={agents}
      canReview={roleAtLeast(session.role, "editor")}
    />
  );
}

function ActivityTab() {
  usePageTitle("Analytics");
  const [searchParams, setSearchParams] = useSearchParams();
  const days = rangeOf(searchParams.get("range"));
  const agentId = searchParams.get("agent") || undefined;
  const analytics = useAnalytics({ days, agentId });
  const agents = useAgents({ includeArchived: true });
  const shown = useShownAnalytics(analytics.data, analytics.pending && !analytics.error);
  const updating = shown !== undefined && shown !== analytics.data;
  const perDayHeadingId = useId();

  const setFilter = (name: "range" | "agent", value: string | undefined) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (value === undefined) next.delete(name);
        else next.set(name, value);
        return next;
      },
      { replace: true },
    );
  const agentName = (id: string) => agents.data?.find((agent) => agent.id === id)?.name;
  const { error } = analytics;

  let content;
  if (error && !shown) {
    if (error.status === 403) content = <NoAccessNotice error={error} />;
    else if (error.status === 404 && agentId !== undefined) {
      content = <AgentNotFoundNotice agentId={agentId} onShowAll={() => setFilter("agent", undefined)} />;
    } else {
      content = <RequestErrorAlert error={error} onRetry={analytics.retry} retrying={analytics.pending} />;
    }
  } else if (!shown) {
    content = <PageLoading label="Loading analytics…" />;
  } else {
    const first = shown.series[0];
    const last = shown.series[shown.series.length - 1];
    const period =
      first && last ? `${formatDayWithYear(first.date)} – ${formatDayWithYear(last.date)}` : "This range";
    // Named from the answer, not the address: while another agent's figures load, these are still shown.
    const shownAgent = shown.window.agentId;
    content = (
      <Stack
        spacing={3}
        aria-busy={updating}
        sx={{ opacity: updating ? 0.6 : 1, transition: "opacity 150ms" }}
      >
        <Box>
          <LinearProgress
            aria-label="Updating analytics"
            sx={{ visibility: updating ? "visible" : "hidden", mb: 1 }}
          />
          <Typography variant="body2" color="text.secondary">
            {period} · days in UTC ·{" "}
            {shownAgent === null ? "all agents" : (agentName(shownAgent) ?? `agent ${shownAgent}`)}
          </Typography>
        </Box>
        {error && (
          <RequestErrorAlert
            error={error}
            onRetry={analytics.retry}
            retrying={analytics.pending}
            staleSince={analytics.updatedAt}
          />
        )}
        {shown.truncated && <TruncatedNotice countedFrom={shown.countedFrom} />}
        {activityOf(shown.totals) === 0 ? (
          <NoActivity
            days={shown.series.length}
            agent={shownAgent === null ? undefined : { id: shownAgent, name: agentName(shownAgent) }}
          />
        ) : (
          <>
            <HeadlineFigures totals={shown.totals} heading={`Totals, ${period}`} />
            <Box component="section" aria-labelledby={perDayHeadingId}>
              <Typography variant="h2" id={perDayHeadingId} sx={{ mb: 2 }}>
                Per day
              </Typography>
              <DailyCharts series={shown.series} totals={shown.totals} />
            </Box>
            <ChannelBreakdown channels={shown.byChannel} />
            <KnowledgeGaps gaps={shown.knowledgeGaps} />
          </>
        )}
      </Stack>
    );
  }

  return (
    <Stack spacing={3}>
      <AnalyticsFilters
        days={days}
        agentId={agentId}
        onDaysChange={(range) => setFilter("range", String(range))}
        onAgentChange={(id) => setFilter("agent", id)}
        agents={agents}
      />
      {content}
    </Stack>
  );
}
