import { useId, useState, type ReactNode } from "react";
import { Box, Button, Collapse, Paper, Typography } from "@mui/material";
import { DataTable, type DataTableRow } from "./DataTable";

/** Read by screen readers, not shown (the usual clip pattern). */
export const visuallyHidden = {
  position: "absolute",
  width: "1px",
  height: "1px",
  padding: 0,
  margin: "-1px",
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
  border: 0,
} as const;

/** A chart's drawing height: tall enough to read at 390 px wide, short enough for two rows on a laptop. */
export const chartHeight = 240;

interface ChartFigureProps {
  readonly labelledBy: string;
  readonly describedBy: string;
  readonly children: ReactNode;
}

/**
 * Where a chart draws: a figure named by its card's heading and described by its summary line. The chart's
 * SVG is hidden from assistive technology (MUI X Charts marks it so); the summary and the table say it in words.
 */
export function ChartFigure({ labelledBy, describedBy, children }: ChartFigureProps) {
  // No height here: the chart's own (its drawing plus a legend that may wrap on a phone) sets it.
  return (
    <Box
      role="figure"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      sx={{ width: "100%", minWidth: 0 }}
    >
      {children}
    </Box>
  );
}

interface ChartCardProps {
  readonly title: string;
  /** One or two sentences that say what the chart shows, with its key numbers. */
  readonly summary: string;
  readonly rowHeader: string;
  readonly columns: readonly string[];
  readonly rows: readonly DataTableRow[];
  /** The chart, sized to fill its container (`height` = `chartHeight`). */
  readonly children: ReactNode;
  /** The title's heading level, when the card sits deeper in a page's outline than under an `h2`. */
  readonly headingLevel?: "h3" | "h4";
}

/** A chart in a card: its heading, a summary line, the chart, and its numbers as a table on request. */
export function ChartCard({
  title,
  summary,
  rowHeader,
  columns,
  rows,
  children,
  headingLevel = "h3",
}: ChartCardProps) {
  const titleId = useId();
  const summaryId = useId();
  const tableId = useId();
  const [showNumbers, setShowNumbers] = useState(false);
  return (
    <Paper
      component="section"
      aria-labelledby={titleId}
      sx={{ p: { xs: 2, sm: 2.5 }, display: "flex", flexDirection: "column", gap: 1, minWidth: 0 }}
    >
      <Typography variant="h3" component={headingLevel} id={titleId}>
        {title}
      </Typography>
      <Typography variant="body2" color="text.secondary" id={summaryId}>
        {summary}
      </Typography>
      <ChartFigure labelledBy={titleId} describedBy={summaryId}>
        {children}
      </ChartFigure>
      <Button
        size="small"
        onClick={() => setShowNumbers((shown) => !shown)}
        aria-expanded={showNumbers}
        aria-controls={showNumbers ? tableId : undefined}
        aria-label={`${showNumbers ? "Hide" : "Show"} the numbers: ${title}`}
        // At the card's foot, level with its neighbour's when a legend makes that one taller.
        sx={{ alignSelf: "flex-start", mt: "auto" }}
      >
        {showNumbers ? "Hide the numbers" : "Show the numbers"}
      </Button>
      <Collapse in={showNumbers} unmountOnExit>
        <DataTable id={tableId} label={title} rowHeader={rowHeader} columns={columns} rows={rows} />
      </Collapse>
    </Paper>
  );
}
