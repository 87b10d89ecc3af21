import { useId, useRef, useState, type DragEvent } from "react";
import { Box, Button, Typography } from "@mui/material";
import { acceptedFileTypes, formatBytes, maxUploadBytes, supportedFormats } from "../../data/knowledge";
import { visuallyHidden } from "./visuallyHidden";

/** Whether a drag carries files (not a link or text selected on the page). */
function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes("Files");
}

/**
 * Where files are dropped, with a "Choose files" button for the keyboard and for people who do not drag.
 * Any number of files at once; what the platform cannot read is refused per file by the upload queue.
 */
export function DropZone({ onFiles }: { readonly onFiles: (files: File[]) => void }) {
  const inputId = useId();
  const hintId = useId();
  const input = useRef<HTMLInputElement>(null);
  // Entering a child fires dragenter before the parent's dragleave: count, so the highlight does not flicker.
  const [dragDepth, setDragDepth] = useState(0);
  const dragging = dragDepth > 0;

  return (
    <Box
      onDragEnter={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        setDragDepth((n) => n + 1);
      }}
      onDragOver={(event) => {
        if (!carriesFiles(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
      }}
      onDragLeave={() => setDragDepth((n) => Math.max(0, n - 1))}
      onDrop={(event) => {
        event.preventDefault();
        setDragDepth(0);
        const files = Array.from(event.dataTransfer.files);
        if (files.length > 0) onFiles(files);
      }}
      role="group"
      aria-label="Drop files to upload"
      sx={{
        border: "2px dashed",
        borderColor: dragging ? "primary.main" : "divider",
        bgcolor: dragging ? "action.hover" : "background.paper",
        borderRadius: 2,
        p: { xs: 2.5, sm: 4 },
        textAlign: "center",
        transition: "border-color 120ms, background-color 120ms",
      }}
    >
      {/* Phones have nothing to drag from: the button says it all there. */}
      <Typography sx={{ fontWeight: 600, display: { xs: "none", sm: "block" } }}>
        {dragging ? "Drop the files to upload them" : "Drag files here, or"}
      </Typography>
      <Button
        variant="contained"
        sx={{ mt: { xs: 0, sm: 1.5 } }}
        onClick={() => input.current?.click()}
        aria-describedby={hintId}
      >
        Choose files
      </Button>
      <Typography id={hintId} variant="body2" color="text.secondary" sx={{ mt: 1.5 }}>
        {supportedFormats}, up to {formatBytes(maxUploadBytes)} each. A file with the name of an existing
        document becomes its next version.
      </Typography>
      <Box component="label" htmlFor={inputId} sx={visuallyHidden}>
        Files to upload
      </Box>
      <input
        ref={input}
        id={inputId}
        type="file"
        multiple
        accept={acceptedFileTypes}
        tabIndex={-1}
        style={visuallyHidden}
        onChange={(event) => {
          const files = Array.from(event.target.files ?? []);
          // Cleared, so choosing the same file again (after fixing it) is a change too.
          event.target.value = "";
          if (files.length > 0) onFiles(files);
        }}
      />
    </Box>
  );
}
