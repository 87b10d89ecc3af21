import { useId, type ReactNode } from "react";
import {
  Box,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  ToggleButton,
  ToggleButtonGroup,
  Typography,
} from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { BarChart } from "@mui/x-charts/BarChart";
import { usageRanges, type BillingUsage, type ModelUsage, type UsageRange } from "../../../data/billing";
import { useAgents } from "../../../data/hooks/agents";
import type { RemoteData } from "../../../data/useRemoteData";
import { monospace } from "../../../theme";
import { ChartCard, chartHeight } from "../../shared/ChartCard";
import { formatCount, formatDay, formatDayWithYear, plural } from "../../shared/format";
import { PageLoading } from "../../PageLoading";
import { SectionHeader } from "../../shared/SectionHeader";
import { SectionLoadError } from "../SectionLoadError";
import { compactCells, visuallyHidden } from "../../shared/tableStyles";
import { formatMoney, formatMoneyAxis } from "../../shared/money";

interface UsagePanelProps {
  readonly days: UsageRange;
  readonly onDaysChange: (days: UsageRange) => void;
  readonly usage: RemoteData<BillingUsage>;
  /** The overview's currency, until the usage report (which names its own) arrives. */
  readonly currency: string | undefined;
}

/** Usage over the last 7, 30 or 90 UTC days: totals, cost per day (a chart and its table), by agent and model. */
export function UsagePanel({ days, onDaysChange, usage, currency }: UsagePanelProps) {
  const headingId = useId();
  const { data, error } = usage;
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Usage"
        level="h3"
        description="What the workspace's agents and uploads used, per UTC day, priced as the catalog said when it happened."
        action={
          <ToggleButtonGroup
            exclusive
            size="small"
            color="primary"
            value={days}
            aria-label="Usage range"
            onChange={(_event, value: unknown) => {
              // A click on the pressed button answers null: the range stays.
              const range = usageRanges.find((r) => r === value);
              if (range !== undefined) onDaysChange(range);
            }}
            sx={{ bgcolor: "background.paper" }}
          >
            {usageRanges.map((range) => (
              <ToggleButton key={range} value={range} sx={{ px: 2, color: "text.secondary" }}>
                {range} days
              </ToggleButton>
            ))}
          </ToggleButtonGroup>
        }
      />
      {error && !data && <SectionLoadError error={error} onRetry={usage.retry} retrying={usage.pending} />}
      {!data && !error && <PageLoading label="Loading usage…" />}
      {data && <UsageReport usage={data} currency={data.currency || currency || "usd"} />}
    </Stack>
  );
}

function UsageReport({ usage, currency }: { readonly usage: BillingUsage; readonly currency: string }) {
  const { palette } = useTheme();
  const { totals } = usage;
  const money = (micros: number) => formatMoney(micros, currency);
  const period = `${formatDayWithYear(usage.from)} – ${formatDayWithYear(usage.to)}`;
  let costliest: { readonly day: string; readonly costMicros: number } | undefined;
  for (const day of usage.days) {
    if (day.costMicros > 0 && (!costliest || day.costMicros > costliest.costMicros)) costliest = day;
  }

  return (
    <Stack spacing={2}>
      <Typography variant="body2" color="text.secondary">
        {period} · days in UTC
      </Typography>
      <Paper sx={{ p: { xs: 2, sm: 2.5 } }}>
        <Box
          component="dl"
          aria-label={`Usage totals, ${period}`}
          sx={{
            m: 0,
            display: "grid",
            gap: 2,
            gridTemplateColumns: { xs: "repeat(2, minmax(0, 1fr))", md: "repeat(4, minmax(0, 1fr))" },
          }}
        >
          <Total term="Cost">{money(totals.costMicros)}</Total>
          <Total
            term="Turns"
            detail={`${formatCount(totals.answered)} answered · ${formatCount(totals.abstained)} abstained · ${formatCount(totals.declined)} declined${totals.failed > 0 ? ` · ${formatCount(totals.failed)} failed` : ""}`}
          >
            {formatCount(totals.turns)}
          </Total>
          <Total term="Conversations">{formatCount(totals.conversations)}</Total>
          <Total
            term="Model tokens"
            detail={`${formatCount(totals.inputTokens)} in · ${formatCount(totals.outputTokens)} out`}
          >
            {formatCount(totals.inputTokens + totals.outputTokens)}
          </Total>
          <Total term="Embedding tokens">{formatCount(totals.embeddingTokens)}</Total>
          <Total term="Tool calls">{formatCount(totals.toolCalls)}</Total>
          <Total term="Documents ingested" detail={plural(totals.pages, "page", "pages")}>
            {formatCount(totals.documents)}
          </Total>
          <Total term="Messages sent" detail="on channels that charge per message">
            {formatCount(totals.messagesSent)}
          </Total>
        </Box>
      </Paper>
      <ChartCard
        title="Cost per day"
        headingLevel="h4"
        summary={
          costliest
            ? `${money(totals.costMicros)} over ${plural(usage.days.length, "day", "days")}. ` +
              `Costliest day: ${formatDay(costliest.day)}, with ${money(costliest.costMicros)}.`
            : `No usage was charged in these ${formatCount(usage.days.length)} days.`
        }
        rowHeader="Day"
        columns={["Turns", "Conversations", "Model tokens", "Tool calls", "Cost"]}
        rows={usage.days.map((day) => ({
          key: day.day,
          header: <time dateTime={day.day}>{formatDayWithYear(day.day)}</time>,
          cells: [
            formatCount(day.turns),
            formatCount(day.conversations),
            formatCount(day.inputTokens + day.outputTokens),
            formatCount(day.toolCalls),
            money(day.costMicros),
          ],
        }))}
      >
        <BarChart
          height={chartHeight}
          xAxis={[{ scaleType: "band", data: usage.days.map((day) => day.day), valueFormatter: formatDay }]}
          yAxis={[{ width: 64, valueFormatter: (v: number) => formatMoneyAxis(v, currency) }]}
          series={[
            {
              data: usage.days.map((day) => day.costMicros),
              label: "Cost",
              color: palette.primary.main,
              valueFormatter: (v) => money(v ?? 0),
            },
          ]}
          hideLegend
        />
      </ChartCard>
      <ModelBreakdown rows={usage.byModel} currency={currency} period={period} />
    </Stack>
  );
}

