import { useState } from "react";
import {
  Autocomplete,
  Box,
  Button,
  MenuItem,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import {
  labelPattern,
  labelsOf,
  promptLimits,
  standardLabels,
  type PromptTemplate,
  type PromptVersion,
} from "../../data/prompts";
import type { Mutation } from "../../data/useMutation";
import { ConfirmDialog } from "../ConfirmDialog";
import { RelativeTime } from "../RelativeTime";
import { LabelChips } from "./LabelChips";
import { PromptDiffView } from "./PromptDiffView";

export type VersionAction = "label" | "rollback";

interface PromptVersionsPanelProps {
  readonly template: PromptTemplate;
  /** Newest first. */
  readonly versions: readonly PromptVersion[];
  readonly canEdit: boolean;
  readonly actions: Mutation<VersionAction>;
  readonly onMoveLabel: (label: string, version: number) => Promise<void>;
  readonly onRollback: (version: number) => Promise<void>;
}

interface LabelMove {
  readonly label: string;
  readonly version: number;
}

/**
 * Every version with the labels on it, any two compared (the newest with the one before, to start), labels
 * moved and production rolled back, each after a confirmation that says what agents will then use.
 */
export function PromptVersionsPanel({
  template,
  versions,
  canEdit,
  actions,
  onMoveLabel,
  onRollback,
}: PromptVersionsPanelProps) {
  const [beforeNo, setBeforeNo] = useState<number | undefined>(versions[1]?.version);
  const [afterNo, setAfterNo] = useState<number | undefined>(versions[0]?.version);
  const [labelFor, setLabelFor] = useState<number | undefined>(undefined);
  const [move, setMove] = useState<LabelMove | undefined>(undefined);
  const [rollbackTo, setRollbackTo] = useState<number | undefined>(undefined);
  const before = versions.find((v) => v.version === beforeNo);
  const after = versions.find((v) => v.version === afterNo);
  const production = template.labels.production;

  return (
    <Stack spacing={3}>
      <TableContainer tabIndex={0} role="group" aria-label="Versions: the table">
        <Table size="small" aria-label="Versions">
          <TableHead>
            <TableRow>
              <TableCell scope="col">Version</TableCell>
              <TableCell scope="col">Labels</TableCell>
              <TableCell scope="col">What changed</TableCell>
              <TableCell scope="col">Saved</TableCell>
              {canEdit && <TableCell scope="col">Actions</TableCell>}
            </TableRow>
          </TableHead>
          <TableBody>
            {versions.map((version) => {
              const labels = labelsOf(template.labels, version.version);
              return (
                <TableRow key={version.version}>
                  <TableCell component="th" scope="row">
                    v{version.version}
                  </TableCell>
                  <TableCell>
                    {labels.length === 0 ? (
                      <Typography variant="body2" color="text.secondary">
                        —
                      </Typography>
                    ) : (
                      <LabelChips
                        labels={Object.fromEntries(labels.map((l) => [l, version.version]))}
                        showVersion={false}
                      />
                    )}
                  </TableCell>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>{version.note || "—"}</TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <RelativeTime iso={version.createdAt} />
                  </TableCell>
                  {canEdit && (
                    <TableCell>
                      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap" }}>
                        <Button
                          size="small"
                          onClick={() => setLabelFor(version.version)}
                          aria-label={`Set label on version ${version.version}`}
                        >
                          Set label
                        </Button>
                        {production !== undefined && version.version < production && (
                          <Button
                            size="small"
                            onClick={() => setRollbackTo(version.version)}
                            aria-label={`Roll back production to version ${version.version}`}
                          >
                            Roll back
                          </Button>
                        )}
                        {production !== version.version &&
                          (production === undefined || version.version > production) && (
                            <Button
                              size="small"
                              onClick={() => setMove({ label: "production", version: version.version })}
                              aria-label={`Make production: version ${version.version}`}
                            >
                              Make production
                            </Button>
                          )}
                      </Box>
                    </TableCell>
                  )}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>

      {versions.length >= 2 ? (
        <Box component="section" aria-labelledby="prompt-compare-heading">
          <Typography variant="h3" id="prompt-compare-heading" gutterBottom>
            Compare versions
          </Typography>
          <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", mb: 2 }}>
            <VersionSelect label="From" value={beforeNo} versions={versions} onChange={setBeforeNo} />
            <VersionSelect label="To" value={afterNo} versions={versions} onChange={setAfterNo} />
          </Box>
          {before && after && <PromptDiffView before={before} after={after} />}
        </Box>
      ) : (
        <Typography color="text.secondary">Save a second version to compare versions.</Typography>
      )}

      <LabelDialog
        open={labelFor !== undefined}
        version={labelFor}
        labels={template.labels}
        onCancel={() => setLabelFor(undefined)}
        onChoose={(label) => {
          if (labelFor !== undefined) setMove({ label, version: labelFor });
          setLabelFor(undefined);
        }}
      />
      <ConfirmDialog
        open={move !== undefined}
        title={move ? `Move “${move.label}” to version ${move.version}?` : ""}
        confirmLabel="Move label"
        pending={actions.busy === "label"}
        error={actions.error("label")}
        errorTitle="The label was not moved"
        onCancel={() => {
          setMove(undefined);
          actions.dismiss("label");
        }}
        onConfirm={() => {
          if (!move) return;
          void actions
            .run("label", async () => {
              await onMoveLabel(move.label, move.version);
              return `“${move.label}” now points at version ${move.version}.`;
            })
            .then((ok) => ok && setMove(undefined));
        }}
      >
        {move && (
          <Typography>
            {template.labels[move.label] !== undefined
              ? `“${move.label}” points at version ${template.labels[move.label]} now. `
              : `“${move.label}” is a new label. `}
            Agents and experiments that use “{move.label}” will use version {move.version} from their next
            answer.
          </Typography>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={rollbackTo !== undefined}
        title={`Roll production back to version ${rollbackTo ?? ""}?`}
        confirmLabel="Roll back"
        pending={actions.busy === "rollback"}
        error={actions.error("rollback")}
        errorTitle="Production was not rolled back"
        onCancel={() => {
          setRollbackTo(undefined);
          actions.dismiss("rollback");
        }}
        onConfirm={() => {
          if (rollbackTo === undefined) return;
          const version = rollbackTo;
          void actions
            .run("rollback", async () => {
              await onRollback(version);
              return `Production rolled back to version ${version}.`;
            })
            .then((ok) => ok && setRollbackTo(undefined));
        }}
      >
        <Typography>
          Production points at version {production} now. Agents that use the production label will answer with
          version {rollbackTo} from their next answer. No version is deleted: you can move it forward again.
        </Typography>
      </ConfirmDialog>
    </Stack>
  );
}

function VersionSelect({
  label,
  value,
  versions,
  onChange,
}: {
  readonly label: string;
  readonly value: number | undefined;
  readonly versions: readonly PromptVersion[];
  readonly onChange: (version: number) => void;
}) {
  return (
    <TextField
      select
      size="small"
      label={label}
      value={value === undefined ? "" : String(value)}
      onChange={(event) => onChange(Number(event.target.value))}
      sx={{ minWidth: 160 }}
    >
      {versions.map((v) => (
        <MenuItem key={v.version} value={String(v.version)}>
          Version {v.version}
        </MenuItem>
      ))}
    </TextField>
  );
}

/** Which label to put on a version: production, staging, an existing custom one, or a new name. */
function LabelDialog({
  open,
  version,
  labels,
  onCancel,
  onChoose,
}: {
  readonly open: boolean;
  readonly version: number | undefined;
  readonly labels: Readonly<Record<string, number>>;
  readonly onCancel: () => void;
  readonly onChoose: (label: string) => void;
}) {
  const [label, setLabel] = useState("");
  const [error, setError] = useState<string | undefined>(undefined);
  const options = [...new Set([...standardLabels, ...Object.keys(labels)])];
  return (
    <ConfirmDialog
      open={open}
      title={`Set a label on version ${version ?? ""}`}
      confirmLabel="Continue"
      onCancel={() => {
        setLabel("");
        setError(undefined);
        onCancel();
      }}
      onConfirm={() => {
        const name = label.trim();
        if (!labelPattern.test(name) || name.length > promptLimits.label) {
          setError(`Lowercase letters, digits, - and _, up to ${promptLimits.label} characters.`);
          return;
        }
        if (labels[name] === version) {
          setError(`“${name}” already points at version ${version}.`);
          return;
        }
        setLabel("");
        setError(undefined);
        onChoose(name);
      }}
    >
      <Autocomplete
        freeSolo
        options={options}
        inputValue={label}
        onInputChange={(_, value) => {
          setLabel(value);
          setError(undefined);
        }}
        renderInput={(params) => (
          <TextField
            {...params}
            label="Label"
            error={error !== undefined}
            helperText={error ?? "production, staging, or a name of your own (e.g. canary)."}
            sx={{ mt: 1 }}
          />
        )}
      />
    </ConfirmDialog>
  );
}
