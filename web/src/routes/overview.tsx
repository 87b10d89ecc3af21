import { Box, Card, CardContent, Stack, Typography } from "@mui/material";
import { GetStartedCard } from "../components/GetStartedCard";
import { HealthReportView } from "../components/HealthReportView";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { healthRefreshMs, useHealth } from "../data/health";
import { platformOrigin } from "../data/platform";

export function OverviewPage() {
  usePageTitle();
  return (
    <Stack spacing={4}>
      <Box component="header">
        <Typography variant="h1" gutterBottom>
          Alchemist
        </Typography>
        <Typography variant="h2" component="p" color="text.secondary" sx={{ fontWeight: 400 }}>
          Agents that answer from your documents, and show their sources, confidence and trace for every
          answer.
        </Typography>
      </Box>
      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 5fr) minmax(0, 6fr)" },
          alignItems: "start",
        }}
      >
        <PlatformHealthCard />
        <GetStartedCard origin={platformOrigin()} />
      </Box>
    </Stack>
  );
}

function PlatformHealthCard() {
  const { data, error, pending, updatedAt, retry } = useHealth();
  return (
    <Card component="section" aria-labelledby="health-heading">
      <CardContent sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="health-heading">
          Platform health
        </Typography>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {updatedAt
            ? `Updated ${updatedAt.toLocaleTimeString()} · refreshes every ${healthRefreshMs / 1000} s`
            : `Refreshes every ${healthRefreshMs / 1000} s`}
        </Typography>
        <Stack spacing={2}>
          {error && (
            <RequestErrorAlert
              error={error}
              onRetry={retry}
              retrying={pending}
              staleSince={data ? updatedAt : undefined}
            />
          )}
          {data ? (
            <HealthReportView report={data} />
          ) : (
            !error && <PageLoading label="Checking the platform…" />
          )}
        </Stack>
      </CardContent>
    </Card>
  );
}