function Total({
  term,
  detail,
  children,
}: {
  term: string;
  detail?: string | undefined;
  children: ReactNode;
}) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography component="dt" variant="body2" color="text.secondary">
        {term}
      </Typography>
      <Box component="dd" sx={{ m: 0 }}>
        <Typography sx={{ fontWeight: 700, fontSize: "1.25rem", fontVariantNumeric: "tabular-nums" }}>
          {children}
        </Typography>
        {detail && (
          <Typography variant="body2" color="text.secondary">
            {detail}
          </Typography>
        )}
      </Box>
    </Box>
  );
}

interface ModelBreakdownProps {
  readonly rows: readonly ModelUsage[];
  readonly currency: string;
  readonly period: string;
}

/** The breakdown's figures; phones show turns and cost only (`wide` columns need room). */
const columns = [
  { name: "Turns", wide: false },
  { name: "Failed", wide: true },
  { name: "Input tokens", wide: true },
  { name: "Output tokens", wide: true },
  { name: "Tool calls", wide: true },
  { name: "Cost", wide: false },
] as const;

const wideOnly = { display: { xs: "none", sm: "table-cell" } } as const;

/** Turns, tokens and cost by agent and model, costliest first (as the platform sorts them). */
function ModelBreakdown({ rows, currency, period }: ModelBreakdownProps) {
  const headingId = useId();
  // To name agents instead of showing their ids; the ids stay if the list does not load.
  const agents = useAgents({ includeArchived: true });
  const agentName = (id: string) => agents.data?.find((agent) => agent.id === id)?.name;
  const caption = `Usage by agent and model, ${period}`;
  return (
    <Paper
      component="section"
      aria-labelledby={headingId}
      sx={{ p: { xs: 2, sm: 2.5 }, display: "flex", flexDirection: "column", gap: 1, minWidth: 0 }}
    >
      <Typography variant="h3" component="h4" id={headingId}>
        By agent and model
      </Typography>
      {rows.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          No agent answered in these days.
        </Typography>
      ) : (
        <TableContainer tabIndex={0} role="group" aria-label={`${caption}: the numbers`}>
          <Table size="small" sx={compactCells}>
            <caption style={visuallyHidden}>{caption}</caption>
            <TableHead>
              <TableRow>
                <TableCell scope="col">Agent</TableCell>
                <TableCell scope="col">Model</TableCell>
                {columns.map(({ name, wide }) => (
                  <TableCell key={name} scope="col" align="right" sx={wide ? wideOnly : undefined}>
                    {name}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((row) => {
                const name = agentName(row.agentId);
                return (
                  <TableRow key={`${row.agentId}|${row.model}`}>
                    <TableCell component="th" scope="row" sx={{ overflowWrap: "anywhere" }}>
                      {name ?? (
                        <Box component="span" sx={{ fontFamily: monospace }}>
                          {row.agentId}
                        </Box>
                      )}
                    </TableCell>
                    <TableCell
                      sx={{ fontFamily: monospace, fontSize: "0.8125rem", overflowWrap: "anywhere" }}
                    >
                      {row.model}
                    </TableCell>
                    {[
                      formatCount(row.turns),
                      formatCount(row.failed),
                      formatCount(row.inputTokens),
                      formatCount(row.outputTokens),
                      formatCount(row.toolCalls),
                      formatMoney(row.costMicros, currency),
                    ].map((cell, i) => (
                      <TableCell
                        key={columns[i]?.name ?? i}
                        align="right"
                        sx={{ whiteSpace: "nowrap", ...(columns[i]?.wide ? wideOnly : {}) }}
                      >
                        {cell}
                      </TableCell>
                    ))}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
