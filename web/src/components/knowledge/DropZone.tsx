import { useId, useRef, useState, type ChangeEvent, type DragEvent } from "react";
import { Alert, Box, Button, Stack, Typography } from "@mui/material";
import { maxUploadBytes } from "../../data/knowledge";
import { formatBytes } from "./describe";
import {
  collectChosen,
  collectDropped,
  droppedItems,
  pickedNotice,
  type PickedFile,
  type PickedFiles,
} from "./droppedFiles";
import { acceptedFileTypes, supportedFormats } from "./uploadRules";
import { visuallyHidden } from "./visuallyHidden";

/** Whether a drag carries files (not a link or text selected on the page). */
function carriesFiles(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes("Files");
}

/** `webkitdirectory` is not in React's input attributes: set on the element itself. */
function folderPicker(input: HTMLInputElement | null) {
  input?.setAttribute("webkitdirectory", "");
}

/**
 * Where files and folders are dropped, with "Choose files" and "Choose folder" buttons for the keyboard and
 * for people who do not drag. Any number of files at once (up to `maxPickedFiles` from a folder); what the
 * platform cannot read is refused per file by the upload queue.
 */
export function DropZone({ onFiles }: { readonly onFiles: (files: PickedFile[]) => void }) {
  const filesInputId = useId();
  const folderInputId = useId();
  const hintId = useId();
  const filesInput = useRef<HTMLInputElement>(null);
  const folderInput = useRef<HTMLInputElement | null>(null);
  // Entering a child fires dragenter before the parent's dragleave: count, so the highlight does not flicker.
  const [dragDepth, setDragDepth] = useState(0);
  const dragging = dragDepth > 0;
  /** Walking a dropped folder (a large one takes a moment). */
  const [reading, setReading] = useState(false);
  /** What a drop left out (past the cap, unreadable), until the next drop or choice. */
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const take = (picked: PickedFiles) => {
    setNotice(pickedNotice(picked));
    if (picked.files.length > 0) onFiles(picked.files);
  };
  const choose = (event: ChangeEvent<HTMLInputElement>) => {
    const files = Array.from(event.target.files ?? []);
    // Cleared, so choosing the same files again (after fixing them) is a change too.
    event.target.value = "";
    if (files.length > 0) take(collectChosen(files));
  };

  return (
    <Stack spacing={1.5}>
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
          // Read now: the browser empties the drop's items once this handler returns.
          const items = droppedItems(event.dataTransfer);
          if (items.length === 0) return;
          const plain = items.flatMap((item) => ("file" in item ? [item.file] : []));
          if (plain.length === items.length) {
            // No entries to walk (a browser without them): the files as they are, at once.
            take(collectChosen(plain));
            return;
          }
          setReading(true);
          void collectDropped(items)
            .then(take, () => take({ files: [], truncated: false, unreadable: items.length }))
            .finally(() => setReading(false));
        }}
        role="group"
        aria-label="Drop files or folders to upload"
        aria-busy={reading}
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
        {/* Phones have nothing to drag from (nor folders to choose): the files button says it all there. */}
        <Typography sx={{ fontWeight: 600, display: { xs: "none", sm: "block" } }}>
          {dragging ? "Drop the files or folders to upload them" : "Drag files or folders here, or"}
        </Typography>
        <Stack
          direction="row"
          spacing={1}
          useFlexGap
          sx={{ mt: { xs: 0, sm: 1.5 }, justifyContent: "center", flexWrap: "wrap" }}
        >
          <Button variant="contained" onClick={() => filesInput.current?.click()} aria-describedby={hintId}>
            Choose files
          </Button>
          <Button
            variant="outlined"
            onClick={() => folderInput.current?.click()}
            aria-describedby={hintId}
            sx={{ display: { xs: "none", sm: "inline-flex" } }}
          >
            Choose folder
          </Button>
        </Stack>
        <Typography id={hintId} variant="body2" color="text.secondary" sx={{ mt: 1.5 }}>
          {supportedFormats}, up to {formatBytes(maxUploadBytes)} each.{" "}
          <Box component="span" sx={{ display: { xs: "none", sm: "inline" } }}>
            A folder brings every file in it, subfolders too.{" "}
          </Box>
          A file with the name of an existing document becomes its next version.
        </Typography>
        {reading && (
          <Typography variant="body2" role="status" sx={{ mt: 1 }}>
            Reading the folder…
          </Typography>
        )}
        <Box component="label" htmlFor={filesInputId} sx={visuallyHidden}>
          Files to upload
        </Box>
        <input
          ref={filesInput}
          id={filesInputId}
          type="file"
          multiple
          accept={acceptedFileTypes}
          tabIndex={-1}
          style={visuallyHidden}
          onChange={choose}
        />
        <Box component="label" htmlFor={folderInputId} sx={visuallyHidden}>
          Folder to upload
        </Box>
        <input
          ref={(input) => {
            folderInput.current = input;
            folderPicker(input);
          }}
          id={folderInputId}
          type="file"
          multiple
          tabIndex={-1}
          style={visuallyHidden}
          onChange={choose}
        />
      </Box>
      {notice && (
        <Alert severity="warning" onClose={() => setNotice(undefined)}>
          {notice}
        </Alert>
      )}
    </Stack>
  );
}
