import { useEffect, useId, useState, type FormEvent } from "react";
import {
  Box,
  Button,
  FormControl,
  FormControlLabel,
  FormHelperText,
  FormLabel,
  Radio,
  RadioGroup,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { useStudio } from "../../../data/studio";
import { useMutation } from "../../../data/useMutation";
import {
  colorProblem,
  isHexColor,
  widgetLimits,
  type Theme,
  type Widget,
  type WidgetPosition,
} from "../../../data/widgets";
import { FormErrorAlert } from "../../FormErrorAlert";
import { WidgetPreview } from "./WidgetPreview";

/** The form as typed: the colour as text (it may be half typed), every question line, empty ones too. */
interface ThemeDraft {
  readonly color: string;
  readonly title: string;
  readonly greeting: string;
  readonly questions: readonly string[];
  readonly position: WidgetPosition;
}

interface ThemeProblems {
  readonly color?: string | undefined;
  readonly title?: string | undefined;
  readonly greeting?: string | undefined;
  /** By the draft's line. */
  readonly questions?: Readonly<Record<number, string>>;
}

const draftOf = (theme: Theme): ThemeDraft => ({
  color: theme.color,
  title: theme.title,
  greeting: theme.greeting,
  questions: [...theme.suggestedQuestions],
  position: theme.position,
});

/** The draft's lines that hold a question, by their index in the draft. */
const filledQuestions = (draft: ThemeDraft) =>
  draft.questions.flatMap((question, line) =>
    question.trim() === "" ? [] : [{ line, text: question.trim() }],
  );

/** The theme the draft would save: trimmed, without empty question lines. */
function themeOf(draft: ThemeDraft): Theme {
  return {
    color: draft.color.trim().toLowerCase(),
    title: draft.title.trim(),
    greeting: draft.greeting.trim(),
    suggestedQuestions: filledQuestions(draft).map((q) => q.text),
    position: draft.position,
  };
}

function problemsOf(draft: ThemeDraft): ThemeProblems {
  const title = draft.title.trim();
  const questions: Record<number, string> = {};
  for (const { line, text } of filledQuestions(draft)) {
    if (text.length > widgetLimits.suggestedQuestion)
      questions[line] = `At most ${widgetLimits.suggestedQuestion} characters (this one has ${text.length}).`;
  }
  return {
    color: colorProblem(draft.color),
    title:
      title === ""
        ? "Give the chat window a title, such as your product's name."
        : title.length > widgetLimits.title
          ? `At most ${widgetLimits.title} characters.`
          : undefined,
    greeting:
      draft.greeting.trim().length > widgetLimits.greeting
        ? `At most ${widgetLimits.greeting} characters.`
        : undefined,
    questions,
  };
}

const hasProblems = (p: ThemeProblems) =>
  Boolean(p.color || p.title || p.greeting || Object.keys(p.questions ?? {}).length > 0);

const sameTheme = (a: Theme, b: Theme) => JSON.stringify(a) === JSON.stringify(b);

interface WidgetThemeFormProps {
  readonly widget: Widget;
  /** The widget as the platform saved it. */
  readonly onSaved: (widget: Widget) => void;
  /** Whether the form holds changes not saved yet, so closing it can ask first. */
  readonly onDirtyChange?: (dirty: boolean) => void;
}

/**
 * How one widget looks on sites: its colour, title, greeting, suggested questions and corner, with a live
 * preview beside the form (under it on narrow screens) that follows every keystroke. Saving sends the whole
 * theme with PATCH.
 */
export function WidgetThemeForm({ widget, onSaved, onDirtyChange }: WidgetThemeFormProps) {
  const studio = useStudio();
  const saving = useMutation<"save">();
  const positionLabelId = useId();
  const questionsLabelId = useId();
  const [draft, setDraft] = useState<ThemeDraft>(() => draftOf(widget.theme));
  const [lastValidColor, setLastValidColor] = useState(widget.theme.color);
  const [problems, setProblems] = useState<ThemeProblems>({});
  const [added, setAdded] = useState<number | undefined>(undefined);
  const error = saving.error("save");

  const wanted = themeOf(draft);
  const dirty = !sameTheme(wanted, widget.theme);
  useEffect(() => {
    onDirtyChange?.(dirty);
  }, [dirty, onDirtyChange]);

  const preview: Theme = { ...wanted, color: isHexColor(draft.color) ? wanted.color : lastValidColor };

  /** Applies a change, and forgets what was said about the field it touched and about the last save. */
  const edit = (change: (d: ThemeDraft) => ThemeDraft, field?: keyof ThemeProblems, line?: number) => {
    setDraft(change);
    setProblems((p) => {
      if (field === undefined) return p;
      if (field !== "questions") return { ...p, [field]: undefined };
      // Adding or removing a line renumbers the ones after it: what was said about them no longer fits.
      if (line === undefined) return { ...p, questions: {} };
      const { [line]: _cleared, ...rest } = p.questions ?? {};
      return { ...p, questions: rest };
    });
    saving.dismiss("save");
    saving.announce("");
  };

  const setColor = (color: string) => {
    if (isHexColor(color)) setLastValidColor(color.trim().toLowerCase());
    edit((d) => ({ ...d, color }), "color");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving.busy) return;
    const found = problemsOf(draft);
    setProblems(found);
    if (hasProblems(found)) return;
    const theme = themeOf(draft);
    const lines = filledQuestions(draft).map((q) => q.line);
    await saving.run(
      "save",
      async () => {
        const { widget: saved } = await studio.updateWidget(widget.id, { theme });
        onSaved(saved);
        setDraft(draftOf(saved.theme));
        setLastValidColor(saved.theme.color);
        return `Saved: sites that embed ${saved.name} show its new look from their next page load.`;
      },
      {
        onFailure: (failure) => {
          const onFields = themeIssues(failure.issues, lines);
          if (!hasProblems(onFields)) return false;
          setProblems(onFields);
          return true;
        },
      },
    );
  };

  const questionProblems = problems.questions ?? {};

  return (
    <Box
      sx={{
        display: "grid",
        gap: 3,
        gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 1fr) minmax(280px, 360px)" },
        alignItems: "start",
      }}
    >
      <Box component="form" noValidate onSubmit={submit} aria-label={`Appearance of ${widget.name}`}>
        <Stack spacing={2.5}>
          <Box sx={{ display: "flex", gap: 1.5, alignItems: "flex-start", flexWrap: "wrap" }}>
            <TextField
              type="color"
              label="Colour"
              value={isHexColor(draft.color) ? draft.color.trim().toLowerCase() : lastValidColor}
              onChange={(event) => setColor(event.target.value)}
              sx={{ width: 96 }}
              slotProps={{ htmlInput: { style: { height: 24, padding: "12px 10px", cursor: "pointer" } } }}
            />
            <TextField
              label="Colour hex code"
              value={draft.color}
              onChange={(event) => setColor(event.target.value)}
              error={problems.color !== undefined}
              helperText={problems.color ?? "The launcher, the title bar and the buttons."}
              autoComplete="off"
              slotProps={{ htmlInput: { spellCheck: false, maxLength: 7 } }}
              sx={{ flex: "1 1 180px", maxWidth: { sm: 260 } }}
            />
          </Box>
          <TextField
            label="Title"
            value={draft.title}
            onChange={(event) => edit((d) => ({ ...d, title: event.target.value }), "title")}
            error={problems.title !== undefined}
            helperText={problems.title ?? "At the top of the chat window."}
            slotProps={{ htmlInput: { maxLength: widgetLimits.title } }}
            fullWidth
          />
          <TextField
            label="Greeting"
            value={draft.greeting}
            onChange={(event) => edit((d) => ({ ...d, greeting: event.target.value }), "greeting")}
            error={problems.greeting !== undefined}
            helperText={problems.greeting ?? "The first message visitors see. Leave it empty to show none."}
            multiline
            minRows={2}
            slotProps={{ htmlInput: { maxLength: widgetLimits.greeting } }}
            fullWidth
          />
          <FormControl component="fieldset" aria-labelledby={questionsLabelId}>
            <FormLabel component="legend" id={questionsLabelId}>
              Suggested questions
            </FormLabel>
            <FormHelperText sx={{ mx: 0, mb: 1 }}>
              Up to {widgetLimits.suggestedQuestions}, offered under the greeting so visitors can start with a
              click.
            </FormHelperText>
            <Stack spacing={1.5}>
              {draft.questions.map((question, line) => (
                <Box key={line} sx={{ display: "flex", gap: 1, alignItems: "flex-start" }}>
                  <TextField
                    label={`Suggested question ${line + 1}`}
                    value={question}
                    onChange={(event) =>
                      edit(
                        (d) => ({
                          ...d,
                          questions: d.questions.map((q, i) => (i === line ? event.target.value : q)),
                        }),
                        "questions",
                        line,
                      )
                    }
                    error={questionProblems[line] !== undefined}
                    helperText={questionProblems[line]}
                    autoFocus={added === line}
                    size="small"
                    fullWidth
                    slotProps={{ htmlInput: { maxLength: widgetLimits.suggestedQuestion } }}
                  />
                  <Button
                    onClick={() => {
                      setAdded(undefined);
                      edit(
                        (d) => ({ ...d, questions: d.questions.filter((_, i) => i !== line) }),
                        "questions",
                      );
                    }}
                    aria-label={`Remove suggested question ${line + 1}`}
                    sx={{ flexShrink: 0, mt: 0.25 }}
                  >
                    Remove
                  </Button>
                </Box>
              ))}
              {draft.questions.length < widgetLimits.suggestedQuestions ? (
                <Button
                  onClick={() => {
                    setAdded(draft.questions.length);
                    edit((d) => ({ ...d, questions: [...d.questions, ""] }), "questions");
                  }}
                  sx={{ alignSelf: "flex-start" }}
                >
                  Add a suggested question
                </Button>
              ) : (
                <Typography variant="body2" color="text.secondary">
                  That is the most a widget offers: remove one to add another.
                </Typography>
              )}
            </Stack>
          </FormControl>
          <FormControl>
            <FormLabel id={positionLabelId}>Launcher position</FormLabel>
            <RadioGroup
              row
              aria-labelledby={positionLabelId}
              value={draft.position}
              onChange={(event) => edit((d) => ({ ...d, position: event.target.value as WidgetPosition }))}
            >
              <FormControlLabel value="bottom-right" control={<Radio />} label="Bottom right" />
              <FormControlLabel value="bottom-left" control={<Radio />} label="Bottom left" />
            </RadioGroup>
          </FormControl>
          {error && <FormErrorAlert title="The appearance was not saved" error={error} />}
          <Box sx={{ display: "flex", gap: 1.5, alignItems: "center", flexWrap: "wrap" }}>
            <Button type="submit" variant="contained">
              {saving.busy ? "Saving…" : "Save appearance"}
            </Button>
            {dirty ? (
              <Button
                onClick={() => {
                  setDraft(draftOf(widget.theme));
                  setLastValidColor(widget.theme.color);
                  setProblems({});
                  saving.dismiss("save");
                }}
              >
                Discard changes
              </Button>
            ) : (
              <Typography variant="body2" color="text.secondary">
                No unsaved changes.
              </Typography>
            )}
          </Box>
          <Typography role="status" variant="body2" color="text.secondary">
            {saving.announcement}
          </Typography>
        </Stack>
      </Box>
      <WidgetPreview theme={preview} name={widget.name} />
    </Box>
  );
}

/**
 * The platform's complaints about the theme (`theme.title`, `theme.suggestedQuestions.2`) under the fields
 * they name; `lines` maps a sent question back to its line in the form.
 */
function themeIssues(
  issues: readonly { readonly path: string; readonly message: string }[],
  lines: readonly number[],
): ThemeProblems {
  const found: { color?: string; title?: string; greeting?: string; questions: Record<number, string> } = {
    questions: {},
  };
  for (const { path, message } of issues) {
    const [root, name, index] = path.split(".");
    if (root !== "theme") continue;
    if (name === "color" || name === "title" || name === "greeting") found[name] ??= message;
    if (name === "suggestedQuestions") {
      const line = index === undefined ? lines[0] : lines[Number(index)];
      if (line !== undefined) found.questions[line] ??= message;
    }
  }
  return found;
}
