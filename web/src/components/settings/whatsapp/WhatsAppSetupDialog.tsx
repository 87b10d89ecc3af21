import { useId } from "react";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  Typography,
} from "@mui/material";
import { platformOrigin } from "../../../data/platform";
import type { WhatsAppConnection } from "../../../data/whatsapp";
import { CodeBlock } from "../../CodeBlock";
import { whatsAppSimulatorExample } from "./examples";
import { WebhookUrl } from "./WebhookUrl";

interface WhatsAppSetupDialogProps {
  readonly open: boolean;
  /** The connection just made; kept while the dialog fades out. */
  readonly connection: WhatsAppConnection | undefined;
  readonly onClose: () => void;
  readonly onExited: () => void;
}

/** What is left to do in Meta once a number is connected: point its webhook here and subscribe to messages. */
export function WhatsAppSetupDialog({ open, connection, onClose, onExited }: WhatsAppSetupDialogProps) {
  const titleId = useId();
  const origin = platformOrigin();
  return (
    <Dialog
      open={open}
      onClose={onClose}
      aria-labelledby={titleId}
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited } }}
    >
      <DialogTitle id={titleId}>{connection?.label ?? "The number"} is connected</DialogTitle>
      <DialogContent>
        {connection && (
          <Stack spacing={2}>
            <Typography>
              It answers once Meta sends it the messages. In your Meta app&apos;s dashboard, open WhatsApp
              &gt; Configuration and edit the webhook:
            </Typography>
            <Box component="ol" sx={{ m: 0, pl: 3, "& > li + li": { mt: 1.5 } }}>
              <li>
                <Typography>Callback URL:</Typography>
                <WebhookUrl url={`${origin}${connection.webhookPath}`} label="callback URL" />
              </li>
              <li>
                <Typography>
                  Verify token: the one you just entered. It is not shown again, here or anywhere.
                </Typography>
              </li>
              <li>
                <Typography>
                  Verify and save: Meta calls the URL once, and the platform answers only to that token.
                </Typography>
              </li>
              <li>
                <Typography>
                  Under Webhook fields, subscribe to <code>messages</code>.
                </Typography>
              </li>
            </Box>
            <Alert severity="info" role="note">
              Then send the number a WhatsApp message: its last activity shows in the list, and anything that
              goes wrong shows as its last error.
            </Alert>
            <Typography>
              No Meta account yet? <code>npm run whatsapp:simulate</code> plays Meta&apos;s part against a
              local platform:
            </Typography>
            <CodeBlock label="WhatsApp simulator" code={whatsAppSimulatorExample(origin, connection)} />
          </Stack>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose} variant="contained" autoFocus>
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}
