import { Link as RouterLink, useSearchParams } from "react-router";
import { Box, Button, GlobalStyles, Stack, Typography } from "@mui/material";
import { formatInstant } from "../components/shared/format";
import { AdminOnlyNotice } from "../components/health/AdminOnlyNotice";
import { formatMonth, formatTargetPercent } from "../components/health/format";
import { healthPath } from "../components/health/sections";
import { SlaTable } from "../components/health/SlaTable";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { SectionLoadError } from "../components/settings/SectionLoadError";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { useSlaReport } from "../data/hooks/monitor";
import { slaRequestOf } from "../data/monitor";
import { useSession } from "../data/session";

/** On paper: only the report (no bar, no buttons), in black on white. */
const printStyles = (
  <GlobalStyles
    styles={{
      "@media print": {
        ".MuiAppBar-root, a[href='#main'], [data-print='hide']": { display: "none !important" },
        body: { backgroundColor: "#fff !important" },
        "#main": { padding: "0 !important", maxWidth: "none !important" },
      },
    }}
  />
);

/**
 * Loaded on demand (see routes/index.tsx). `/monitor/sla/print?month=2026-11&target=99.9`: the month's
 * availability report laid out for paper (or a PDF), with a Print button.
 */
export function SlaPrintPage() {
  const [searchParams] = useSearchParams();
  const { session } = useSession();
  const request = slaRequestOf(searchParams.get("month"), searchParams.get("target"), new Date());
  const title = `Availability report, ${formatMonth(request.month)}`;
  usePageTitle(title);
  if (!session) return null;
  if (!hasPermission(session.role, "monitor.view")) {
    return (
      <Stack spacing={3}>
        <PageHeader title="Availability report" />
        <AdminOnlyNotice what="the workspace's availability reports" role={session.role} />
      </Stack>
    );
  }
  const workspaceName =
    session.workspaces.find((w) => w.tenantId === session.tenantId)?.name ?? session.tenantId;
  return (
    <Stack spacing={3}>
      {printStyles}
      <PageHeader
        title={title}
        intro={`${workspaceName} · target ${formatTargetPercent(request.targetPercent)}`}
        actions={
          <Stack direction="row" spacing={1} data-print="hide">
            <Button
              component={RouterLink}
              to={`${healthPath("sla")}?${new URLSearchParams({ month: request.month, target: String(request.targetPercent) }).toString()}`}
            >
              Back to SLA
            </Button>
            <Button variant="contained" onClick={() => window.print()}>
              Print
            </Button>
          </Stack>
        }
      />
      <SlaPrintReport month={request.month} targetPercent={request.targetPercent} />
    </Stack>
  );
}

function SlaPrintReport({
  month,
  targetPercent,
}: {
  readonly month: string;
  readonly targetPercent: number;
}) {
  const report = useSlaReport({ month, targetPercent });
  const { data, error } = report;
  if (!data) {
    return error ? (
      <Box data-print="hide">
        <SectionLoadError error={error} onRetry={report.retry} retrying={report.pending} />
      </Box>
    ) : (
      <PageLoading label="Loading the availability report…" />
    );
  }
  return (
    <Stack spacing={2}>
      <Typography>{data.definition}</Typography>
      {data.targets.length === 0 ? (
        <Typography>Nothing was measured in {formatMonth(data.month)}.</Typography>
      ) : (
        <SlaTable report={data} label={`Availability, ${formatMonth(data.month)}`} printable />
      )}
      <Typography variant="body2" color="text.secondary">
        Generated {report.updatedAt ? formatInstant(report.updatedAt.toISOString()) : ""} by Alchemist.
      </Typography>
    </Stack>
  );
}
