import { Box, Button, Dialog, DialogActions, DialogContent, DialogTitle, Typography } from "@mui/material";
import type { Citation, CitationLocation } from "../../data/conversations";

/** Where a passage sits in its document: "Page 3 · Time off › Annual leave". */
export function describeLocation(location: CitationLocation): string {
  const parts: string[] = [];
  if (location.page !== undefined) {
    parts.push(
      location.pageEnd !== undefined && location.pageEnd !== location.page
        ? `Pages ${location.page}–${location.pageEnd}`
        : `Page ${location.page}`,
    );
  }
  if (location.row !== undefined) {
    parts.push(
      location.rowEnd !== undefined && location.rowEnd !== location.row
        ? `Rows ${location.row}–${location.rowEnd}`
        : `Row ${location.row}`,
    );
  }
  if (location.headingPath.length > 0) parts.push(location.headingPath.join(" › "));
  return parts.join(" · ");
}

interface CitationDialogProps {
  readonly citation: Citation | undefined;
  readonly open: boolean;
  readonly onClose: () => void;
}

/** The passage an answer cites, quoted as the platform checked it. */
export function CitationDialog({ citation, open, onClose }: CitationDialogProps) {
  const location = citation ? describeLocation(citation.location) : "";
  return (
    <Dialog open={open} onClose={onClose} maxWidth="sm" fullWidth>
      <DialogTitle>
        [{citation?.ref}] {citation?.docName}
      </DialogTitle>
      <DialogContent>
        {(
          citation?.supports ?? (citation ? [{ claim: citation.claim ?? "", quote: citation.quote }] : [])
        ).map((support, index) => (
          <Box key={index} sx={{ mt: index > 0 ? 2 : 0 }}>
            {support.claim && (
              <Typography variant="body2" sx={{ mb: 1 }}>
                Supports: “{support.claim}”
              </Typography>
            )}
            <Box
              component="blockquote"
              sx={{ m: 0, pl: 2, borderLeft: 4, borderColor: "primary.light", fontStyle: "italic" }}
            >
              {support.quote || "The platform kept no quote for this passage."}
            </Box>
          </Box>
        ))}
        <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
          {location ? `Location: ${location}` : "Location: the start of the document"}
        </Typography>
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
