import { useEffect, useRef } from "react";
import { Link as RouterLink, useParams, useSearchParams } from "react-router";
import { Alert, Box, Breadcrumbs, Button, Link, Paper, Stack, Typography } from "@mui/material";
import { documentPlaceOf, placeInText, type DocumentPlace } from "../components/knowledge/documentPlace";
import { OpenPdfButton } from "../components/knowledge/OpenPdfButton";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { useDocumentText, useKnowledgeBase } from "../data/hooks/knowledge";
import type { DocumentText } from "../data/knowledge";

const typeNames: Record<string, string> = {
  pdf: "PDF",
  docx: "Word document",
  markdown: "Markdown",
  html: "HTML page",
  text: "Plain text",
  csv: "CSV",
  json: "JSON",
};

/**
 * Loaded on demand (see routes/index.tsx). One document's text as the platform extracted it, opened at a
 * place (`?version=&start=&end=` of a cited passage, or `?heading=`): the passage marked and scrolled into
 * view. A PDF also opens its original at the page (`?page=`).
 */
export function DocumentPage() {
  const { kbId = "", docId = "" } = useParams();
  const [searchParams] = useSearchParams();
  const place = documentPlaceOf(kbId, docId, searchParams);
  const text = useDocumentText(kbId, docId, place.version);
  const kb = useKnowledgeBase(kbId);
  usePageTitle(text.data?.name ?? "Document");

  return (
    <Stack spacing={3}>
      <Box component="header">
        <Breadcrumbs aria-label="Breadcrumb" sx={{ mb: 1 }}>
          <Link component={RouterLink} to="/knowledge">
            Knowledge
          </Link>
          <Link
            component={RouterLink}
            to={`/knowledge/${encodeURIComponent(kbId)}`}
            sx={{ overflowWrap: "anywhere" }}
          >
            {kb.data?.name ?? "Knowledge base"}
          </Link>
          <Typography color="text.primary" aria-current="page" sx={{ overflowWrap: "anywhere" }}>
            {text.data?.name ?? "Document"}
          </Typography>
        </Breadcrumbs>
        <Typography variant="h1" gutterBottom sx={{ overflowWrap: "anywhere" }}>
          {text.data?.name ?? "Document"}
        </Typography>
        {text.data && (
          <Typography color="text.secondary">
            {typeNames[text.data.type] ?? text.data.type} · version {text.data.version} · the text as the
            platform read it
          </Typography>
        )}
      </Box>
      {text.data ? (
        <DocumentTextView document={text.data} place={place} />
      ) : text.error?.status === 404 ? (
        <Stack spacing={2} sx={{ alignItems: "flex-start" }}>
          <Alert severity="warning">
            {text.error.reason ??
              "This document is not in this workspace: it may have been deleted, or belong to another workspace."}
          </Alert>
          <Button component={RouterLink} to={`/knowledge/${encodeURIComponent(kbId)}`} variant="contained">
            See the knowledge base
          </Button>
        </Stack>
      ) : text.error ? (
        <RequestErrorAlert error={text.error} onRetry={text.retry} retrying={text.pending} />
      ) : (
        <PageLoading label="Loading the document…" />
      )}
    </Stack>
  );
}

function DocumentTextView({
  document,
  place,
}: {
  readonly document: DocumentText;
  readonly place: DocumentPlace;
}) {
  const found = placeInText(document.text, place);
  const marked = useRef<HTMLElement>(null);
  useEffect(() => {
    // Opened at a place: the passage comes into view, and the keyboard and screen readers start there.
    const target = marked.current;
    if (!target) return;
    target.scrollIntoView?.({ block: "center" });
    target.focus({ preventScroll: true });
  }, [found?.start, found?.end]);

  const asked = place.startOffset !== undefined || place.heading !== undefined;
  return (
    <Stack spacing={2}>
      {document.type === "pdf" && (
        <OpenPdfButton kbId={place.kbId} docId={place.docId} version={document.version} page={place.page} />
      )}
      {asked && !found && (
        <Alert severity="info">
          The cited place is not in this version of the document any more; it is shown from the start.
        </Alert>
      )}
      <Paper
        variant="outlined"
        component="article"
        aria-label={`Text of ${document.name}`}
        sx={{
          p: { xs: 2, sm: 3 },
          whiteSpace: "pre-wrap",
          overflowWrap: "anywhere",
          fontFamily: "inherit",
          typography: "body1",
        }}
      >
        {found ? (
          <>
            {document.text.slice(0, found.start)}
            <Box
              component="mark"
              ref={marked}
              tabIndex={-1}
              sx={{ bgcolor: "warning.light", color: "text.primary", outline: "none", scrollMarginTop: 96 }}
            >
              {document.text.slice(found.start, found.end)}
            </Box>
            {document.text.slice(found.end)}
          </>
        ) : (
          document.text
        )}
      </Paper>
    </Stack>
  );
}
