import type { ReactNode } from "react";
import { Drawer, Paper, Typography } from "@mui/material";
import { TracePanel } from "./TracePanel";

interface TraceAsideProps {
  /** The trace to show, or undefined for none. */
  readonly traceId: string | undefined;
  readonly onClose: () => void;
  /** Wide screens: a sticky panel beside the conversation. Narrow ones: a drawer over it. */
  readonly wide: boolean;
  /** What the panel says while no trace is chosen (wide screens only). */
  readonly placeholder: ReactNode;
}

/** Where an answer's decision trace opens, beside the conversation it belongs to. */
export function TraceAside({ traceId, onClose, wide, placeholder }: TraceAsideProps) {
  const trace = traceId && <TracePanel key={traceId} traceId={traceId} onClose={onClose} />;
  if (wide) {
    return (
      <Paper
        variant="outlined"
        sx={{ p: 2, position: "sticky", top: 88, maxHeight: "calc(100vh - 104px)", overflowY: "auto" }}
      >
        {trace || <Typography color="text.secondary">{placeholder}</Typography>}
      </Paper>
    );
  }
  return (
    <Drawer
      anchor="right"
      open={traceId !== undefined}
      onClose={onClose}
      slotProps={{ paper: { "aria-label": "Trace", sx: { width: { xs: "100%", sm: 440 }, p: 2 } } }}
    >
      {trace}
    </Drawer>
  );
}
