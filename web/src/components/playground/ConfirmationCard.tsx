import { Alert, AlertTitle, Box, Button, Chip, Stack, Typography } from "@mui/material";
import type { Confirmation, ConfirmationDecision } from "../../data/conversations";

interface ConfirmationCardProps {
  readonly confirmation: Confirmation;
  /** While a decision is being sent (or another turn is running): the buttons wait. */
  readonly busy?: boolean;
  /** Absent: shown without buttons (a transcript, read by someone who is not the end user). */
  readonly onDecide?: (decision: ConfirmationDecision) => void;
}

const statusLabel: Record<string, string> = {
  confirmed: "Confirmed",
  cancelled: "Cancelled: nothing was sent",
  expired: "Expired: nothing was sent",
  superseded: "Not decided before the conversation moved on: nothing was sent",
  pending: "Waiting for the end user's confirmation",
};

/** The request body as a person reads it: JSON indented, anything else as it is. */
function readableBody(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

const time = (iso: string): string => {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
};

/**
 * A tool's write the answer asks its user to confirm: exactly the request that will be sent (secrets masked),
 * until when, and Confirm / Cancel. Nothing is sent until Confirm; once decided, the card says how.
 */
export function ConfirmationCard({ confirmation, busy, onDecide }: ConfirmationCardProps) {
  const { request } = confirmation;
  // Asking: pending, shown to the end user who decides (with buttons); otherwise a record of what was asked.
  const pending = confirmation.status === "pending" && onDecide !== undefined;
  const headers = Object.entries(request.headers).filter(([name]) => name.toLowerCase() !== "accept");
  return (
    <Alert
      severity={pending ? "warning" : "info"}
      variant="outlined"
      sx={{ alignSelf: "stretch", "& .MuiAlert-message": { minWidth: 0, flex: 1 } }}
      aria-label={`Confirmation for ${confirmation.toolName}`}
    >
      <AlertTitle>{pending ? `Confirm ${confirmation.toolName}?` : `${confirmation.toolName}`}</AlertTitle>
      <Stack spacing={1}>
        <Typography variant="body2">
          {pending
            ? `This changes something. It is sent exactly as shown only if you confirm, before ${time(confirmation.expiresAt)}.`
            : "The agent asked the end user to confirm this request."}
        </Typography>
        <Box
          component="pre"
          // Focusable so keyboard users can scroll a long request (it scrolls past 260 px).
          tabIndex={0}
          sx={{
            m: 0,
            p: 1,
            bgcolor: "action.hover",
            borderRadius: 1,
            fontSize: 13,
            whiteSpace: "pre-wrap",
            overflowWrap: "anywhere",
            maxHeight: 260,
            overflow: "auto",
          }}
        >
          {`${request.method} ${request.url}\n`}
          {headers.map(([name, value]) => `${name}: ${value}\n`).join("")}
          {request.body !== null ? `\n${readableBody(request.body)}` : ""}
        </Box>
        {pending ? (
          <Stack direction="row" spacing={1}>
            <Button variant="contained" disabled={busy === true} onClick={() => onDecide("confirm")}>
              Confirm
            </Button>
            <Button variant="outlined" disabled={busy === true} onClick={() => onDecide("cancel")}>
              Cancel
            </Button>
          </Stack>
        ) : (
          <Box>
            <Chip
              size="small"
              color={confirmation.status === "confirmed" ? "success" : "default"}
              label={statusLabel[confirmation.status] ?? confirmation.status}
            />
          </Box>
        )}
      </Stack>
    </Alert>
  );
}
