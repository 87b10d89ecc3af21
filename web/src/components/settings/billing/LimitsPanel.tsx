import { useId } from "react";
import { Box, Chip, LinearProgress, Paper, Stack, Typography } from "@mui/material";
import type { LimitStanding } from "../../../data/billing";
import { warningDark } from "../../../theme";
import { formatInstant } from "../../shared/format";
import { formatBytes } from "../../knowledge/describe";
import { SectionHeader } from "../../shared/SectionHeader";

/** Where a limit stands: fine, nearly used (80%), or used up. */
type Standing = "ok" | "near" | "reached";

/** Used as a share of the limit, in percent (0..100); a limit of 0 is used up from the start. */
function percentUsed(used: number, value: number): number {
  if (value <= 0) return 100;
  return Math.min(100, (used / value) * 100);
}

function standingOf(limit: LimitStanding): Standing {
  if (limit.used === null) return "ok";
  if (limit.used >= limit.value) return "reached";
  return percentUsed(limit.used, limit.value) >= 80 ? "near" : "ok";
}

/** A figure in the limit's own unit: bytes for storage, a count for the rest. */
function formatFigure(limit: LimitStanding, n: number): string {
  return limit.name === "storageBytes" ? formatBytes(n) : n.toLocaleString("en");
}

const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * The plan's limits and how much of each is used: a bar per limit, amber from 80%, red when a hard limit is
 * reached (work past it is refused, HTTP 402). A soft limit is marked as such: past it, work goes on.
 */
export function LimitsPanel({ limits }: { readonly limits: readonly LimitStanding[] }) {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Limits"
        level="h3"
        description="What the plan allows, and how much of it is used. Past a hard limit, new work is refused; a soft limit only sends a notice."
      />
      {limits.length === 0 ? (
        <Typography color="text.secondary">This plan sets no limits.</Typography>
      ) : (
        <Paper component="ul" sx={{ m: 0, p: 0, listStyle: "none" }}>
          {limits.map((limit, i) => (
            <Box
              component="li"
              key={limit.name}
              sx={{ p: { xs: 2, sm: 2.5 }, borderTop: i === 0 ? undefined : 1, borderColor: "divider" }}
            >
              <LimitRow limit={limit} />
            </Box>
          ))}
        </Paper>
      )}
    </Stack>
  );
}

function LimitRow({ limit }: { readonly limit: LimitStanding }) {
  const nameId = useId();
  const standing = standingOf(limit);
  const name = capitalized(limit.label);
  const color = standing === "reached" && limit.hard ? "error" : standing === "ok" ? "primary" : "warning";
  const figures =
    limit.used === null
      ? `Up to ${formatFigure(limit, limit.value)}`
      : `${formatFigure(limit, limit.used)} of ${formatFigure(limit, limit.value)}`;

  let state: string | undefined;
  if (standing === "reached") {
    state = limit.hard
      ? "Limit reached: new work is refused until it resets or the plan changes."
      : "Past the soft limit: work goes on, and the admins were notified.";
  } else if (standing === "near") {
    state = "Nearly reached: 80% or more is used.";
  }

  return (
    <Stack spacing={1}>
      <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center" }}>
        <Typography id={nameId} sx={{ fontWeight: 600 }}>
          {name}
        </Typography>
        {!limit.hard && <Chip size="small" variant="outlined" label="Soft limit" />}
        <Typography sx={{ ml: "auto", fontVariantNumeric: "tabular-nums" }}>{figures}</Typography>
      </Box>
      {limit.used !== null && (
        <LinearProgress
          variant="determinate"
          value={percentUsed(limit.used, limit.value)}
          color={color}
          aria-labelledby={nameId}
          aria-valuetext={figures}
          sx={{ height: 8, borderRadius: 4 }}
        />
      )}
      {state && (
        <Typography
          variant="body2"
          sx={{ color: color === "error" ? "error.main" : warningDark, fontWeight: 600 }}
        >
          {state}
        </Typography>
      )}
      <Typography variant="body2" color="text.secondary">
        {limit.used === null
          ? "Counted for each end user, not for the workspace as a whole."
          : limit.resetsAt
            ? `Resets ${formatInstant(limit.resetsAt)}.`
            : "Does not reset: it counts what the workspace holds now."}
        {limit.used === null && limit.resetsAt ? ` Resets ${formatInstant(limit.resetsAt)}.` : ""}
      </Typography>
    </Stack>
  );
}
