import { useId, useState, type ReactNode } from "react";
import { Box, Button, Chip, Collapse, Paper, Stack, Typography } from "@mui/material";
import { isMemoryCitation, type AssistantMessage, type Citation } from "../../data/conversations";
import { warningDark } from "../../theme";

interface AnswerCardProps {
  readonly answer: AssistantMessage;
  readonly selected: boolean;
  readonly onShowTrace: (traceId: string) => void;
  readonly onOpenCitation: (citation: Citation) => void;
  /** Shown under the text: what the answer asks its user to confirm, if anything. */
  readonly confirmation?: ReactNode;
  /** At the card's foot: what people can do about the answer (rate it, correct it). */
  readonly footer?: ReactNode;
}

/**
 * One chip per passage cited: every sentence has its own citation, and a passage cited by two sentences
 * opens once, with each sentence and the quote that supports it.
 */
function passagesCited(citations: readonly Citation[]): Citation[] {
  const byPassage = new Map<string, Citation[]>();
  for (const c of citations) {
    const key = `${c.ref}\u0000${c.chunkId}`;
    byPassage.set(key, [...(byPassage.get(key) ?? []), c]);
  }
  return [...byPassage.values()].map((group) => {
    const first = group[0] as Citation;
    return group.length > 1
      ? { ...first, supports: group.map((c) => ({ claim: c.claim ?? "", quote: c.quote })) }
      : first;
  });
}

/** One checked answer: its text, how sure the agent is, why, and the passages it stands on. */
export function AnswerCard({
  answer,
  selected,
  onShowTrace,
  onOpenCitation,
  confirmation,
  footer,
}: AnswerCardProps) {
  const [explained, setExplained] = useState(false);
  const explanationId = useId();
  return (
    <Paper
      variant="outlined"
      sx={{
        p: 2,
        borderColor: selected ? "primary.main" : undefined,
        alignSelf: "flex-start",
        maxWidth: "100%",
      }}
    >
      <Typography sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{answer.content}</Typography>
      {confirmation && <Box sx={{ mt: 1.5 }}>{confirmation}</Box>}
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center", mt: 1.5 }}>
        {answer.confidence !== null && (
          <Chip size="small" label={`Confidence ${Math.round(answer.confidence * 100)}%`} />
        )}
        {answer.abstained && (
          <Chip size="small" color="warning" label="Abstained" sx={{ bgcolor: warningDark }} />
        )}
        {passagesCited(answer.citations).map((citation) => (
          <Chip
            key={`${citation.ref}-${citation.chunkId}`}
            size="small"
            variant="outlined"
            color="primary"
            // A memory is not a document: it is named as what it is.
            label={`[${citation.ref}] ${isMemoryCitation(citation) ? "Memory" : citation.docName}`}
            onClick={() => onOpenCitation(citation)}
          />
        ))}
      </Box>
      <Box sx={{ display: "flex", gap: 1, mt: 1 }}>
        {answer.explanation && (
          <Button
            size="small"
            aria-expanded={explained}
            aria-controls={explanationId}
            onClick={() => setExplained((open) => !open)}
          >
            {explained ? "Hide explanation" : "Why this answer"}
          </Button>
        )}
        {answer.traceId && (
          <Button size="small" onClick={() => answer.traceId && onShowTrace(answer.traceId)}>
            Trace
          </Button>
        )}
      </Box>
      {answer.explanation && (
        <Collapse in={explained} id={explanationId}>
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {answer.explanation}
          </Typography>
        </Collapse>
      )}
      {footer}
    </Paper>
  );
}

/** The answer while it streams: the model's words so far, before the platform checks them. */
export function StreamingAnswer({ text }: { readonly text: string }) {
  return (
    <Paper variant="outlined" sx={{ p: 2, alignSelf: "flex-start", maxWidth: "100%" }} aria-busy="true">
      <Typography sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{text}</Typography>
      <Typography variant="caption" color="text.secondary">
        {text ? "Writing…" : "Thinking…"}
      </Typography>
    </Paper>
  );
}

export function QuestionBubble({ text }: { readonly text: string }) {
  return (
    <Stack sx={{ alignItems: "flex-end" }}>
      <Paper
        sx={{ p: 1.5, px: 2, bgcolor: "primary.main", color: "primary.contrastText", maxWidth: "85%" }}
        elevation={0}
      >
        <Typography sx={{ whiteSpace: "pre-wrap", overflowWrap: "anywhere" }}>{text}</Typography>
      </Paper>
    </Stack>
  );
}
