import { useId, useState } from "react";
import { Box, Button, Stack, SvgIcon, TextField, Typography } from "@mui/material";
import { feedbackLimits, type FeedbackInput, type MessageFeedback, type Rating } from "../../data/feedback";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

interface AnswerFeedbackProps {
  /** The rating the answer carries now. */
  readonly feedback: MessageFeedback | undefined;
  /** Rates (or re-rates) the answer; answers the rating as stored. */
  readonly onRate: (input: FeedbackInput) => Promise<MessageFeedback>;
  readonly onClear: () => Promise<void>;
  /** Told the rating as it now is, so the answer's owner can keep it. */
  readonly onChange?: (feedback: MessageFeedback | undefined) => void;
}

const words: Record<Rating, string> = { up: "Helpful", down: "Not helpful" };
/** Material Design's thumb_up and thumb_down paths: drawn, so they show without an emoji font (offline machines). */
const thumbs: Record<Rating, string> = {
  up: "M1 21h4V9H1v12zm22-11c0-1.1-.9-2-2-2h-6.31l.95-4.57.03-.32c0-.41-.17-.79-.44-1.06L14.17 1 7.59 7.59C7.22 7.95 7 8.45 7 9v10c0 1.1.9 2 2 2h9c.83 0 1.54-.5 1.84-1.22l3.02-7.05c.09-.23.14-.47.14-.73v-2z",
  down: "M15 3H6c-.83 0-1.54.5-1.84 1.22l-3.02 7.05c-.09.23-.14.47-.14.73v2c0 1.1.9 2 2 2h6.31l-.95 4.57-.03.32c0 .41.17.79.44 1.06L9.83 23l6.59-6.59c.36-.36.58-.86.58-1.41V5c0-1.1-.9-2-2-2zm4 0v12h4V3h-4z",
};

/**
 * Thumbs up or down on one answer, with an optional comment; the current rating is said in words (the
 * pressed button repeats it). Pressing the chosen rating again takes it back. One rating per answer: a
 * second replaces the first, as the platform keeps it.
 */
export function AnswerFeedback({ feedback: initial, onRate, onClear, onChange }: AnswerFeedbackProps) {
  const [feedback, setFeedback] = useState(initial);
  const [commenting, setCommenting] = useState(false);
  const [comment, setComment] = useState(initial?.comment ?? "");
  const saving = useMutation<"rate" | "comment" | "clear">();
  const groupId = useId();
  const commentId = useId();
  const error = saving.error("rate") ?? saving.error("comment") ?? saving.error("clear");

  const keep = (next: MessageFeedback | undefined) => {
    setFeedback(next);
    onChange?.(next);
  };

  const rate = (rating: Rating) =>
    saving.run("rate", async () => {
      if (feedback?.rating === rating) {
        await onClear();
        keep(undefined);
        setCommenting(false);
        setComment("");
        return "Rating removed.";
      }
      const saved = await onRate({ rating, ...(comment.trim() ? { comment: comment.trim() } : {}) });
      keep(saved);
      // A thumbs down is where a comment helps most: the box opens, and can be ignored.
      if (rating === "down" && !saved.comment) setCommenting(true);
      return `Rated ${words[rating].toLowerCase()}.`;
    });

  const saveComment = () =>
    saving.run("comment", async () => {
      if (!feedback) return;
      const saved = await onRate({ rating: feedback.rating, comment: comment.trim() });
      keep(saved);
      setCommenting(false);
      return saved.comment ? "Comment saved." : "Comment removed.";
    });

  return (
    <Stack spacing={1} sx={{ mt: 1 }}>
      <Box
        role="group"
        aria-labelledby={groupId}
        sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap" }}
      >
        <Typography id={groupId} variant="body2" color="text.secondary">
          Rate this answer
        </Typography>
        {(["up", "down"] as const).map((rating) => (
          <Button
            key={rating}
            size="small"
            variant={feedback?.rating === rating ? "contained" : "outlined"}
            color={rating === "up" ? "primary" : "secondary"}
            aria-pressed={feedback?.rating === rating}
            onClick={() => void rate(rating)}
          >
            <SvgIcon fontSize="small" sx={{ mr: 0.5 }}>
              <path d={thumbs[rating]} />
            </SvgIcon>
            {words[rating]}
          </Button>
        ))}
        {feedback && !commenting && (
          <Button size="small" onClick={() => setCommenting(true)}>
            {feedback.comment ? "Edit comment" : "Add a comment"}
          </Button>
        )}
        <Typography variant="body2" color="text.secondary" role="status">
          {saving.busy
            ? "Saving…"
            : saving.announcement ||
              (feedback ? `Rated ${words[feedback.rating].toLowerCase()}.` : "Not rated yet.")}
        </Typography>
      </Box>
      {feedback?.comment && !commenting && (
        <Typography variant="body2" sx={{ overflowWrap: "anywhere" }}>
          Comment: “{feedback.comment}”
        </Typography>
      )}
      {commenting && feedback && (
        <Stack
          component="form"
          spacing={1}
          onSubmit={(event) => {
            event.preventDefault();
            void saveComment();
          }}
        >
          <TextField
            id={commentId}
            size="small"
            label="Comment (optional)"
            value={comment}
            onChange={(event) => setComment(event.target.value)}
            helperText="What was wrong or missing? Editors read it when they review answers."
            multiline
            minRows={2}
            slotProps={{ htmlInput: { maxLength: feedbackLimits.comment } }}
          />
          <Box sx={{ display: "flex", gap: 1 }}>
            <Button type="submit" size="small" variant="outlined">
              Save comment
            </Button>
            <Button size="small" onClick={() => setCommenting(false)}>
              Cancel
            </Button>
          </Box>
        </Stack>
      )}
      {error && <FormErrorAlert title="The rating was not saved" error={error} />}
    </Stack>
  );
}
