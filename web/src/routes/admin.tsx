import type { ReactNode } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { Alert, Box, Link, Stack } from "@mui/material";
import { AdminTabs, adminPanelId, adminTabElementId } from "../components/admin/AdminTabs";
import { AuditTab } from "../components/admin/AuditTab";
import { BillingTab } from "../components/admin/BillingTab";
import { DeploymentsTab } from "../components/admin/DeploymentsTab";
import { HealthTab } from "../components/admin/HealthTab";
import { adminPath, adminTabs, type AdminTabId } from "../components/admin/sections";
import { UsersTab } from "../components/admin/UsersTab";
import { WorkspacesTab } from "../components/admin/WorkspacesTab";
import { PageHeader } from "../components/PageHeader";
import { usePageTitle } from "../components/usePageTitle";
import { OperatorGate } from "./admin-gate";

const intro =
  "The whole installation, for its operators: every workspace and its people, suspending and resuming one, plans, credits and features, the audit trail, health, billing and deployments.";

/**
 * Loaded on demand (see routes/index.tsx). `/admin/:tab?`: the operator console. Anyone the platform does
 * not know as an operator gets the not-found page, as its routes answer them.
 */
export function AdminPage() {
  return (
    <OperatorGate>
      <AdminConsole />
    </OperatorGate>
  );
}

function AdminConsole() {
  const { tab } = useParams();
  const current = adminTabs.find((t) => t.id === (tab ?? "workspaces"));
  usePageTitle(current && current.id !== "workspaces" ? `${current.label} · Admin` : "Admin");
  return (
    <Stack spacing={3}>
      <PageHeader title="Admin" intro={intro} />
      {current ? (
        <Box>
          <AdminTabs current={current.id} />
          <Box
            id={adminPanelId}
            role="tabpanel"
            aria-labelledby={adminTabElementId(current.id)}
            sx={{ pt: 3 }}
          >
            {/* Keyed: each tab starts fresh when someone comes back to it. */}
            <Box key={current.id}>{tabContent(current.id)}</Box>
          </Box>
        </Box>
      ) : (
        <Alert severity="warning">
          The console has no tab called “{tab}”.{" "}
          <Link component={RouterLink} to={adminPath("workspaces")}>
            Go to Workspaces
          </Link>
        </Alert>
      )}
    </Stack>
  );
}

function tabContent(tab: AdminTabId): ReactNode {
  switch (tab) {
    case "workspaces":
      return <WorkspacesTab />;
    case "users":
      return <UsersTab />;
    case "audit":
      return <AuditTab />;
    case "health":
      return <HealthTab />;
    case "billing":
      return <BillingTab />;
    case "deployments":
      return <DeploymentsTab />;
  }
}
