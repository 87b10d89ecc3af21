import { useCallback, useState } from "react";
import { Box, Button, Typography } from "@mui/material";

/**
 * Pages of a list the platform pages with cursors: the cursors of the pages seen so far, so "Previous" goes
 * back without the platform having to page backwards. A new search or filter mounts a new list (its `key`),
 * which starts again from the first page.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<readonly string[]>([]);
  const next = useCallback((cursor: string) => setCursors((c) => [...c, cursor]), []);
  const previous = useCallback(() => setCursors((c) => c.slice(0, -1)), []);
  return { cursor: cursors.at(-1), page: cursors.length + 1, next, previous };
}

interface CursorPagerProps {
  readonly label: string;
  readonly page: number;
  readonly nextCursor: string | null;
  readonly onNext: (cursor: string) => void;
  readonly onPrevious: () => void;
}

/** Previous and next page buttons under a paged table. */
export function CursorPager({ label, page, nextCursor, onNext, onPrevious }: CursorPagerProps) {
  if (page === 1 && nextCursor === null) return null;
  return (
    <Box
      component="nav"
      aria-label={`${label} pages`}
      sx={{ display: "flex", gap: 1, alignItems: "center", justifyContent: "flex-end" }}
    >
      <Typography color="text.secondary" variant="body2" sx={{ mr: 1 }}>
        Page {page}
      </Typography>
      <Button size="small" variant="outlined" disabled={page === 1} onClick={onPrevious}>
        Previous page
      </Button>
      <Button
        size="small"
        variant="outlined"
        disabled={nextCursor === null}
        onClick={() => nextCursor !== null && onNext(nextCursor)}
      >
        Next page
      </Button>
    </Box>
  );
}
