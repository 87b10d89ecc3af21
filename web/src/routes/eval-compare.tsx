import { useState } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import {
  Alert,
  Box,
  Button,
  Link,
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
import { formatCount, formatLatency, formatRate } from "../components/shared/format";
import { EvaluationsOnlyForEditors } from "../components/evaluations/EvaluationsOnlyForEditors";
import { formatPointsDelta, targetLabel } from "../components/evaluations/format";
import { evaluationsPath, runAddress } from "../components/evaluations/sections";
import { PageLoading } from "../components/PageLoading";
import { TraceAside } from "../components/playground/TraceAside";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { formatMoney } from "../components/shared/money";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import type { ComparedItem, ComparedSide, EvalRun, ItemChange, RunComparison } from "../data/evaluations";
import { useRunComparison } from "../data/hooks/evaluations";
import { useSession } from "../data/session";

function Header() {
  return (
    <Box component="header">
      <Link
        component={RouterLink}
        to={evaluationsPath("runs")}
        variant="body2"
        sx={{ display: "inline-block", mb: 1 }}
      >
        ← Runs
      </Link>
      <Typography variant="h1">Compare runs</Typography>
    </Box>
  );
}

/** Loaded on demand (see routes/index.tsx). `/evaluations/compare?base=&other=`: two runs side by side. */
export function EvalComparePage() {
  usePageTitle("Compare runs · Evaluations");
  const [params] = useSearchParams();
  const base = params.get("base") ?? "";
  const other = params.get("other") ?? "";
  const { session } = useSession();
  if (!session || !hasPermission(session.role, "conversations.view")) {
    return (
      <Stack spacing={3}>
        <Header />
        <EvaluationsOnlyForEditors />
      </Stack>
    );
  }
  if (base === "" || other === "") {
    return (
      <Stack spacing={3}>
        <Header />
        <Alert severity="info">
          Pick two finished runs on the{" "}
          <Link component={RouterLink} to={evaluationsPath("runs")}>
            Runs
          </Link>{" "}
          tab to compare them.
        </Alert>
      </Stack>
    );
  }
  return <Comparison key={`${base}/${other}`} base={base} other={other} />;
}

function Comparison({ base, other }: { readonly base: string; readonly other: string }) {
  const comparison = useRunComparison(base, other);
  return (
    <Stack spacing={3}>
      <Header />
      {comparison.data ? (
        <ComparisonView comparison={comparison.data} />
      ) : comparison.error?.status === 404 ? (
        <Alert severity="warning">One of these runs does not exist in this workspace.</Alert>
      ) : comparison.error ? (
        <RequestErrorAlert
          error={comparison.error}
          onRetry={comparison.retry}
          retrying={comparison.pending}
        />
      ) : (
        <PageLoading label="Comparing the runs…" />
      )}
    </Stack>
  );
}

const runName = (run: EvalRun) => `${targetLabel(run.version)} (${new Date(run.createdAt).toLocaleString()})`;

const changeWords: Record<ItemChange, string> = {
  worse: "Worse",
  better: "Better",
  same: "Same",
  "only-base": "Only in the base run",
  "only-other": "Only in the other run",
};

/** The filters a reader picks from: better, worse, same (and items one run lacks, when there are some). */
type Filter = "all" | ItemChange;

function ComparisonView({ comparison }: { readonly comparison: RunComparison }) {
  const { base, other, deltas, counts, items } = comparison;
  const [filter, setFilter] = useState<Filter>(counts.worse > 0 ? "worse" : "all");
  const [traceId, setTraceId] = useState<string | undefined>(undefined);
  const shown = items.filter((i) => filter === "all" || i.change === filter);
  const filters: Filter[] = [
    "all",
    "worse",
    "better",
    "same",
    ...(counts["only-base"] > 0 ? (["only-base"] as const) : []),
    ...(counts["only-other"] > 0 ? (["only-other"] as const) : []),
  ];
  const total = Object.values(counts).reduce((n, c) => n + c, 0);
  const b = base.scores;
  const o = other.scores;
  const rows: [string, string, string, string][] = [
    [
      "Accuracy",
      formatRate(b?.accuracy ?? null),
      formatRate(o?.accuracy ?? null),
      formatPointsDelta(deltas.accuracy),
    ],
    [
      "Citation precision",
      formatRate(b?.citationPrecision ?? null),
      formatRate(o?.citationPrecision ?? null),
      formatPointsDelta(deltas.citationPrecision),
    ],
    [
      "Abstention precision",
      formatRate(b?.abstentionPrecision ?? null),
      formatRate(o?.abstentionPrecision ?? null),
      formatPointsDelta(deltas.abstentionPrecision),
    ],
    [
      "Abstention recall",
      formatRate(b?.abstentionRecall ?? null),
      formatRate(o?.abstentionRecall ?? null),
      formatPointsDelta(deltas.abstentionRecall),
    ],
    [
      "Calibration error (lower is better)",
      b?.ece?.toFixed(3) ?? "—",
      o?.ece?.toFixed(3) ?? "—",
      deltas.ece === null ? "—" : `${deltas.ece > 0 ? "+" : ""}${deltas.ece.toFixed(3)}`,
    ],
    [
      "Latency p50",
      formatLatency(b?.latencyP50Ms ?? null),
      formatLatency(o?.latencyP50Ms ?? null),
      deltas.latencyP50Ms === null
        ? "—"
        : `${deltas.latencyP50Ms > 0 ? "+" : ""}${formatLatency(deltas.latencyP50Ms)}`,
    ],
    [
      "Latency p95",
      formatLatency(b?.latencyP95Ms ?? null),
      formatLatency(o?.latencyP95Ms ?? null),
      deltas.latencyP95Ms === null
        ? "—"
        : `${deltas.latencyP95Ms > 0 ? "+" : ""}${formatLatency(deltas.latencyP95Ms)}`,
    ],
    [
      "Tokens",
      formatCount((b?.tokensIn ?? 0) + (b?.tokensOut ?? 0)),
      formatCount((o?.tokensIn ?? 0) + (o?.tokensOut ?? 0)),
      `${deltas.tokens > 0 ? "+" : ""}${formatCount(deltas.tokens)}`,
    ],
    [
      "Cost",
      formatMoney(b?.costMicros ?? 0, b?.currency ?? "usd"),
      formatMoney(o?.costMicros ?? 0, o?.currency ?? "usd"),
      formatMoney(deltas.costMicros, o?.currency ?? "usd", { signed: true }),
    ],
  ];
  return (
    <>
      <Typography>
        Base:{" "}
        <Link component={RouterLink} to={runAddress(base.id)}>
          {runName(base)}
        </Link>
        . Other:{" "}
        <Link component={RouterLink} to={runAddress(other.id)}>
          {runName(other)}
        </Link>
        . Dataset {base.datasetName || base.datasetId}
        {base.datasetId !== other.datasetId && ` and ${other.datasetName || other.datasetId}`}.
      </Typography>
      {base.datasetRevision !== other.datasetRevision && base.datasetId === other.datasetId && (
        <Alert severity="info">
          The dataset changed between the two runs: some items may be in one run only.
        </Alert>
      )}
      <Paper component="section" aria-labelledby="compare-scores-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="compare-scores-heading" gutterBottom>
          Scores
        </Typography>
        <TableContainer tabIndex={0} role="group" aria-label="Scores side by side: the numbers">
          <Table size="small" aria-label="Scores side by side">
            <TableHead>
              <TableRow>
                <TableCell scope="col">Score</TableCell>
                <TableCell scope="col" align="right">
                  Base
                </TableCell>
                <TableCell scope="col" align="right">
                  Other
                </TableCell>
                <TableCell scope="col" align="right">
                  Change
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map(([name, x, y, d]) => (
                <TableRow key={name}>
                  <TableCell component="th" scope="row">
                    {name}
                  </TableCell>
                  <TableCell align="right">{x}</TableCell>
                  <TableCell align="right">{y}</TableCell>
                  <TableCell align="right">{d}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      </Paper>

      <Paper component="section" aria-labelledby="compare-items-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="compare-items-heading" gutterBottom>
          Item by item
        </Typography>
        <Typography sx={{ mb: 1.5 }}>
          Of {formatCount(total)} items: {formatCount(counts.better)} better, {formatCount(counts.worse)}{" "}
          worse, {formatCount(counts.same)} the same
          {counts["only-base"] + counts["only-other"] > 0 &&
            `, ${formatCount(counts["only-base"] + counts["only-other"])} in one run only`}
          .
        </Typography>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={filter}
          onChange={(_, value: Filter | null) => value && setFilter(value)}
          aria-label="Show items"
          sx={{ flexWrap: "wrap", mb: 2 }}
        >
          {filters.map((f) => (
            <ToggleButton key={f} value={f}>
              {f === "all" ? `All (${items.length})` : `${changeWords[f]} (${counts[f]})`}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {shown.length === 0 ? (
          <Typography color="text.secondary">No items here.</Typography>
        ) : (
          <TableContainer tabIndex={0} role="group" aria-label="Items compared: the table">
            <Table size="small" aria-label="Items compared">
              <TableHead>
                <TableRow>
                  <TableCell scope="col">Question</TableCell>
                  <TableCell scope="col">Change</TableCell>
                  <TableCell scope="col">Base answer</TableCell>
                  <TableCell scope="col">Other answer</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {shown.map((item) => (
                  <ComparedRow key={item.itemId} item={item} onShowTrace={setTraceId} />
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </Paper>
      <TraceAside traceId={traceId} onClose={() => setTraceId(undefined)} wide={false} placeholder="" />
    </>
  );
}

function ComparedRow({
  item,
  onShowTrace,
}: {
  readonly item: ComparedItem;
  readonly onShowTrace: (traceId: string) => void;
}) {
  return (
    <TableRow>
      <TableCell
        component="th"
        scope="row"
        sx={{ maxWidth: 280, overflowWrap: "anywhere", verticalAlign: "top" }}
      >
        {item.question}
      </TableCell>
      <TableCell sx={{ verticalAlign: "top", fontWeight: 600, whiteSpace: "nowrap" }}>
        {changeWords[item.change]}
      </TableCell>
      <TableCell sx={{ verticalAlign: "top" }}>
        <Side side={item.base} which="base" onShowTrace={onShowTrace} />
      </TableCell>
      <TableCell sx={{ verticalAlign: "top" }}>
        <Side side={item.other} which="other" onShowTrace={onShowTrace} />
      </TableCell>
    </TableRow>
  );
}

function Side({
  side,
  which,
  onShowTrace,
}: {
  readonly side: ComparedSide | null;
  readonly which: "base" | "other";
  readonly onShowTrace: (traceId: string) => void;
}) {
  if (!side)
    return (
      <Typography variant="body2" color="text.secondary">
        Not in this run.
      </Typography>
    );
  return (
    <Stack spacing={0.5}>
      <Typography variant="body2" sx={{ fontWeight: 600 }}>
        {side.correct ? "Correct" : "Incorrect"}
        {side.abstained ? " (abstained)" : ""}
      </Typography>
      <Typography variant="body2" sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
        {side.answer ?? "No answer."}
      </Typography>
      {side.reason && (
        <Typography variant="body2" color="text.secondary">
          {side.reason}
        </Typography>
      )}
      {side.traceId && (
        <Box>
          <Button
            size="small"
            aria-label={`Trace of the ${which} answer`}
            onClick={() => side.traceId && onShowTrace(side.traceId)}
          >
            Trace
          </Button>
        </Box>
      )}
    </Stack>
  );
}
