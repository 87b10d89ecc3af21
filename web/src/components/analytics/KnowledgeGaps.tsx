import { memo, useId } from "react";
import { Link as RouterLink } from "react-router";
import {
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { KnowledgeGap } from "../../data/analytics";
import { documentPlaceUrl } from "../knowledge/documentPlace";
import { RelativeTime } from "../RelativeTime";
import { formatCount, plural } from "../shared/format";

/** The closest material as a reader finds it: "handbook.md › Time off › Vacation", linked to that place. */
function ClosestMaterial({ closest }: { readonly closest: KnowledgeGap["closest"] }) {
  if (!closest) {
    return (
      <Typography variant="body2" color="text.secondary">
        Nothing found
      </Typography>
    );
  }
  const where = [closest.docName, ...closest.headingPath].join(" › ");
  return (
    <Link
      component={RouterLink}
      to={documentPlaceUrl({ kbId: closest.kbId, docId: closest.docId, heading: closest.headingPath.at(-1) })}
      variant="body2"
      sx={{ overflowWrap: "anywhere" }}
    >
      {where}
    </Link>
  );
}

/**
 * The questions the agents abstained on most: what the knowledge bases are missing, with how often each was
 * asked, when last, and the closest material the agent found (often the document to complete).
 */
export const KnowledgeGaps = memo(function KnowledgeGaps({
  gaps,
}: {
  readonly gaps: readonly KnowledgeGap[];
}) {
  const headingId = useId();
  const summaryId = useId();
  const abstentions = gaps.reduce((sum, gap) => sum + gap.count, 0);
  return (
    <Paper
      component="section"
      aria-labelledby={headingId}
      sx={{ p: { xs: 2, sm: 2.5 }, display: "flex", flexDirection: "column", gap: 1, minWidth: 0 }}
    >
      <Typography variant="h2" id={headingId}>
        Knowledge gaps
      </Typography>
      <Typography variant="body2" color="text.secondary" id={summaryId}>
        {gaps.length === 0
          ? "The agents abstained on no question in this range."
          : `The questions the agents abstained on most (${plural(abstentions, "abstention", "abstentions")}), ` +
            "with the closest material they found: add what answers them to the knowledge."}
      </Typography>
      {gaps.length > 0 && (
        <TableContainer
          tabIndex={0}
          role="group"
          aria-label="Knowledge gaps: the table"
          sx={{ overflow: "auto" }}
        >
          <Table size="small" aria-label="Knowledge gaps" aria-describedby={summaryId}>
            <TableHead>
              <TableRow>
                <TableCell scope="col">Question</TableCell>
                <TableCell scope="col" align="right">
                  Abstentions
                </TableCell>
                <TableCell scope="col">Last asked</TableCell>
                <TableCell scope="col">Closest material</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {gaps.map((gap) => (
                <TableRow key={`${gap.question}\u0000${gap.lastAskedAt}`}>
                  <TableCell component="th" scope="row" sx={{ overflowWrap: "anywhere", minWidth: 200 }}>
                    {gap.question}
                    {gap.variants !== undefined && gap.variants > 1 && (
                      <Typography variant="body2" color="text.secondary">
                        Asked {plural(gap.count, "time", "times")} in{" "}
                        {plural(gap.variants, "phrasing", "phrasings")}
                      </Typography>
                    )}
                  </TableCell>
                  <TableCell align="right">{formatCount(gap.count)}</TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <RelativeTime iso={gap.lastAskedAt} />
                  </TableCell>
                  <TableCell sx={{ minWidth: 180 }}>
                    <ClosestMaterial closest={gap.closest} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
});
