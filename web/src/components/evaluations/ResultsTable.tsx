import { Fragment, useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
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
import type { EvalResult } from "../../data/evaluations";
import { formatConfidence, formatLatency } from "../shared/format";
import { conversationAddress } from "./sections";

export const resultFilters = ["all", "incorrect", "correct", "failed", "pending"] as const;
export type ResultFilter = (typeof resultFilters)[number];

const filterWords: Record<ResultFilter, string> = {
  all: "All",
  incorrect: "Incorrect",
  correct: "Correct",
  failed: "Failed turns",
  pending: "Not yet run",
};

/** What a result was, in one word a reader does not need color for. */
export function outcomeOf(result: EvalResult): string {
  if (result.status === "pending") return "Not yet run";
  if (result.error) return "Failed";
  if (!result.score) return "Not scored";
  return result.score.correct ? "Correct" : "Incorrect";
}

export function matchesFilter(result: EvalResult, filter: ResultFilter): boolean {
  switch (filter) {
    case "all":
      return true;
    case "pending":
      return result.status === "pending";
    case "failed":
      return result.status === "done" && result.error !== null;
    case "correct":
      return result.score?.correct === true;
    case "incorrect":
      return result.status === "done" && result.error === null && result.score?.correct === false;
  }
}

const questionOf = (r: EvalResult) => r.item.question ?? (r.item.turns ?? []).at(-1) ?? "";

interface ResultsTableProps {
  readonly results: readonly EvalResult[];
  /** Opens a trace beside the table. */
  readonly onShowTrace: (traceId: string) => void;
}

/** Each item's outcome; a row opens to the answer, why it scored so, its citations and its trace. */
export function ResultsTable({ results, onShowTrace }: ResultsTableProps) {
  const [filter, setFilter] = useState<ResultFilter>("all");
  const [open, setOpen] = useState<string | undefined>(undefined);
  const shown = results.filter((r) => matchesFilter(r, filter));
  const count = (f: ResultFilter) => results.filter((r) => matchesFilter(r, f)).length;
  return (
    <Stack spacing={1.5}>
      <ToggleButtonGroup
        size="small"
        exclusive
        value={filter}
        onChange={(_, value: ResultFilter | null) => value && setFilter(value)}
        aria-label="Show results"
        sx={{ flexWrap: "wrap" }}
      >
        {resultFilters.map((f) => (
          <ToggleButton key={f} value={f}>
            {filterWords[f]} ({count(f)})
          </ToggleButton>
        ))}
      </ToggleButtonGroup>
      {shown.length === 0 ? (
        <Typography color="text.secondary">No results here.</Typography>
      ) : (
        <TableContainer component={Paper} tabIndex={0} role="group" aria-label="Results by item: the table">
          <Table size="small" aria-label="Results by item">
            <TableHead>
              <TableRow>
                <TableCell scope="col">#</TableCell>
                <TableCell scope="col">Question</TableCell>
                <TableCell scope="col">Outcome</TableCell>
                <TableCell scope="col" align="right">
                  Confidence
                </TableCell>
                <TableCell scope="col" align="right" sx={{ display: { xs: "none", sm: "table-cell" } }}>
                  Latency
                </TableCell>
                <TableCell scope="col">Details</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((result) => (
                <ResultRow
                  key={result.itemId}
                  result={result}
                  open={open === result.itemId}
                  onToggle={() => setOpen((o) => (o === result.itemId ? undefined : result.itemId))}
                  onShowTrace={onShowTrace}
                />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}

function ResultRow({
  result,
  open,
  onToggle,
  onShowTrace,
}: {
  readonly result: EvalResult;
  readonly open: boolean;
  readonly onToggle: () => void;
  readonly onShowTrace: (traceId: string) => void;
}) {
  const detailsId = useId();
  const outcome = outcomeOf(result);
  return (
    <Fragment>
      <TableRow>
        <TableCell component="th" scope="row">
          {result.seq + 1}
        </TableCell>
        <TableCell sx={{ maxWidth: 420, overflowWrap: "anywhere" }}>{questionOf(result)}</TableCell>
        <TableCell
          sx={{
            whiteSpace: "nowrap",
            fontWeight: 600,
            color:
              outcome === "Correct"
                ? "success.dark"
                : outcome === "Incorrect" || outcome === "Failed"
                  ? "error.dark"
                  : "text.secondary",
          }}
        >
          {outcome}
          {result.abstained && (
            <Typography
              component="span"
              variant="body2"
              sx={{ display: "block", fontWeight: 400, color: "text.secondary" }}
            >
              Abstained
            </Typography>
          )}
        </TableCell>
        <TableCell align="right">{formatConfidence(result.confidence)}</TableCell>
        <TableCell align="right" sx={{ display: { xs: "none", sm: "table-cell" } }}>
          {formatLatency(result.latencyMs)}
        </TableCell>
        <TableCell>
          <Button
            size="small"
            onClick={onToggle}
            aria-label={`${open ? "Hide" : "Show"} item ${result.seq + 1}`}
            aria-expanded={open}
            aria-controls={open ? detailsId : undefined}
          >
            {open ? "Hide" : "Show"}
          </Button>
        </TableCell>
      </TableRow>
      {open && (
        <TableRow id={detailsId}>
          <TableCell colSpan={6} sx={{ bgcolor: "grey.50" }}>
            <ResultDetails result={result} onShowTrace={onShowTrace} />
          </TableCell>
        </TableRow>
      )}
    </Fragment>
  );
}

function ResultDetails({
  result,
  onShowTrace,
}: {
  readonly result: EvalResult;
  readonly onShowTrace: (traceId: string) => void;
}) {
  const { item, score } = result;
  return (
    <Stack spacing={1.5} sx={{ py: 1 }}>
      {item.turns && (
        <Typography variant="body2">
          <strong>Script:</strong> {item.turns.join(" → ")}
        </Typography>
      )}
      <Box>
        <Typography variant="body2" sx={{ fontWeight: 600 }}>
          Answer
        </Typography>
        <Typography variant="body2" sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
          {result.answer ?? (result.error ? `The turn failed: ${result.error.message}` : "No answer yet.")}
        </Typography>
      </Box>
      {score && (
        <Typography variant="body2">
          <strong>Why {score.correct ? "correct" : "incorrect"}:</strong> {score.reason}
          {score.missingFacts.length > 0 &&
            ` Missing: ${score.missingFacts.map((f) => `“${f}”`).join(", ")}.`}
        </Typography>
      )}
      <Typography variant="body2">
        <strong>Expected:</strong>{" "}
        {item.shouldAbstain
          ? "an abstention"
          : item.expectedFacts.length > 0
            ? item.expectedFacts.map((f) => `“${f}”`).join(", ")
            : (item.referenceAnswer ?? "—")}
        {item.expectedSources.length > 0 && `; citing ${item.expectedSources.join(", ")}`}
      </Typography>
      {result.citations.length > 0 && (
        <Box>
          <Typography variant="body2" sx={{ fontWeight: 600 }}>
            Citations
          </Typography>
          <Box component="ul" sx={{ m: 0, pl: 3 }}>
            {result.citations.map((c, i) => (
              <li key={`${c.ref}-${i}`}>
                <Typography variant="body2">
                  [{c.ref}] {c.docName}:{" "}
                  {c.supported ? "supports the sentence" : "does not support the sentence"}
                </Typography>
              </li>
            ))}
          </Box>
        </Box>
      )}
      {result.judgement && (
        <Typography variant="body2">
          <strong>LLM judge ({result.judgement.model}):</strong> {result.judgement.verdict}
          {result.judgement.rationale && ` — ${result.judgement.rationale}`}
        </Typography>
      )}
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
        {result.traceId && (
          <Button
            size="small"
            variant="outlined"
            onClick={() => result.traceId && onShowTrace(result.traceId)}
          >
            Show the trace
          </Button>
        )}
        {result.conversationId && (
          <Button size="small" component={RouterLink} to={conversationAddress(result.conversationId)}>
            Open the conversation
          </Button>
        )}
      </Box>
    </Stack>
  );
}
