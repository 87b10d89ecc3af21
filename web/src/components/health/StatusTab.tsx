import { useId } from "react";
import { Box, Button, Paper, Stack, Typography } from "@mui/material";
import { overviewRefreshMs, useMonitorOverview } from "../../data/hooks/monitor";
import { activeAlertStates, type ActiveAlertState, type AlertStatus } from "../../data/monitor";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { SectionLoadError } from "../settings/SectionLoadError";
import { useRemoteUpdate } from "../settings/useRemoteUpdate";
import { StatusChip } from "../StatusChip";
import { ActiveAlerts } from "./ActiveAlerts";
import { AgentsHealth } from "./AgentsHealth";
import { DependencyChecks } from "./DependencyChecks";

const overallSentences = {
  ok: "Every dependency answers and no agent is failing.",
  degraded: "Something is slow or failing: see below what, and since when.",
  down: "A dependency agents cannot work without is down.",
} as const;

const isActive = (state: string): state is ActiveAlertState =>
  (activeAlertStates as readonly string[]).includes(state);

/** `/monitor`: the overall status, the dependencies, the alerts active now and each agent's last hour. */
export function StatusTab({ canManage }: { readonly canManage: boolean }) {
  const headingId = useId();
  const overview = useMonitorOverview();
  const update = useRemoteUpdate(overview);
  const { data, error } = overview;

  if (!data) {
    if (error) return <SectionLoadError error={error} onRetry={overview.retry} retrying={overview.pending} />;
    return <PageLoading label="Loading the workspace's health…" />;
  }

  const onAlertChanged = (ruleId: string, status: AlertStatus) =>
    update((current) => ({
      ...current,
      activeAlerts: current.activeAlerts.flatMap((alert) => {
        if (alert.ruleId !== ruleId) return [alert];
        // An alert that is no longer active leaves the list.
        if (!isActive(status.state)) return [];
        const { state, acknowledgedBy, silencedUntil } = status;
        return [{ ...alert, state, acknowledgedBy, silencedUntil }];
      }),
    }));

  return (
    <Stack spacing={4}>
      <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
        <Box sx={{ display: "flex", flexWrap: "wrap", gap: 2, alignItems: "center" }}>
          <Typography variant="h2" id={headingId}>
            Overall status
          </Typography>
          {/* Announced when it changes between refreshes, and only then. */}
          <Box aria-live="polite">
            <StatusChip status={data.status} size="medium" />
          </Box>
          <Box sx={{ flex: 1 }} />
          <Button variant="outlined" onClick={overview.retry}>
            {overview.pending ? "Refreshing…" : "Refresh"}
          </Button>
        </Box>
        <Typography sx={{ mt: 1 }}>{overallSentences[data.status]}</Typography>
        <Typography variant="body2" color="text.secondary">
          Updated {new Date(data.generatedAt).toLocaleTimeString()} · refreshes every{" "}
          {overviewRefreshMs / 1000} s
        </Typography>
      </Paper>
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={overview.retry}
          retrying={overview.pending}
          staleSince={overview.updatedAt}
        />
      )}
      <ActiveAlerts alerts={data.activeAlerts} canManage={canManage} onChanged={onAlertChanged} />
      <DependencyChecks checks={data.checks} />
      <AgentsHealth agents={data.agents} window={data.window} />
    </Stack>
  );
}
