import {
  Box,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { SlaReport, SlaTarget } from "../../data/monitor";
import { monospace } from "../../theme";
import { formatCount } from "../shared/format";
import { compactCells } from "../shared/tableStyles";
import { formatAvailability, type Presentation } from "./format";
import { PresentationChip } from "./PresentationChip";

const minutesFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 1 });

/** 43.2 → "43.2 min"; whole counts as counts. */
export function formatBudgetMinutes(minutes: number): string {
  return `${minutesFormat.format(minutes)} min`;
}

export function metPresentation(met: boolean | null): Presentation {
  if (met === null) return { label: "No data", color: "default" };
  return met ? { label: "Met", color: "success" } : { label: "Missed", color: "error" };
}

/** What a target is, under its name: the API, or an agent's id. */
function targetKind(target: SlaTarget): string {
  return target.target === "api" ? "The API" : target.target.replace(/^agent:/, "Agent ");
}

interface SlaTableProps {
  readonly report: SlaReport;
  /** The table's accessible name. */
  readonly label: string;
  /** On paper every column shows, whatever the width. */
  readonly printable?: boolean;
}

/** Each target's availability over the month against the target, its failed minutes and its error budget. */
export function SlaTable({ report, label, printable = false }: SlaTableProps) {
  const narrowHidden = printable ? {} : { display: { xs: "none", sm: "table-cell" } };
  const wideOnly = printable ? {} : { display: { xs: "none", md: "table-cell" } };
  return (
    // Focusable, so a keyboard can scroll the table when it is wider than a phone's screen.
    <TableContainer tabIndex={0} role="group" aria-label={`${label}: the table`}>
      <Table size="small" aria-label={label} sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>Target</TableCell>
            <TableCell align="right">Availability</TableCell>
            <TableCell>Target met</TableCell>
            <TableCell align="right" sx={narrowHidden}>
              Failed minutes
            </TableCell>
            <TableCell align="right" sx={wideOnly}>
              Observed minutes
            </TableCell>
            <TableCell align="right" sx={wideOnly}>
              Unobserved minutes
            </TableCell>
            <TableCell align="right" sx={narrowHidden}>
              Error budget
            </TableCell>
            <TableCell align="right" sx={narrowHidden}>
              Budget left
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {report.targets.map((target) => (
            <TableRow key={target.target}>
              <TableCell component="th" scope="row" sx={{ overflowWrap: "anywhere" }}>
                <Box sx={{ fontWeight: 600 }}>{target.name}</Box>
                <Typography variant="body2" color="text.secondary" sx={{ fontFamily: monospace }}>
                  {targetKind(target)}
                </Typography>
              </TableCell>
              <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                {formatAvailability(target.availability)}
              </TableCell>
              <TableCell>
                <PresentationChip presentation={metPresentation(target.met)} />
              </TableCell>
              <TableCell align="right" sx={narrowHidden}>
                {formatCount(target.failedMinutes)}
              </TableCell>
              <TableCell align="right" sx={wideOnly}>
                {formatCount(target.observedMinutes)}
              </TableCell>
              <TableCell align="right" sx={wideOnly}>
                {formatCount(target.unobservedMinutes)}
              </TableCell>
              <TableCell align="right" sx={{ ...narrowHidden, whiteSpace: "nowrap" }}>
                {formatBudgetMinutes(target.errorBudgetMinutes)}
              </TableCell>
              <TableCell
                align="right"
                sx={{
                  ...narrowHidden,
                  whiteSpace: "nowrap",
                  color: target.errorBudgetRemainingMinutes < 0 ? "error.main" : undefined,
                }}
              >
                {formatBudgetMinutes(target.errorBudgetRemainingMinutes)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
