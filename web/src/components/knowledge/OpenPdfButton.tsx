import { useEffect, useRef, useState } from "react";
import { Alert, Box, Button, Link } from "@mui/material";
import { asRequestError, type PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";

interface OpenPdfButtonProps {
  readonly kbId: string;
  readonly docId: string;
  /** The version to open; without it, the one search uses. */
  readonly version?: number | undefined;
  /** The page to open it at (`#page=N`, which browsers' PDF viewers follow). */
  readonly page?: number | undefined;
}

/** How long an opened PDF's object URL lives: long enough for the new tab to load it. */
const keepUrlMs = 5 * 60_000;

/**
 * Opens a PDF's stored original in a new tab at a page. The file needs the session's credential, so it is
 * fetched here and opened as an object URL (typed as a PDF whatever the answer said, so it can only be
 * shown as one); if the browser blocks the new tab, a link to it is offered instead.
 */
export function OpenPdfButton({ kbId, docId, version, page }: OpenPdfButtonProps) {
  const studio = useStudio();
  const [opening, setOpening] = useState(false);
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [blocked, setBlocked] = useState<string | undefined>(undefined);
  const urls = useRef<string[]>([]);
  useEffect(() => {
    const opened = urls.current;
    return () => {
      for (const url of opened) URL.revokeObjectURL(url);
    };
  }, []);

  const label = page === undefined ? "Open the PDF" : `Open the PDF at page ${page}`;
  const open = async () => {
    setOpening(true);
    setError(undefined);
    setBlocked(undefined);
    try {
      const file = await studio.getDocumentFile(kbId, docId, version);
      const url = URL.createObjectURL(new Blob([file], { type: "application/pdf" }));
      urls.current.push(url);
      setTimeout(() => URL.revokeObjectURL(url), keepUrlMs);
      const address = page === undefined ? url : `${url}#page=${page}`;
      const tab = window.open(address, "_blank");
      if (tab) tab.opener = null;
      else setBlocked(address);
    } catch (e) {
      setError(asRequestError(e));
    } finally {
      setOpening(false);
    }
  };

  return (
    <Box sx={{ display: "flex", flexDirection: "column", gap: 1, alignItems: "flex-start" }}>
      <Button variant="outlined" size="small" onClick={() => void open()} aria-busy={opening}>
        {opening ? "Opening the PDF…" : label}
      </Button>
      {blocked && (
        <Alert severity="info">
          The browser kept the PDF from opening a new tab.{" "}
          <Link href={blocked} target="_blank" rel="noopener">
            {label}
          </Link>
        </Alert>
      )}
      {error && <Alert severity="error">The PDF could not be opened: {error.reason ?? error.message}</Alert>}
    </Box>
  );
}
