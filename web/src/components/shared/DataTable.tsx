import type { ReactNode } from "react";
import { Table, TableBody, TableCell, TableContainer, TableHead, TableRow } from "@mui/material";

export interface DataTableRow {
  readonly key: string;
  /** The row's header cell: a day, a channel. */
  readonly header: ReactNode;
  readonly cells: readonly string[];
}

interface DataTableProps {
  /** The table's accessible name. */
  readonly label: string;
  /** The first column's heading ("Day", "Channel"). */
  readonly rowHeader: string;
  readonly columns: readonly string[];
  readonly rows: readonly DataTableRow[];
  readonly id?: string;
}

/** The numbers behind a chart, as a compact table: a chart's text alternative. */
export function DataTable({ label, rowHeader, columns, rows, id }: DataTableProps) {
  return (
    // Focusable, so a keyboard can scroll a table longer or wider than its box (90 days, a phone).
    <TableContainer
      id={id}
      tabIndex={0}
      role="group"
      aria-label={`${label}: the numbers`}
      sx={{ maxHeight: 360, overflow: "auto" }}
    >
      <Table size="small" stickyHeader aria-label={label}>
        <TableHead>
          <TableRow>
            <TableCell scope="col">{rowHeader}</TableCell>
            {columns.map((column) => (
              <TableCell key={column} scope="col" align="right">
                {column}
              </TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {rows.map((row) => (
            <TableRow key={row.key}>
              <TableCell component="th" scope="row" sx={{ whiteSpace: "nowrap" }}>
                {row.header}
              </TableCell>
              {row.cells.map((cell, i) => (
                <TableCell key={columns[i] ?? i} align="right" sx={{ whiteSpace: "nowrap" }}>
                  {cell}
                </TableCell>
              ))}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
