import { Fragment, useId } from "react";
import { Link as RouterLink } from "react-router";
import {
  Alert,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Link,
  Stack,
  Typography,
} from "@mui/material";
import { isMemoryCitation, type Citation, type CitationLocation } from "../../data/conversations";
import type { PassageLocation } from "../../data/knowledge";
import { usePassage } from "../../data/hooks/knowledge";
import { documentPlaceUrl, quoteSpans } from "../knowledge/documentPlace";
import { OpenPdfButton } from "../knowledge/OpenPdfButton";
import { visuallyHidden } from "../knowledge/visuallyHidden";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";

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

/** A stored passage's location as a citation carries it (absent rather than null). */
function citationLocationOf(location: PassageLocation): CitationLocation {
  const { headingPath, page, pageEnd, row, rowEnd } = location;
  return {
    headingPath,
    ...(page !== null ? { page } : {}),
    ...(pageEnd !== null ? { pageEnd } : {}),
    ...(row !== null ? { row } : {}),
    ...(rowEnd !== null ? { rowEnd } : {}),
  };
}

interface CitationDialogProps {
  readonly citation: Citation | undefined;
  readonly open: boolean;
  readonly onClose: () => void;
}

const supportsOf = (citation: Citation | undefined) =>
  citation?.supports ?? (citation ? [{ claim: citation.claim ?? "", quote: citation.quote }] : []);

/**
 * The passage an answer cites, quoted as the platform checked it, then read where it sits: the whole
 * passage with the quotes marked, and a way to open the document at that place.
 */
export function CitationDialog({ citation, open, onClose }: CitationDialogProps) {
  const location = citation ? describeLocation(citation.location) : "";
  const supports = supportsOf(citation);
  const memory = citation !== undefined && isMemoryCitation(citation);
  return (
    <Dialog open={open} onClose={onClose} maxWidth="md" fullWidth>
      <DialogTitle>
        [{citation?.ref}] {memory ? "Memory" : citation?.docName}
      </DialogTitle>
      <DialogContent>
        {memory && (
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            Something the agent remembers about this end user from an earlier conversation, not a passage of a
            document. The end user&apos;s page (under Conversations) lists what is remembered and where it was
            learned.
          </Typography>
        )}
        {supports.map((support, index) => (
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
        {!memory && (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
            {location ? `Location: ${location}` : "Location: the start of the document"}
          </Typography>
        )}
        {/* A tool's output has no knowledge base to read it from: its quote is all there is. */}
        {citation && citation.kbId && citation.chunkId && (
          <PassageInContext
            key={`${citation.kbId}/${citation.chunkId}`}
            citation={citation}
            quotes={supports.map((s) => s.quote)}
          />
        )}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}

/** Text with the given spans marked. */
function Marked({
  text,
  spans,
}: {
  readonly text: string;
  readonly spans: readonly { start: number; end: number }[];
}) {
  // Each span with the unmarked text before it (spans are in order and do not overlap).
  const pieces = spans.map((span, index) => ({
    before: text.slice(index === 0 ? 0 : (spans[index - 1]?.end ?? 0), span.start),
    marked: text.slice(span.start, span.end),
  }));
  return (
    <>
      {pieces.map((piece, index) => (
        <Fragment key={index}>
          {piece.before}
          <Box component="mark" sx={{ bgcolor: "warning.light", color: "text.primary", px: 0.25 }}>
            {piece.marked}
          </Box>
        </Fragment>
      ))}
      {text.slice(spans.at(-1)?.end ?? 0)}
    </>
  );
}

function PassageInContext({
  citation,
  quotes,
}: {
  readonly citation: Citation;
  readonly quotes: readonly string[];
}) {
  const passage = usePassage(citation.kbId, citation.chunkId);
  const headingId = useId();
  const heading = citation.location.headingPath.at(-1);
  const page = passage.data?.location.page ?? citation.location.page ?? undefined;
  const place = passage.data
    ? {
        kbId: passage.data.kbId,
        docId: passage.data.docId,
        version: passage.data.docVersion,
        startOffset: passage.data.startOffset,
        endOffset: passage.data.endOffset,
        heading: passage.data.location.headingPath.at(-1),
        page,
      }
    : // The passage is gone (the document changed since): its heading is still a place to go to.
      { kbId: citation.kbId, docId: citation.docId, heading };
  const isPdf = passage.data ? passage.data.docType === "pdf" : /\.pdf$/i.test(citation.docName);
  const gone = passage.error?.status === 404;

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={1.5} sx={{ mt: 3 }}>
      <Typography variant="h3" id={headingId}>
        The passage in its document
      </Typography>
      {passage.data ? (
        <>
          <Typography variant="body2" color="text.secondary">
            {[
              describeLocation(citationLocationOf(passage.data.location)) || "The start of the document",
              `version ${passage.data.docVersion}`,
            ].join(" · ")}
          </Typography>
          {passage.data.activeVersion !== null && passage.data.activeVersion !== passage.data.docVersion && (
            <Alert severity="info">
              The document has a newer version ({passage.data.activeVersion}); this passage is from version{" "}
              {passage.data.docVersion}, the one the answer used.
            </Alert>
          )}
          <Box
            role="region"
            aria-label="Passage"
            tabIndex={0}
            sx={{
              p: 2,
              bgcolor: "action.hover",
              borderRadius: 1,
              whiteSpace: "pre-wrap",
              overflowWrap: "anywhere",
              maxHeight: 320,
              overflowY: "auto",
              typography: "body2",
            }}
          >
            <Marked text={passage.data.text} spans={quoteSpans(passage.data.text, quotes)} />
          </Box>
        </>
      ) : gone ? (
        <Alert severity="info">
          This passage is no longer stored: its document was replaced by a newer version or deleted since the
          answer. The quote above is what the answer used.
        </Alert>
      ) : passage.error ? (
        <RequestErrorAlert error={passage.error} onRetry={passage.retry} retrying={passage.pending} />
      ) : (
        <PageLoading label="Loading the passage…" />
      )}
      {(passage.data || gone) && (
        <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}>
          {isPdf && (
            <OpenPdfButton
              kbId={place.kbId}
              docId={place.docId}
              version={passage.data?.docVersion}
              page={page}
            />
          )}
          <Link
            component={RouterLink}
            to={documentPlaceUrl(place)}
            target="_blank"
            rel="noopener"
            variant="body2"
          >
            {isPdf ? "Read it in the document's text" : "Open the document here"}{" "}
            <Box component="span" sx={visuallyHidden}>
              (opens in a new tab)
            </Box>
          </Link>
        </Box>
      )}
    </Stack>
  );
}
