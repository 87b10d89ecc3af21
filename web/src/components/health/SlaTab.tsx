import { useId } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { Box, Button, Paper, Stack, TextField, Typography } from "@mui/material";
import { useSlaReport } from "../../data/hooks/monitor";
import {
  recentMonths,
  slaFileName,
  slaRequestOf,
  slaTargetOptions,
  type SlaRequest,
} from "../../data/monitor";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { saveFile } from "../saveFile";
import { SectionLoadError } from "../settings/SectionLoadError";
import { formatMonth, formatTargetPercent } from "./format";
import { slaPrintPath } from "./sections";
import { SlaTable } from "./SlaTable";

/** The months the SLA tab offers: this one and the eleven before. */
const monthsOffered = 12;

/**
 * `/monitor/sla?month=2026-11&target=99.9`: each target's availability over a month against an availability
 * target, as a table, a CSV file and a printable page.
 */
export function SlaTab() {
  const headingId = useId();
  const studio = useStudio();
  const [searchParams, setSearchParams] = useSearchParams();
  const now = new Date();
  const request = slaRequestOf(searchParams.get("month"), searchParams.get("target"), now);
  const report = useSlaReport(request);
  const download = useMutation<"csv">();
  const months = recentMonths(now, monthsOffered);
  if (!months.includes(request.month)) months.push(request.month);

  const setParam = (name: "month" | "target", value: string) =>
    setSearchParams(
      (params) => {
        const next = new URLSearchParams(params);
        next.set(name, value);
        return next;
      },
      { replace: true },
    );

  const downloadCsv = (asked: SlaRequest) =>
    void download.run("csv", async () => {
      const fileName = slaFileName(asked);
      saveFile(fileName, await studio.downloadSlaCsv(asked));
      return `Your browser downloaded ${fileName}.`;
    });

  const data = report.data;
  const csvError = download.error("csv");
  return (
    <Stack spacing={3}>
      <Box
        role="group"
        aria-label="Report"
        sx={{ display: "flex", flexWrap: "wrap", gap: 2, alignItems: "flex-start" }}
      >
        <TextField
          select
          size="small"
          label="Month"
          value={request.month}
          onChange={(event) => setParam("month", event.target.value)}
          slotProps={{ select: { native: true } }}
          sx={{ minWidth: 200 }}
        >
          {months.map((month) => (
            <option key={month} value={month}>
              {formatMonth(month)}
            </option>
          ))}
        </TextField>
        <TextField
          select
          size="small"
          label="Availability target"
          value={String(request.targetPercent)}
          onChange={(event) => setParam("target", event.target.value)}
          slotProps={{ select: { native: true } }}
          sx={{ minWidth: 200 }}
        >
          {slaTargetOptions.map((target) => (
            <option key={target} value={String(target)}>
              {formatTargetPercent(target)}
            </option>
          ))}
        </TextField>
        <Box sx={{ flex: 1 }} />
        <Button variant="outlined" onClick={() => downloadCsv(request)}>
          {download.busy === "csv" ? "Downloading…" : "Download CSV"}
        </Button>
        <Button
          variant="outlined"
          component={RouterLink}
          to={slaPrintPath(request.month, request.targetPercent)}
        >
          Printable report
        </Button>
      </Box>
      {csvError && <FormErrorAlert title="The CSV was not downloaded" error={csvError} />}
      <Typography role="status" color="text.secondary" variant="body2">
        {download.announcement}
      </Typography>

      {!data &&
        (report.error ? (
          <SectionLoadError error={report.error} onRetry={report.retry} retrying={report.pending} />
        ) : (
          <PageLoading label="Loading the availability report…" />
        ))}
      {data && report.error && (
        <RequestErrorAlert
          error={report.error}
          onRetry={report.retry}
          retrying={report.pending}
          staleSince={report.updatedAt}
        />
      )}
      {data && (
        <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h2" id={headingId} gutterBottom>
            {formatMonth(data.month)}, against {formatTargetPercent(data.targetPercent)}
          </Typography>
          <Typography color="text.secondary" sx={{ mb: 2 }}>
            {data.definition}
          </Typography>
          {data.targets.length === 0 ? (
            <Typography color="text.secondary">
              Nothing was measured in {formatMonth(data.month)}: the report fills in as the API and the agents
              are used.
            </Typography>
          ) : (
            <SlaTable report={data} label={`Availability, ${formatMonth(data.month)}`} />
          )}
        </Paper>
      )}
    </Stack>
  );
}
