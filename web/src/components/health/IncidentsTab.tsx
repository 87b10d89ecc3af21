import { useEffect, useId, useRef } from "react";
import { useSearchParams } from "react-router";
import { Box, Button, Paper, Stack, ToggleButton, ToggleButtonGroup, Typography } from "@mui/material";
import { useIncidents } from "../../data/hooks/monitor";
import { incidentFilters, type Incident, type IncidentFilter } from "../../data/monitor";
import { formatInstant } from "../shared/format";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { SectionLoadError } from "../settings/SectionLoadError";
import {
  formatMetricValue,
  formatMinutes,
  incidentEventLabels,
  incidentStatusPresentation,
  metricLabel,
  severityPresentation,
} from "./format";
import { PresentationChip } from "./PresentationChip";

const filterLabels: Record<IncidentFilter | "all", string> = {
  all: "All",
  firing: "Firing",
  pending: "Pending",
  resolved: "Resolved",
};

const isFilter = (value: unknown): value is IncidentFilter =>
  (incidentFilters as readonly unknown[]).includes(value);

/** How long an incident lasted (or has lasted so far), from when it opened. */
export function incidentDuration(incident: Incident, now: Date = new Date()): string {
  const end = incident.resolvedAt ? Date.parse(incident.resolvedAt) : now.getTime();
  const minutes = Math.max(0, Math.round((end - Date.parse(incident.openedAt)) / 60_000));
  return minutes === 0 ? "under a minute" : formatMinutes(minutes);
}

/**
 * `/monitor/incidents?status=firing|pending|resolved&incident=<id>`: what alerts opened, newest first, each
 * with its timeline. `incident` (the link a notification carries) scrolls to one and marks it.
 */
