import { Link as RouterLink } from "react-router";
import {
  Box,
  Button,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { EvalItem, ItemOrigin } from "../../data/evaluations";
import { conversationAddress } from "./sections";

const originWords: Record<ItemOrigin, string> = {
  manual: "By hand",
  upload: "Upload",
  trace: "From an answer",
  conversation: "From a conversation",
  annotation: "From a correction",
};

/** What an item expects, in a few words. */
export function expectationOf(
  item: Pick<EvalItem, "expectedFacts" | "referenceAnswer" | "shouldAbstain">,
): string {
  if (item.shouldAbstain) return "Should abstain";
  if (item.expectedFacts.length > 0) return `Contains: ${item.expectedFacts.map((f) => `“${f}”`).join(", ")}`;
  if (item.referenceAnswer)
    return `Close to: “${item.referenceAnswer.slice(0, 160)}${item.referenceAnswer.length > 160 ? "…" : ""}”`;
  return "—";
}

interface ItemsTableProps {
  readonly items: readonly EvalItem[];
  readonly canEdit: boolean;
  readonly onEdit: (item: EvalItem) => void;
  readonly onDelete: (item: EvalItem) => void;
}

export function ItemsTable({ items, canEdit, onEdit, onDelete }: ItemsTableProps) {
  return (
    <TableContainer component={Paper} tabIndex={0} role="group" aria-label="Items: the table">
      <Table aria-label="Items">
        <TableHead>
          <TableRow>
            <TableCell scope="col">#</TableCell>
            <TableCell scope="col">Question</TableCell>
            <TableCell scope="col">A good answer</TableCell>
            <TableCell scope="col" sx={{ display: { xs: "none", md: "table-cell" } }}>
              Sources
            </TableCell>
            <TableCell scope="col" sx={{ display: { xs: "none", md: "table-cell" } }}>
              Origin
            </TableCell>
            {canEdit && <TableCell scope="col">Actions</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {items.map((item, index) => {
            const question = item.question ?? (item.turns ?? []).join(" → ");
            return (
              <TableRow key={item.id}>
                <TableCell component="th" scope="row">
                  {index + 1}
                </TableCell>
                <TableCell sx={{ maxWidth: 360, overflowWrap: "break-word" }}>
                  {question}
                  {item.turns && (
                    <Typography variant="body2" color="text.secondary">
                      A script of {item.turns.length} messages
                    </Typography>
                  )}
                  {item.tags.length > 0 && (
                    <Typography variant="body2" color="text.secondary">
                      Tags: {item.tags.join(", ")}
                    </Typography>
                  )}
                </TableCell>
                <TableCell sx={{ maxWidth: 320, overflowWrap: "break-word" }}>
                  {expectationOf(item)}
                </TableCell>
                <TableCell sx={{ display: { xs: "none", md: "table-cell" }, overflowWrap: "break-word" }}>
                  {item.expectedSources.join(", ") || "—"}
                </TableCell>
                <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>
                  {item.origin.conversationId ? (
                    <Link component={RouterLink} to={conversationAddress(item.origin.conversationId)}>
                      {originWords[item.origin.kind]}
                    </Link>
                  ) : (
                    originWords[item.origin.kind]
                  )}
                </TableCell>
                {canEdit && (
                  <TableCell>
                    <Box sx={{ display: "flex", flexDirection: { xs: "column", sm: "row" }, gap: 0.5 }}>
                      <Button size="small" onClick={() => onEdit(item)} aria-label={`Edit item ${index + 1}`}>
                        Edit
                      </Button>
                      <Button
                        size="small"
                        color="error"
                        onClick={() => onDelete(item)}
                        aria-label={`Delete item ${index + 1}`}
                      >
                        Delete
                      </Button>
                    </Box>
                  </TableCell>
                )}
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
