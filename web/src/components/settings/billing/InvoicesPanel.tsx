import { useId } from "react";
import {
  Link,
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
import type { Invoice } from "../../../data/billing";
import type { RemoteData } from "../../../data/useRemoteData";
import { formatDayWithYear } from "../../shared/format";
import { PageLoading } from "../../PageLoading";
import { SectionHeader } from "../../shared/SectionHeader";
import { SectionLoadError } from "../SectionLoadError";
import { compactCells, visuallyHidden } from "../../shared/tableStyles";
import { formatMinorUnits } from "../../shared/money";

/** Stripe's invoice statuses, in words. */
const statusLabels: Readonly<Record<string, string>> = {
  draft: "Draft",
  open: "Due",
  paid: "Paid",
  uncollectible: "Uncollectible",
  void: "Void",
};

/** The workspace's Stripe invoices, newest first, each with Stripe's page and PDF (owners, when connected). */
export function InvoicesPanel({ invoices }: { readonly invoices: RemoteData<Invoice[]> }) {
  const headingId = useId();
  const { data, error } = invoices;
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Invoices"
        level="h3"
        description="Stripe's invoices for the subscription and the credits bought."
      />
      {error && !data && (
        <SectionLoadError error={error} onRetry={invoices.retry} retrying={invoices.pending} />
      )}
      {!data && !error && <PageLoading label="Loading invoices…" />}
      {data && data.length === 0 && <Typography color="text.secondary">No invoices yet.</Typography>}
      {data && data.length > 0 && (
        <TableContainer component={Paper}>
          <Table size="small" sx={compactCells}>
            <caption style={visuallyHidden}>Invoices</caption>
            <TableHead>
              <TableRow>
                <TableCell scope="col">Invoice</TableCell>
                <TableCell scope="col">Date</TableCell>
                <TableCell scope="col">Status</TableCell>
                <TableCell scope="col" align="right">
                  Amount
                </TableCell>
                <TableCell scope="col">
                  <span style={visuallyHidden}>Links</span>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((invoice) => {
                const name = invoice.number ?? invoice.id;
                return (
                  <TableRow key={invoice.id}>
                    <TableCell component="th" scope="row" sx={{ overflowWrap: "anywhere" }}>
                      {name}
                    </TableCell>
                    <TableCell sx={{ whiteSpace: "nowrap" }}>
                      <time dateTime={invoice.created}>
                        {formatDayWithYear(invoice.created.slice(0, 10))}
                      </time>
                    </TableCell>
                    <TableCell>
                      {invoice.status ? (statusLabels[invoice.status] ?? invoice.status) : "—"}
                    </TableCell>
                    <TableCell
                      align="right"
                      sx={{ whiteSpace: "nowrap", fontVariantNumeric: "tabular-nums" }}
                    >
                      {formatMinorUnits(invoice.amountDue, invoice.currency)}
                      {invoice.amountPaid > 0 && invoice.amountPaid !== invoice.amountDue && (
                        <Typography variant="body2" color="text.secondary">
                          {formatMinorUnits(invoice.amountPaid, invoice.currency)} paid
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      <Stack direction="row" spacing={2}>
                        {invoice.hostedInvoiceUrl && (
                          <Link
                            href={invoice.hostedInvoiceUrl}
                            target="_blank"
                            rel="noopener noreferrer"
                            aria-label={`View invoice ${name} (opens Stripe)`}
                          >
                            View
                          </Link>
                        )}
                        {invoice.pdfUrl && (
                          <Link
                            href={invoice.pdfUrl}
                            target="_blank"
                            rel="noopener noreferrer"
                            aria-label={`Download invoice ${name} as PDF`}
                          >
                            PDF
                          </Link>
                        )}
                      </Stack>
                    </TableCell>
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Stack>
  );
}
