import { memo } from "react";
import {
  Box,
  Button,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
  useMediaQuery,
  type Theme,
} from "@mui/material";
import type { KnowledgeDocument } from "../../data/knowledge";
import { RelativeTime } from "../RelativeTime";
import { documentTypeLabel, formatBytes } from "./describe";
import { DocumentStatus } from "./DocumentStatus";
import { visuallyHidden } from "./visuallyHidden";

interface DocumentTableProps {
  readonly documents: readonly KnowledgeDocument[];
  /** Whether deleting is offered (editors). */
  readonly canManage: boolean;
  readonly onShowVersions: (doc: KnowledgeDocument) => void;
  readonly onDelete: (doc: KnowledgeDocument) => void;
}

/** Type and size get columns of their own on wide screens only. */
const wide = { display: { xs: "none", md: "table-cell" } } as const;

/**
 * A knowledge base's documents, by name, each with where its ingestion is. On a phone each document is one
 * cell (name, facts, status, actions), so nothing scrolls sideways.
 */
export const DocumentTable = memo(function DocumentTable({
  documents,
  canManage,
  onShowVersions,
  onDelete,
}: DocumentTableProps) {
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  const actions = (doc: KnowledgeDocument) => (
    <Stack direction="row" spacing={0.5} sx={{ flexWrap: "wrap" }}>
      <Button size="small" aria-label={`Versions of ${doc.name}`} onClick={() => onShowVersions(doc)}>
        Versions
      </Button>
      {canManage && (
        <Button size="small" color="error" aria-label={`Delete ${doc.name}`} onClick={() => onDelete(doc)}>
          Delete
        </Button>
      )}
    </Stack>
  );

  return (
    <TableContainer component={Paper}>
      <Table aria-label="Documents">
        <TableHead>
          <TableRow>
            <TableCell>Document</TableCell>
            {!phone && (
              <>
                <TableCell sx={wide}>Type</TableCell>
                <TableCell sx={wide} align="right">
                  Size
                </TableCell>
                <TableCell align="right">Version</TableCell>
                <TableCell>Status</TableCell>
                <TableCell>
                  <Box component="span" sx={visuallyHidden}>
                    Actions
                  </Box>
                </TableCell>
              </>
            )}
          </TableRow>
        </TableHead>
        <TableBody>
          {documents.map((doc) =>
            phone ? (
              <TableRow key={doc.id}>
                <TableCell>
                  <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{doc.name}</Typography>
                  <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
                    v{doc.version} · {documentTypeLabel(doc.type)} · {formatBytes(doc.size)} · changed{" "}
                    <RelativeTime iso={doc.updatedAt} />
                  </Typography>
                  <DocumentStatus document={doc} />
                  <Box sx={{ mt: 1, ml: -0.75 }}>{actions(doc)}</Box>
                </TableCell>
              </TableRow>
            ) : (
              <TableRow key={doc.id}>
                <TableCell sx={{ minWidth: 180, maxWidth: 360 }}>
                  <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{doc.name}</Typography>
                  <Typography variant="body2" color="text.secondary">
                    {/* What the type and size columns say, when they are hidden. */}
                    <Box component="span" sx={{ display: { md: "none" } }}>
                      {documentTypeLabel(doc.type)} · {formatBytes(doc.size)} ·{" "}
                    </Box>
                    Changed <RelativeTime iso={doc.updatedAt} />
                  </Typography>
                </TableCell>
                <TableCell sx={wide}>{documentTypeLabel(doc.type)}</TableCell>
                <TableCell sx={{ ...wide, whiteSpace: "nowrap" }} align="right">
                  {formatBytes(doc.size)}
                </TableCell>
                <TableCell align="right">v{doc.version}</TableCell>
                <TableCell sx={{ maxWidth: 340 }}>
                  <DocumentStatus document={doc} />
                </TableCell>
                <TableCell align="right">{actions(doc)}</TableCell>
              </TableRow>
            ),
          )}
        </TableBody>
      </Table>
    </TableContainer>
  );
});