export function IncidentsTab() {
  const [searchParams, setSearchParams] = useSearchParams();
  const statusParam = searchParams.get("status");
  const filter = isFilter(statusParam) ? statusParam : undefined;
  const focused = searchParams.get("incident") ?? undefined;
  const incidents = useIncidents(filter);
  const emptyHeadingId = useId();
  const listHeadingId = useId();

  const setFilter = (value: IncidentFilter | undefined) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        if (value === undefined) next.delete("status");
        else next.set("status", value);
        return next;
      },
      { replace: true },
    );

  const list = incidents.data;
  let content;
  if (!list) {
    content = incidents.error ? (
      <SectionLoadError error={incidents.error} onRetry={incidents.retry} retrying={incidents.pending} />
    ) : (
      <PageLoading label="Loading incidents…" />
    );
  } else if (list.length === 0) {
    content = (
      <Paper
        component="section"
        aria-labelledby={emptyHeadingId}
        sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
      >
        <Typography variant="h3" component="h2" id={emptyHeadingId} gutterBottom>
          {filter ? `No ${filterLabels[filter].toLowerCase()} incidents` : "No incidents yet"}
        </Typography>
        <Typography color="text.secondary" sx={{ maxWidth: 560, mx: "auto" }}>
          An incident opens when an alert rule&apos;s condition holds, and keeps the story of what happened
          until it resolves.
        </Typography>
      </Paper>
    );
  } else {
    content = (
      <Stack spacing={2} component="section" aria-labelledby={listHeadingId}>
        <Typography variant="h2" id={listHeadingId}>
          {filter ? `${filterLabels[filter]} incidents` : "Incidents"}, newest first
        </Typography>
        {list.map((incident) => (
          <IncidentCard key={incident.id} incident={incident} focused={incident.id === focused} />
        ))}
      </Stack>
    );
  }

  return (
    <Stack spacing={3}>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, alignItems: "center" }}>
        <ToggleButtonGroup
          exclusive
          size="small"
          color="primary"
          value={filter ?? "all"}
          aria-label="Show"
          onChange={(_event, value: unknown) => {
            if (value === "all") setFilter(undefined);
            else if (isFilter(value)) setFilter(value);
          }}
          sx={{ height: 40, bgcolor: "background.paper" }}
        >
          {(["all", ...incidentFilters] as const).map((f) => (
            <ToggleButton key={f} value={f} sx={{ px: 2, color: "text.secondary" }}>
              {filterLabels[f]}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        <Box sx={{ flex: 1 }} />
        {list && (
          <Button variant="outlined" onClick={incidents.retry}>
            {incidents.pending ? "Refreshing…" : "Refresh"}
          </Button>
        )}
      </Box>
      {list && incidents.error && (
        <RequestErrorAlert
          error={incidents.error}
          onRetry={incidents.retry}
          retrying={incidents.pending}
          staleSince={incidents.updatedAt}
        />
      )}
      {content}
    </Stack>
  );
}

function IncidentCard({ incident, focused }: { readonly incident: Incident; readonly focused: boolean }) {
  const headingId = useId();
  const ref = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!focused) return;
    ref.current?.scrollIntoView?.({ block: "start" });
    ref.current?.focus();
  }, [focused]);
  const value = (v: number | null) => formatMetricValue(incident.metric, v);
  const facts: [string, string][] = [
    ["Metric", metricLabel(incident.metric)],
    ["Opened", formatInstant(incident.openedAt)],
    ...(incident.firedAt ? [["Fired", formatInstant(incident.firedAt)] as [string, string]] : []),
    ...(incident.resolvedAt ? [["Resolved", formatInstant(incident.resolvedAt)] as [string, string]] : []),
    [incident.resolvedAt ? "Lasted" : "Open for", incidentDuration(incident)],
    ["Worst value", value(incident.peak)],
  ];
  return (
    <Paper
      component="article"
      ref={ref}
      tabIndex={focused ? -1 : undefined}
      aria-labelledby={headingId}
      aria-current={focused ? "true" : undefined}
      sx={{
        p: { xs: 2, sm: 3 },
        ...(focused ? { borderColor: "primary.main", borderWidth: 2 } : {}),
      }}
    >
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", mb: 1 }}>
        <Typography variant="h3" id={headingId} sx={{ mr: 1 }}>
          {incident.ruleName}
        </Typography>
        <PresentationChip presentation={incidentStatusPresentation[incident.status]} />
        <PresentationChip presentation={severityPresentation[incident.severity]} />
      </Box>
      <Typography sx={{ mb: 2 }}>{incident.summary}</Typography>
      <Box
        component="dl"
        sx={{
          m: 0,
          mb: 2,
          display: "grid",
          gridTemplateColumns: "max-content 1fr",
          columnGap: 3,
          rowGap: 0.5,
        }}
      >
        {facts.map(([term, detail]) => (
          <Box key={term} sx={{ display: "contents" }}>
            <Typography component="dt" variant="body2" color="text.secondary">
              {term}
            </Typography>
            <Typography component="dd" variant="body2" sx={{ m: 0 }}>
              {detail}
            </Typography>
          </Box>
        ))}
      </Box>
      <Typography variant="subtitle2" component="h4" gutterBottom>
        Timeline
      </Typography>
      {incident.events.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          Nothing recorded yet.
        </Typography>
      ) : (
        <Box
          component="ol"
          aria-label={`Timeline of ${incident.ruleName}`}
          sx={{ m: 0, pl: 0, listStyle: "none", borderLeft: 2, borderColor: "divider" }}
        >
          {incident.events.map((event, i) => (
            <Box component="li" key={`${event.at}-${i}`} sx={{ pl: 2, pb: 1.5, position: "relative" }}>
              <Typography variant="body2" color="text.secondary">
                <time dateTime={event.at}>{formatInstant(event.at)}</time>
              </Typography>
              <Typography variant="body2" sx={{ fontWeight: 600 }}>
                {incidentEventLabels[event.type]}
                {event.value !== null && ` · ${value(event.value)}`}
              </Typography>
              {event.detail && <Typography variant="body2">{event.detail}</Typography>}
            </Box>
          ))}
        </Box>
      )}
    </Paper>
  );
}
