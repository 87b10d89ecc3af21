import { Link as RouterLink } from "react-router";
import { Box, Button } from "@mui/material";
import type { MessageFeedback } from "../../data/feedback";
import type { TranscriptMessage } from "../../data/history";
import { useStudio } from "../../data/studio";
import { AnswerFeedback } from "./AnswerFeedback";

type AnswerMessage = Extract<TranscriptMessage, { role: "assistant" }>;

interface TranscriptAnswerActionsProps {
  readonly conversationId: string;
  readonly message: AnswerMessage;
  /** Editors (and up) correct answers and make eval items of them; viewers never reach a transcript. */
  readonly canEdit: boolean;
  readonly onCorrect: () => void;
  readonly onAddToDataset: () => void;
  readonly onFeedback?: (feedback: MessageFeedback | undefined) => void;
}

/** Under a transcript's answer: its rating, and an editor's ways to correct it or keep it as a test. */
export function TranscriptAnswerActions({
  conversationId,
  message,
  canEdit,
  onCorrect,
  onAddToDataset,
  onFeedback,
}: TranscriptAnswerActionsProps) {
  const studio = useStudio();
  const traceId = message.answer.traceId;
  if (traceId === null) return null;
  return (
    <Box>
      <AnswerFeedback
        feedback={message.answer.feedback}
        onRate={(input) => studio.rateAnswer(conversationId, message.id, input)}
        onClear={() => studio.clearAnswerRating(conversationId, message.id)}
        {...(onFeedback ? { onChange: onFeedback } : {})}
      />
      {canEdit && (
        <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", mt: 1 }}>
          <Button size="small" variant="outlined" onClick={onCorrect}>
            Correct this answer
          </Button>
          <Button size="small" variant="outlined" onClick={onAddToDataset}>
            Add to dataset
          </Button>
          <Button
            size="small"
            component={RouterLink}
            to={`/evaluations/replays?${new URLSearchParams({ trace: traceId }).toString()}`}
          >
            Replay against another version
          </Button>
        </Box>
      )}
    </Box>
  );
}
