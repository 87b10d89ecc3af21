import { useId, useMemo } from "react";
import { Stack, Typography } from "@mui/material";
import { StudioSourceContext, useStudio } from "../../data/studio";
import { IncidentsTab } from "../health/IncidentsTab";
import { StatusTab } from "../health/StatusTab";

/**
 * `/admin/health`: the installation's health, as the Health page shows a workspace's: the same screens,
 * reading the operator's monitor routes (`/v1/operator/monitor/...`) instead of the workspace's. Read only:
 * alert rules and channels of the installation are the operator's configuration, not changed from here.
 */
export function HealthTab() {
  const studio = useStudio();
  const incidentsHeadingId = useId();
  const operatorScope = useMemo(() => ({ ...studio, ...studio.operatorMonitor }), [studio]);
  return (
    <StudioSourceContext.Provider value={operatorScope}>
      <Stack spacing={4}>
        <Typography color="text.secondary">
          The whole installation: the platform&apos;s dependencies, the alerts firing now and their incidents.
        </Typography>
        <StatusTab canManage={false} />
        <Stack component="section" aria-labelledby={incidentsHeadingId} spacing={2}>
          <Typography variant="h2" id={incidentsHeadingId}>
            Incidents
          </Typography>
          <IncidentsTab />
        </Stack>
      </Stack>
    </StudioSourceContext.Provider>
  );
}
