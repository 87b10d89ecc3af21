import { Box, Button, Chip, Stack, Typography } from "@mui/material";
import { placeholdersIn, textSegments } from "../../data/prompts";
import { monospace } from "../../theme";

interface PlaceholderHintsProps {
  readonly text: string;
  readonly declared: readonly string[];
  /** Declares the placeholders the text uses but the form does not; hidden without it (read-only views). */
  readonly onDeclare?: (names: string[]) => void;
}

/**
 * The placeholders the text uses, each marked declared or not (in words: color only repeats it), and the
 * declared variables it never uses. Before saving, so an undeclared one is fixed here rather than refused.
 */
export function PlaceholderHints({ text, declared, onDeclare }: PlaceholderHintsProps) {
  const used = placeholdersIn(text);
  const known = new Set(declared);
  const undeclared = used.filter((name) => !known.has(name));
  const unused = declared.filter((name) => name !== "" && !used.includes(name));
  const malformed = textSegments(text).flatMap((s) => (s.kind === "malformed" ? [s.message] : []));
  return (
    <Stack spacing={1} aria-label="Placeholders" role="group">
      <Typography variant="body2" color="text.secondary">
        {used.length === 0
          ? "The text has no placeholders. Write {{name}} where a value goes."
          : `The text uses ${used.length} placeholder${used.length === 1 ? "" : "s"}:`}
      </Typography>
      {used.length > 0 && (
        <Box
          component="ul"
          sx={{ display: "flex", flexWrap: "wrap", gap: 0.75, m: 0, p: 0, listStyle: "none" }}
        >
          {used.map((name) => (
            <li key={name}>
              <Chip
                size="small"
                variant="outlined"
                color={known.has(name) ? "success" : "error"}
                label={`{{${name}}} ${known.has(name) ? "declared" : "not declared"}`}
                sx={{ fontFamily: monospace }}
              />
            </li>
          ))}
        </Box>
      )}
      {undeclared.length > 0 && onDeclare && (
        <Box>
          <Button size="small" variant="outlined" onClick={() => onDeclare(undeclared)}>
            Declare{" "}
            {undeclared.length === 1
              ? `{{${undeclared[0]}}}`
              : `the ${undeclared.length} undeclared placeholders`}
          </Button>
        </Box>
      )}
      {malformed.map((message) => (
        <Typography key={message} variant="body2" color="error">
          {message}
        </Typography>
      ))}
      {unused.length > 0 && (
        <Typography variant="body2" color="text.secondary">
          Declared but not used in the text: {unused.join(", ")}.
        </Typography>
      )}
    </Stack>
  );
}

/** The text with its placeholders marked (a `mark` each), as it will be stored. */
export function MarkedText({ text, label }: { readonly text: string; readonly label: string }) {
  return (
    <Box
      role="group"
      aria-label={label}
      sx={{
        fontFamily: monospace,
        fontSize: "0.8125rem",
        whiteSpace: "pre-wrap",
        overflowWrap: "anywhere",
        p: 1.5,
        bgcolor: "grey.50",
        borderRadius: 1,
        border: 1,
        borderColor: "divider",
        maxHeight: 360,
        overflow: "auto",
      }}
    >
      {textSegments(text).map((segment, i) =>
        segment.kind === "placeholder" ? (
          <Box
            key={i}
            component="mark"
            sx={{ bgcolor: "rgba(74, 58, 168, 0.12)", color: "primary.dark", borderRadius: 0.5, px: 0.25 }}
          >
            {segment.text}
          </Box>
        ) : segment.kind === "malformed" ? (
          <Box
            key={i}
            component="mark"
            title={segment.message}
            sx={{ bgcolor: "rgba(211, 47, 47, 0.12)", color: "error.dark", textDecoration: "underline wavy" }}
          >
            {segment.text}
          </Box>
        ) : (
          <span key={i}>{segment.text}</span>
        ),
      )}
    </Box>
  );
}
