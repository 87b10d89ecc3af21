import { useId } from "react";
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
  Typography,
} from "@mui/material";
import type { CreditEntry } from "../../../data/billing";
import { monospace } from "../../../theme";
import { RelativeTime } from "../../RelativeTime";
import { SectionHeader } from "../../shared/SectionHeader";
import { compactCells, visuallyHidden } from "../../shared/tableStyles";
import { formatMoney } from "../../shared/money";

/** Each kind of entry, in words; an unknown kind is shown as the platform names it. */
const kindLabels: Readonly<Record<string, string>> = {
  grant: "Grant",
  topup: "Top-up",
  consumption: "Usage",
  refund: "Refund",
  expiry: "Expiry",
  adjustment: "Adjustment",
};

/** Columns that phones leave out (or show inside another cell). */
const wideOnly = { display: { xs: "none", sm: "table-cell" } } as const;

interface CreditLedgerProps {
  readonly entries: readonly CreditEntry[];
  readonly currency: string;
}

/** The latest entries of the credits ledger, newest first: what came in and went out, and the balance after. */
export function CreditLedger({ entries, currency }: CreditLedgerProps) {
  const headingId = useId();
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Credits ledger"
        level="h3"
        description="The latest changes to the balance, newest first. Entries are never changed or deleted."
      />
      {entries.length === 0 ? (
        <Typography color="text.secondary">No credits have been granted, bought or used yet.</Typography>
      ) : (
        <TableContainer component={Paper}>
          <Table size="small" sx={compactCells}>
            <caption style={visuallyHidden}>Latest credit entries</caption>
            <TableHead>
              <TableRow>
                <TableCell scope="col" sx={wideOnly}>
                  When
                </TableCell>
                <TableCell scope="col">Kind</TableCell>
                <TableCell scope="col" align="right">
                  Amount
                </TableCell>
                <TableCell scope="col" align="right">
                  Balance after
                </TableCell>
                <TableCell scope="col" sx={wideOnly}>
                  Note
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {entries.map((entry) => (
                <TableRow key={entry.id}>
                  <TableCell sx={{ ...wideOnly, whiteSpace: "nowrap" }}>
                    <RelativeTime iso={entry.at} />
                  </TableCell>
                  <TableCell>
                    {kindLabels[entry.kind] ?? entry.kind}
                    {/* On phones, when goes under the kind instead of in a column of its own. */}
                    <Typography
                      variant="body2"
                      color="text.secondary"
                      sx={{ display: { xs: "block", sm: "none" }, whiteSpace: "nowrap" }}
                    >
                      <RelativeTime iso={entry.at} />
                    </Typography>
                  </TableCell>
                  <TableCell
                    align="right"
                    sx={{
                      whiteSpace: "nowrap",
                      fontVariantNumeric: "tabular-nums",
                      color: entry.amountMicros > 0 ? "success.dark" : undefined,
                    }}
                  >
                    {formatMoney(entry.amountMicros, currency, { signed: true })}
                  </TableCell>
                  <TableCell align="right" sx={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}>
                    {formatMoney(entry.balanceAfterMicros, currency)}
                  </TableCell>
                  <TableCell sx={{ ...wideOnly, overflowWrap: "anywhere" }}>
                    {entry.note || (
                      <Box component="span" sx={{ fontFamily: monospace, fontSize: "0.8125rem" }}>
                        {entry.ref}
                      </Box>
                    )}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}
