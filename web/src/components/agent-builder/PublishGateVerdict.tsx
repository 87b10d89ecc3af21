import { Link as RouterLink } from "react-router";
import { Alert, AlertTitle, Box, Link, List, ListItem, Stack, Typography } from "@mui/material";
import {
  publishGateTimeoutOf,
  publishGateVerdictOf,
  type ComparedSide,
  type PublishGateTimeout,
  type PublishGateVerdict,
} from "../../data/evaluations";
import type { PlatformRequestError } from "../../data/platform";
import { formatPoints } from "../evaluations/format";
import { compareAddress, runAddress } from "../evaluations/sections";
import { formatRate } from "../shared/format";
import { FormErrorAlert } from "../FormErrorAlert";

/**
 * Why a publish was not made: the gate's verdict (accuracies, the drop against the margin, what got worse)
 * when the gate refused the draft, what goes on when its runs outlasted the wait, or the platform's words.
 */
export function PublishRefusal({
  error,
  datasetName,
}: {
  readonly error: PlatformRequestError;
  /** The gate's dataset, by name when known. */
  readonly datasetName: (datasetId: string) => string;
}) {
  const verdict = publishGateVerdictOf(error);
  if (verdict) return <GateVerdict verdict={verdict} datasetName={datasetName(verdict.datasetId)} />;
  const timeout = publishGateTimeoutOf(error);
  if (timeout) return <GateTimeout timeout={timeout} />;
  return <FormErrorAlert title="Not published" error={error} />;
}

function GateVerdict({
  verdict,
  datasetName,
}: {
  readonly verdict: PublishGateVerdict;
  readonly datasetName: string;
}) {
  const { published, draft, counts } = verdict;
  return (
    <Alert severity="error">
      <AlertTitle>The publish gate refused the draft: nothing was published</AlertTitle>
      <Stack spacing={1.5}>
        <Typography variant="body2">
          On “{datasetName}”, the draft scored {formatRate(draft.accuracy)} and version {published.version}{" "}
          {formatRate(published.accuracy)}: a drop of {formatPoints(verdict.drop)}, more than the{" "}
          {formatPoints(verdict.maxDrop)} the gate allows. {counts.worse} item{counts.worse === 1 ? "" : "s"}{" "}
          got worse, {counts.better} better.
        </Typography>
        <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
          <Link component={RouterLink} to={compareAddress(published.runId, draft.runId)}>
            Compare the two runs item by item, with each answer&apos;s trace
          </Link>
          <Link component={RouterLink} to={runAddress(draft.runId)}>
            The draft&apos;s run
          </Link>
        </Box>
        {verdict.worse.length > 0 && (
          <>
            <Typography variant="body2" sx={{ fontWeight: 600 }}>
              What got worse
              {verdict.worse.length < counts.worse ? ` (the first ${verdict.worse.length})` : ""}
            </Typography>
            <List dense disablePadding aria-label="Items that got worse">
              {verdict.worse.map((item) => (
                <ListItem key={item.itemId} disableGutters divider sx={{ display: "block" }}>
                  <Typography variant="body2" sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>
                    {item.question || item.itemId}
                  </Typography>
                  <Answer label={`Version ${published.version}`} side={item.base} />
                  <Answer label="The draft" side={item.other} />
                </ListItem>
              ))}
            </List>
          </>
        )}
      </Stack>
    </Alert>
  );
}

function Answer({ label, side }: { readonly label: string; readonly side: ComparedSide | null }) {
  return (
    <Typography variant="body2" sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>
      <strong>
        {label}
        {side ? ` (${side.correct ? "correct" : "incorrect"}${side.abstained ? ", abstained" : ""})` : ""}:
      </strong>{" "}
      {side ? (side.answer ?? "No answer.") : "Not in this run."}
      {side?.reason ? ` — ${side.reason}` : ""}
    </Typography>
  );
}

function GateTimeout({ timeout }: { readonly timeout: PublishGateTimeout }) {
  return (
    <Alert severity="warning">
      <AlertTitle>The publish gate&apos;s evaluation is still running: nothing was published</AlertTitle>
      <Typography variant="body2">
        Its runs did not finish
        {timeout.timeoutSeconds === null ? " in time" : ` within the gate's ${timeout.timeoutSeconds} s`}.
        They go on: publish again once they have completed, and they are reused rather than run again.
      </Typography>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", mt: 1 }}>
        <Link component={RouterLink} to={runAddress(timeout.runs.published)}>
          The published version&apos;s run
        </Link>
        <Link component={RouterLink} to={runAddress(timeout.runs.draft)}>
          The draft&apos;s run
        </Link>
      </Box>
    </Alert>
  );
}
