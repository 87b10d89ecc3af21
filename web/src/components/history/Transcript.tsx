import type { ReactNode } from "react";
import { Stack, Typography } from "@mui/material";
import type { Citation } from "../../data/conversations";
import type { Delivery, TranscriptMessage } from "../../data/history";
import { AnswerCard, QuestionBubble } from "../playground/AnswerCard";
import { ConfirmationCard } from "../playground/ConfirmationCard";
import { formatInstant } from "./describe";

interface TranscriptProps {
  readonly messages: readonly TranscriptMessage[];
  /** The trace on show, to mark its answer. */
  readonly selectedTraceId: string | undefined;
  readonly onShowTrace: (traceId: string) => void;
  readonly onOpenCitation: (citation: Citation) => void;
  /** At the foot of each answer: what the reader can do about it (rate it, correct it). */
  readonly answerFooter?: (message: AnswerMessage, question: string | undefined) => ReactNode;
}

type AnswerMessage = Extract<TranscriptMessage, { role: "assistant" }>;

/** The end user's message an answer replies to: the nearest one before it. */
function questionBefore(messages: readonly TranscriptMessage[], index: number): string | undefined {
  for (let i = index - 1; i >= 0; i--) {
    const m = messages[i];
    if (m?.role === "user") return m.content;
  }
  return undefined;
}

function When({
  iso,
  align,
  extra,
}: {
  readonly iso: string;
  readonly align: "left" | "right";
  readonly extra?: string;
}) {
  return (
    <Typography variant="caption" color="text.secondary" sx={{ textAlign: align, mt: 0.5 }}>
      <time dateTime={iso}>{formatInstant(iso)}</time>
      {extra && ` · ${extra}`}
    </Typography>
  );
}

const deliveryWords: Record<Delivery["status"], string> = {
  accepted: "Sent to WhatsApp",
  sent: "Sent",
  delivered: "Delivered",
  read: "Read",
  failed: "Not delivered",
  "not-sent": "Not sent",
};

/** How far an answer delivered after the turn got: said in words, a failure with the channel's reason. */
function DeliveryLine({ delivery }: { readonly delivery: Delivery }) {
  const failed = delivery.status === "failed" || delivery.status === "not-sent";
  return (
    <Typography
      variant="caption"
      color={failed ? "error" : "text.secondary"}
      role={failed ? "alert" : undefined}
      sx={{ mt: 0.25 }}
    >
      {deliveryWords[delivery.status]} (<time dateTime={delivery.at}>{formatInstant(delivery.at)}</time>)
      {delivery.error && `: ${delivery.error.message} (code ${delivery.error.code})`}
    </Typography>
  );
}

/** A conversation's messages in order: the end user's questions and the agent's checked answers. */
export function Transcript({
  messages,
  selectedTraceId,
  onShowTrace,
  onOpenCitation,
  answerFooter,
}: TranscriptProps) {
  return (
    <Stack component="ol" spacing={2.5} aria-label="Messages" sx={{ m: 0, p: 0, listStyle: "none" }}>
      {messages.map((message, index) =>
        message.role === "user" ? (
          <Stack component="li" key={message.id} aria-label="End user">
            <QuestionBubble text={message.content} />
            <When iso={message.createdAt} align="right" />
          </Stack>
        ) : (
          <Stack component="li" key={message.id} aria-label="Agent">
            <AnswerCard
              answer={message.answer}
              confirmation={
                message.answer.confirmation && <ConfirmationCard confirmation={message.answer.confirmation} />
              }
              selected={message.answer.traceId !== null && message.answer.traceId === selectedTraceId}
              footer={answerFooter?.(message, questionBefore(messages, index))}
              onShowTrace={onShowTrace}
              onOpenCitation={onOpenCitation}
            />
            <When
              iso={message.createdAt}
              align="left"
              extra={
                message.answer.agentVersion === "draft"
                  ? "answered by the draft"
                  : message.answer.agentVersion !== null
                    ? `answered by version ${message.answer.agentVersion}`
                    : undefined
              }
            />
            {message.delivery && <DeliveryLine delivery={message.delivery} />}
          </Stack>
        ),
      )}
    </Stack>
  );
}
