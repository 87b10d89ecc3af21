import type { ReactNode } from "react";
import { Link as RouterLink, Navigate, useParams } from "react-router";
import { Alert, Box, Link, Stack } from "@mui/material";
import { AdminOnlyNotice } from "../components/health/AdminOnlyNotice";
import { HealthTabs, healthPanelId, healthTabElementId } from "../components/health/HealthTabs";
import { IncidentsTab } from "../components/health/IncidentsTab";
import { MetricsTab } from "../components/health/MetricsTab";
import { NotificationsTab } from "../components/health/NotificationsTab";
import { RulesTab } from "../components/health/RulesTab";
import { healthPath, healthTabs, type HealthTabId } from "../components/health/sections";
import { SlaTab } from "../components/health/SlaTab";
import { StatusTab } from "../components/health/StatusTab";
import { PageHeader } from "../components/PageHeader";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { useSession } from "../data/session";

const intro =
  "How the workspace is doing now and over time: dependencies, agents, alerts and incidents, where alerts are sent, and the monthly availability report.";

/**
 * Loaded on demand (see routes/index.tsx). `/monitor/:tab?`: the workspace's health for its admins and owners
 * (`monitor.view`); others are told so and nothing is asked of the platform. Each tab is an address.
 */
export function HealthPage() {
  const { tab } = useParams();
  const { session } = useSession();
  const current = healthTabs.find((t) => t.id === (tab ?? "status"));
  usePageTitle(current && current.id !== "status" ? `${current.label} · Health` : "Health");
  // RequireSession renders this page only with a session.
  if (!session) return null;

  if (!hasPermission(session.role, "monitor.view")) {
    return (
      <Stack spacing={3}>
        <PageHeader title="Health" />
        <AdminOnlyNotice what="the workspace's health" role={session.role} />
      </Stack>
    );
  }
  // `/monitor/status` is the Status tab's longer name.
  if (tab === "status") return <Navigate to={healthPath("status")} replace />;
  const canManage = hasPermission(session.role, "monitor.manage");

  return (
    <Stack spacing={3}>
      <PageHeader title="Health" intro={intro} />
      {current ? (
        <Box>
          <HealthTabs current={current.id} />
          <Box
            id={healthPanelId}
            role="tabpanel"
            aria-labelledby={healthTabElementId(current.id)}
            sx={{ pt: 3 }}
          >
            {/* Keyed: each tab starts fresh (its dialogs and filters) when someone comes back to it. */}
            <Box key={current.id}>{tabContent(current.id, canManage)}</Box>
          </Box>
        </Box>
      ) : (
        <Alert severity="warning">
          The Health page has no tab called “{tab}”.{" "}
          <Link component={RouterLink} to={healthPath("status")}>
            Go to Status
          </Link>
        </Alert>
      )}
    </Stack>
  );
}

function tabContent(tab: HealthTabId, canManage: boolean): ReactNode {
  switch (tab) {
    case "status":
      return <StatusTab canManage={canManage} />;
    case "metrics":
      return <MetricsTab />;
    case "incidents":
      return <IncidentsTab />;
    case "rules":
      return <RulesTab canManage={canManage} />;
    case "notifications":
      return <NotificationsTab canManage={canManage} />;
    case "sla":
      return <SlaTab />;
  }
}
