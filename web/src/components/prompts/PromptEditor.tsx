import { useState } from "react";
import { Alert, Box, Button, Paper, Stack, TextField, Typography } from "@mui/material";
import type { PlatformRequestError } from "../../data/platform";
import { promptLimits, type PromptVersion } from "../../data/prompts";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import { MarkedText, PlaceholderHints } from "./PlaceholderHints";
import { VariablesEditor } from "./VariablesEditor";
import { draftChanged, draftOf, draftProblems, emptyVariable, type VersionDraft } from "./versionForm";

interface PromptEditorProps {
  /** The version the editor starts from (the newest); undefined for a template without one. */
  readonly base: PromptVersion | undefined;
  /** Saves the draft as the next version; what it throws is shown on the fields it names. */
  readonly onSave: (draft: VersionDraft) => Promise<void>;
}

/**
 * Where the platform's refusal belongs: on the fields its issues name; a refusal without issues that names a
 * declared variable goes under that variable's name, anything else under the text.
 */
export function refusalFields(error: PlatformRequestError, draft: VersionDraft): Record<string, string> {
  if (error.status !== 400 && error.code !== "invalid-argument") return {};
  const fields: Record<string, string> = {};
  // The platform may name one field several times (two undeclared placeholders): each message is kept.
  for (const issue of error.issues) {
    fields[issue.path] = fields[issue.path] ? `${fields[issue.path]} ${issue.message}` : issue.message;
  }
  if (error.issues.length > 0) return fields;
  const reason = error.reason ?? error.message;
  const named = draft.variables.findIndex(
    (v) => v.name.trim() !== "" && new RegExp(`["“'{]${v.name.trim()}["”'}]`).test(reason),
  );
  if (named !== -1 && !/\{\{/.test(reason)) return { [`variables.${named}.name`]: reason };
  return { text: reason };
}

/** The template's next version: its text with the placeholders checked, its variables, and a note. */
export function PromptEditor({ base, onSave }: PromptEditorProps) {
  const [draft, setDraft] = useState<VersionDraft>(() => draftOf(base));
  const [shownProblems, setShownProblems] = useState(false);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const saving = useMutation<"save">();
  const problems = draftProblems(draft);
  const errors: Record<string, string> = {
    ...(shownProblems ? Object.fromEntries(problems.map((p) => [p.path, p.message])) : {}),
    ...refused,
  };
  const changed = draftChanged(draft, base);
  const nextVersion = (base?.version ?? 0) + 1;

  const update = (next: VersionDraft) => {
    setDraft(next);
    setRefused({});
    saving.dismiss("save");
  };

  const save = async () => {
    setShownProblems(true);
    if (problems.length > 0 || !changed) return;
    await saving.run(
      "save",
      async () => {
        // The page says what was saved (its status line outlives this editor, which starts again from it).
        await onSave(draft);
        setShownProblems(false);
      },
      {
        onFailure: (error) => {
          const fields = refusalFields(error, draft);
          setRefused(fields);
          return Object.keys(fields).length > 0;
        },
      },
    );
  };

  const textError = errors.text;
  const failure = saving.error("save");
  const declared = draft.variables.map((v) => v.name.trim());

  return (
    <Stack
      component="form"
      noValidate
      spacing={2.5}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <TextField
        label="Text"
        value={draft.text}
        onChange={(event) => update({ ...draft, text: event.target.value })}
        error={textError !== undefined}
        helperText={
          textError ??
          `Write {{name}} where a variable's value goes. ${draft.text.length.toLocaleString("en")} / ${promptLimits.text.toLocaleString("en")} characters.`
        }
        multiline
        minRows={6}
        maxRows={24}
        fullWidth
        slotProps={{ htmlInput: { maxLength: promptLimits.text, spellCheck: false } }}
      />
      <PlaceholderHints
        text={draft.text}
        declared={declared}
        onDeclare={(names) =>
          update({ ...draft, variables: [...draft.variables, ...names.map((n) => emptyVariable(n))] })
        }
      />
      {draft.text !== "" && <MarkedText text={draft.text} label="The text with its placeholders marked" />}
      <Box>
        <Typography variant="h3" component="h3" gutterBottom>
          Variables
        </Typography>
        <VariablesEditor
          variables={draft.variables}
          onChange={(variables) => update({ ...draft, variables })}
          errors={errors}
        />
      </Box>
      <TextField
        label="What changed (optional)"
        value={draft.note}
        onChange={(event) => update({ ...draft, note: event.target.value })}
        helperText="Shown in the versions list."
        fullWidth
        slotProps={{ htmlInput: { maxLength: promptLimits.note } }}
      />
      {shownProblems && problems.length > 0 && (
        <Alert severity="error">
          Version {nextVersion} cannot be saved yet:{" "}
          {problems.length === 1 ? "one field needs" : `${problems.length} fields need`} a change (
          {problems.map((p) => p.message).join(" ")})
        </Alert>
      )}
      {failure && <FormErrorAlert title={`Version ${nextVersion} was not saved`} error={failure} />}
      {Object.keys(refused).length > 0 && (
        <Alert severity="error">
          The platform refused version {nextVersion}; the fields it named are marked.
        </Alert>
      )}
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Button type="submit" variant="contained" disabled={saving.busy !== undefined}>
          {saving.busy ? "Saving…" : `Save as version ${nextVersion}`}
        </Button>
        {!changed && (
          <Typography variant="body2" color="text.secondary">
            {base
              ? `Same as version ${base.version}: change the text or the variables to save a new version.`
              : ""}
          </Typography>
        )}
        {base && changed && <Button onClick={() => update(draftOf(base))}>Discard changes</Button>}
      </Box>
    </Stack>
  );
}

/** A read-only view of a version for people who cannot edit. */
export function VersionView({ version }: { readonly version: PromptVersion }) {
  return (
    <Paper variant="outlined" sx={{ p: 2 }}>
      <MarkedText text={version.text} label={`Version ${version.version}'s text`} />
    </Paper>
  );
}
