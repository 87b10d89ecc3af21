import { useId } from "react";
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  List,
  ListItem,
  Typography,
} from "@mui/material";
import type { DocumentVersion, KnowledgeDocument } from "../../data/knowledge";
import { RelativeTime } from "../RelativeTime";
import { formatBytes } from "./describe";

interface VersionsDialogProps {
  readonly open: boolean;
  /** Kept while the dialog fades out, so its text does not flash. */
  readonly document: KnowledgeDocument | undefined;
  /** Whether restoring is offered (editors). */
  readonly canRestore: boolean;
  readonly onRestore: (doc: KnowledgeDocument, version: DocumentVersion) => void;
  readonly onClose: () => void;
}

/**
 * Every version of a document, newest first: which one search uses, which is the newest, where a restored
 * one came from, and a way back to an earlier one.
 */
export function VersionsDialog({ open, document: doc, canRestore, onRestore, onClose }: VersionsDialogProps) {
  const titleId = useId();
  const versions = doc ? [...doc.versions].reverse() : [];
  return (
    <Dialog open={open} onClose={onClose} aria-labelledby={titleId} maxWidth="sm" fullWidth>
      <DialogTitle id={titleId} sx={{ overflowWrap: "anywhere" }}>
        Versions of {doc?.name}
      </DialogTitle>
      <DialogContent>
        <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
          Uploading a file with the same name adds a version. Every version&apos;s file is kept; restoring one
          indexes it again as the newest version.
        </Typography>
        {doc && (
          <List disablePadding aria-label={`Versions of ${doc.name}`}>
            {versions.map((version) => {
              const newest = version.version === doc.version;
              const searchable = version.version === doc.activeVersion;
              return (
                <ListItem
                  key={version.version}
                  divider
                  disableGutters
                  sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center", py: 1.5 }}
                >
                  <Box sx={{ flex: "1 1 220px", minWidth: 0 }}>
                    <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}>
                      <Typography component="span" sx={{ fontWeight: 600 }}>
                        Version {version.version}
                      </Typography>
                      {searchable && <Chip label="Searchable" color="success" size="small" />}
                      {newest && !searchable && <Chip label="Newest" size="small" variant="outlined" />}
                    </Box>
                    <Typography variant="body2" color="text.secondary">
                      {formatBytes(version.size)} · uploaded <RelativeTime iso={version.createdAt} />
                      {version.restoredFrom !== null && ` · restored from version ${version.restoredFrom}`}
                    </Typography>
                  </Box>
                  {canRestore && !newest && (
                    <Button
                      size="small"
                      variant="outlined"
                      aria-label={`Restore version ${version.version}`}
                      onClick={() => onRestore(doc, version)}
                    >
                      Restore
                    </Button>
                  )}
                </ListItem>
              );
            })}
          </List>
        )}
      </DialogContent>
      <DialogActions sx={{ px: 3, pb: 2 }}>
        <Button onClick={onClose}>Close</Button>
      </DialogActions>
    </Dialog>
  );
}
