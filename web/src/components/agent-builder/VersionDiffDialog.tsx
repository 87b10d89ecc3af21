import { useId } from "react";
import {
  Box,
  Button,
  Chip,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
  useMediaQuery,
  useTheme,
} from "@mui/material";
import type { AgentConfig, AgentVersion } from "../../data/agents";
import { monospace } from "../../theme";
import { compareConfigs, lineDiff, type ConfigFieldDiff } from "./agentDiff";

interface VersionDiffDialogProps {
  readonly open: boolean;
  /** The version to compare; kept while the dialog closes. */
  readonly version: AgentVersion | undefined;
  /** The draft as the form shows it, unsaved edits included. */
  readonly draft: AgentConfig;
  readonly draftHasUnsavedChanges: boolean;
  readonly knowledgeBaseName: (kbId: string) => string;
  readonly onClose: () => void;
}

/** Field by field, what the draft changes from a published version; the instructions line by line. */
export function VersionDiffDialog({
  open,
  version,
  draft,
  draftHasUnsavedChanges,
  knowledgeBaseName,
  onClose,
}: VersionDiffDialogProps) {
  const titleId = useId();
  const theme = useTheme();
  const fullScreen = useMediaQuery(theme.breakpoints.down("sm"));
  const fields = version ? compareConfigs(version.config, draft, knowledgeBaseName) : [];
  const changed = fields.filter((f) => f.changed).length;
  const draftLabel = draftHasUnsavedChanges ? "Draft (unsaved)" : "Draft";
  return (
    <Dialog
      open={open && version !== undefined}
      onClose={onClose}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      fullScreen={fullScreen}
    >
      {version && (
        <>
          <DialogTitle id={titleId}>Version {version.version} compared with the draft</DialogTitle>
          <DialogContent>
            <Typography sx={{ mb: 2 }} role="status">
              {changed === 0
                ? "The draft is the same as this version."
                : `${changed} ${changed === 1 ? "field differs" : "fields differ"}.`}
            </Typography>
            <TableContainer>
              <Table size="small" aria-label={`Version ${version.version} and the draft, field by field`}>
                <TableHead>
                  <TableRow>
                    <TableCell>Field</TableCell>
                    <TableCell>Version {version.version}</TableCell>
                    <TableCell>{draftLabel}</TableCell>
                  </TableRow>
                </TableHead>
                <TableBody>
                  {fields.map((field) => (
                    <FieldRow key={field.key} field={field} version={version} draft={draft} />
                  ))}
                </TableBody>
              </Table>
            </TableContainer>
          </DialogContent>
          <DialogActions sx={{ px: 3, pb: 2 }}>
            <Button onClick={onClose} variant="contained">
              Close
            </Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}

function FieldRow({
  field,
  version,
  draft,
}: {
  readonly field: ConfigFieldDiff;
  readonly version: AgentVersion;
  readonly draft: AgentConfig;
}) {
  const highlight = field.changed ? { bgcolor: "rgba(237, 108, 2, 0.08)" } : {};
  const label = (
    <TableCell
      component="th"
      scope="row"
      sx={{ verticalAlign: "top", fontWeight: 600, whiteSpace: "nowrap" }}
    >
      {field.label}
      {field.changed && (
        <Box sx={{ mt: 0.5 }}>
          <Chip label="Changed" color="warning" size="small" variant="outlined" />
        </Box>
      )}
    </TableCell>
  );
  if (field.key === "instructions" && field.changed) {
    return (
      <TableRow sx={highlight}>
        {label}
        <TableCell colSpan={2}>
          <InstructionsDiff before={version.config.instructions} after={draft.instructions} />
        </TableCell>
      </TableRow>
    );
  }
  const valueSx = { verticalAlign: "top", overflowWrap: "anywhere", whiteSpace: "pre-wrap" } as const;
  const clamp =
    field.key === "instructions"
      ? { display: "-webkit-box", WebkitLineClamp: 4, WebkitBoxOrient: "vertical", overflow: "hidden" }
      : {};
  return (
    <TableRow sx={highlight}>
      {label}
      <TableCell sx={valueSx}>
        <Box sx={clamp}>{field.before}</Box>
      </TableCell>
      <TableCell sx={valueSx}>
        <Box sx={clamp}>{field.after}</Box>
        {field.summary && (
          <Typography variant="body2" color="text.secondary" sx={{ mt: 0.5 }}>
            {field.summary}
          </Typography>
        )}
      </TableCell>
    </TableRow>
  );
}

/** Removed lines struck through in red, added ones in green; the marks say it too, for those who do not see color. */
function InstructionsDiff({ before, after }: { readonly before: string; readonly after: string }) {
  const lines = lineDiff(before, after);
  return (
    <Box
      role="group"
      aria-label="Instructions, line by line"
      sx={{ fontFamily: monospace, fontSize: "0.8125rem", lineHeight: 1.6, overflowX: "auto" }}
    >
      {lines.map((line, index) => {
        const Tag = line.kind === "added" ? "ins" : line.kind === "removed" ? "del" : "div";
        return (
          <Box
            key={index}
            component={Tag}
            sx={{
              display: "block",
              textDecoration: "none",
              whiteSpace: "pre-wrap",
              px: 1,
              bgcolor:
                line.kind === "added"
                  ? "rgba(46, 125, 50, 0.12)"
                  : line.kind === "removed"
                    ? "rgba(211, 47, 47, 0.1)"
                    : undefined,
            }}
          >
            <Box
              component="span"
              aria-hidden="true"
              sx={{ display: "inline-block", width: "1.5em", color: "text.secondary" }}
            >
              {line.kind === "added" ? "+" : line.kind === "removed" ? "−" : " "}
            </Box>
            {line.text || " "}
          </Box>
        );
      })}
    </Box>
  );
}
