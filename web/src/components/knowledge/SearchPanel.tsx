import { useEffect, useId, useRef, useState } from "react";
import { Box, Button, List, ListItem, Paper, Stack, TextField, Typography } from "@mui/material";
import type { SearchResult } from "../../data/knowledge";
import { asRequestError, type PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";
import { FormErrorAlert } from "../FormErrorAlert";
import { describeLocation, markSearchTerms, passageText } from "./describe";

type SearchState =
  | { readonly kind: "idle" }
  | { readonly kind: "searching"; readonly query: string }
  | { readonly kind: "done"; readonly query: string; readonly results: readonly SearchResult[] }
  | { readonly kind: "failed"; readonly query: string; readonly error: PlatformRequestError };

/**
 * "Try a search": the passages an agent would retrieve for a question, with where they are, their score and
 * the question's words marked, to see whether the documents hold the answer before an agent is asked.
 */
export function SearchPanel({ kbId }: { readonly kbId: string }) {
  const studio = useStudio();
  const headingId = useId();
  const [query, setQuery] = useState("");
  const [state, setState] = useState<SearchState>({ kind: "idle" });
  const inFlight = useRef<AbortController | undefined>(undefined);

  useEffect(() => () => inFlight.current?.abort(), []);

  const search = async () => {
    const asked = query.trim();
    if (asked === "") return;
    inFlight.current?.abort();
    const controller = new AbortController();
    inFlight.current = controller;
    setState({ kind: "searching", query: asked });
    try {
      const results = await studio.searchKnowledgeBase(kbId, asked, controller.signal);
      if (!controller.signal.aborted) setState({ kind: "done", query: asked, results });
    } catch (error) {
      if (!controller.signal.aborted)
        setState({ kind: "failed", query: asked, error: asRequestError(error) });
    }
  };

  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        Try a search
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Ask what your users would ask, and see the passages an agent would answer from.
      </Typography>
      <Stack
        component="form"
        role="search"
        direction={{ xs: "column", sm: "row" }}
        spacing={1}
        onSubmit={(event) => {
          event.preventDefault();
          void search();
        }}
      >
        <TextField
          label="Question or keywords"
          type="search"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          placeholder="How many vacation days do I get?"
          size="small"
          fullWidth
          slotProps={{ htmlInput: { maxLength: 4000 } }}
        />
        <Button type="submit" variant="contained" disabled={query.trim() === ""} sx={{ flexShrink: 0 }}>
          {state.kind === "searching" ? "Searching…" : "Search"}
        </Button>
      </Stack>

      <Box sx={{ mt: 2 }} aria-live="polite">
        {state.kind === "searching" && <Typography color="text.secondary">Searching…</Typography>}
        {state.kind === "failed" && <FormErrorAlert title="The search did not work" error={state.error} />}
        {state.kind === "done" && state.results.length === 0 && (
          <Typography color="text.secondary">
            No passage matches “{state.query}”. Documents still being processed are not searchable yet.
          </Typography>
        )}
        {state.kind === "done" && state.results.length > 0 && (
          <SearchResults query={state.query} results={state.results} />
        )}
      </Box>
    </Paper>
  );
}

function SearchResults({
  query,
  results,
}: {
  readonly query: string;
  readonly results: readonly SearchResult[];
}) {
  return (
    <>
      <Typography variant="body2" color="text.secondary">
        {results.length === 1 ? "1 passage" : `${results.length} passages`} for “{query}”, best first.
      </Typography>
      <List aria-label="Search results" disablePadding>
        {results.map((result) => {
          const location = describeLocation(result.location);
          return (
            <ListItem
              key={result.chunkId}
              divider
              disableGutters
              aria-label={`${result.docName}, score ${result.score.toFixed(2)}`}
              sx={{ display: "block", py: 1.5 }}
            >
              <Box
                sx={{
                  display: "flex",
                  gap: 1,
                  alignItems: "baseline",
                  justifyContent: "space-between",
                  flexWrap: "wrap",
                }}
              >
                <Typography component="h3" sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>
                  {result.docName}
                </Typography>
                <Typography variant="body2" color="text.secondary" sx={{ whiteSpace: "nowrap" }}>
                  Score {result.score.toFixed(2)}
                </Typography>
              </Box>
              {location && (
                <Typography variant="body2" color="text.secondary">
                  {location}
                </Typography>
              )}
              <Typography variant="body2" sx={{ mt: 0.75, whiteSpace: "pre-line", overflowWrap: "anywhere" }}>
                {markSearchTerms(passageText(result), query).map((piece, index) =>
                  piece.match ? (
                    <Box
                      component="mark"
                      key={index}
                      sx={{ bgcolor: "warning.light", color: "inherit", px: 0.25, borderRadius: 0.5 }}
                    >
                      {piece.text}
                    </Box>
                  ) : (
                    <span key={index}>{piece.text}</span>
                  ),
                )}
              </Typography>
            </ListItem>
          );
        })}
      </List>
    </>
  );
}
