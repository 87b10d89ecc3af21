import { useState } from "react";
import { Link as RouterLink, useLocation, useParams } from "react-router";
import { Alert, Box, Link, Paper, Stack, Typography, useMediaQuery } from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { AnswerDialogs, type AnswerTask } from "../components/feedback/AnswerDialogs";
import { TranscriptAnswerActions } from "../components/feedback/TranscriptAnswerActions";
import { ConversationDetails } from "../components/history/ConversationDetails";
import { endUserAddress } from "../components/narrative/describe";
import type { ConversationLinkState } from "../components/history/ConversationTable";
import { endUserLabel } from "../components/history/describe";
import { Transcript } from "../components/history/Transcript";
import { CitationDialog } from "../components/playground/CitationDialog";
import { TraceAside } from "../components/playground/TraceAside";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import type { Citation } from "../data/conversations";
import type { ConversationTranscript } from "../data/history";
import { useAgent } from "../data/hooks/agents";
import { useConversationTranscript } from "../data/hooks/history";
import { useEndUserKeyOf } from "../data/hooks/narrative";
import { roleAtLeast, useSession } from "../data/session";

/** Back to the list the reader came from, with its filters; the whole history otherwise. */
function useListAddress(): string {
  const state: unknown = useLocation().state;
  const search =
    typeof state === "object" && state !== null && "listSearch" in state
      ? (state as ConversationLinkState).listSearch
      : "";
  return search ? `/conversations?${search}` : "/conversations";
}

function Header({ title }: { readonly title: string }) {
  const listAddress = useListAddress();
  return (
    <Box component="header">
      <Link component={RouterLink} to={listAddress} variant="body2" sx={{ display: "inline-block", mb: 1 }}>
        ← Conversations
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }}>
        {title}
      </Typography>
    </Box>
  );
}

/** Loaded on demand (see routes/index.tsx): one conversation as it happened, and why each answer was given. */
export function ConversationPage() {
  const { conversationId = "" } = useParams();
  const { session } = useSession();
  const canRead = session !== undefined && roleAtLeast(session.role, "editor");
  if (!canRead) {
    return (
      <Stack spacing={3}>
        <Header title="Conversation" />
        <Alert severity="info">
          Conversations hold what end users wrote, so only editors, admins and owners can read them.
        </Alert>
      </Stack>
    );
  }
  return <ConversationReader key={conversationId} conversationId={conversationId} />;
}

function ConversationReader({ conversationId }: { readonly conversationId: string }) {
  const transcript = useConversationTranscript(conversationId);
  const title = transcript.data
    ? `Conversation with ${endUserLabel(transcript.data.conversation.endUserRef)}`
    : "Conversation";
  usePageTitle(title);
  return (
    <Stack spacing={3}>
      <Header title={title} />
      {transcript.data ? (
        <Reader transcript={transcript.data} />
      ) : transcript.error?.status === 404 ? (
        <Alert severity="warning">
          This workspace has no conversation with the id {conversationId}. It may belong to another workspace,
          or its end user&apos;s data may have been erased.
        </Alert>
      ) : transcript.error ? (
        <RequestErrorAlert
          error={transcript.error}
          onRetry={transcript.retry}
          retrying={transcript.pending}
        />
      ) : (
        <PageLoading label="Loading the conversation…" />
      )}
    </Stack>
  );
}

function Reader({ transcript }: { readonly transcript: ConversationTranscript }) {
  const { conversation, messages } = transcript;
  const agent = useAgent(conversation.agentId);
  // Only end users an agent with long-term memory has met have a page: the platform says whether this one does.
  const endUserKey = useEndUserKeyOf(conversation.endUserRef);
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  // Keyed by each opening, so a dialog starts from its answer; kept while it closes.
  const [task, setTask] = useState<{
    readonly task: AnswerTask;
    readonly open: boolean;
    readonly key: number;
  }>();
  const [done, setDone] = useState("");
  const openTask = (next: AnswerTask) => setTask((t) => ({ task: next, open: true, key: (t?.key ?? 0) + 1 }));
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up("lg"));
  const [traceId, setTraceId] = useState<string | undefined>(undefined);
  const [citation, setCitation] = useState<Citation | undefined>(undefined);
  const [citationOpen, setCitationOpen] = useState(false);
  const answers = messages.filter((m) => m.role === "assistant").length;

  return (
    <>
      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 3fr) minmax(0, 2fr)" },
          alignItems: "start",
        }}
      >
        <Stack spacing={3}>
          <Paper
            component="section"
            aria-labelledby="conversation-details-heading"
            sx={{ p: { xs: 2, sm: 3 } }}
          >
            <Typography variant="h2" id="conversation-details-heading" gutterBottom>
              Details
            </Typography>
            <ConversationDetails
              conversation={conversation}
              agentName={agent.data?.name}
              endUserAddress={endUserKey.data ? endUserAddress(endUserKey.data) : undefined}
            />
          </Paper>
          <Paper
            component="section"
            aria-labelledby="conversation-messages-heading"
            sx={{ p: { xs: 2, sm: 3 } }}
          >
            <Typography variant="h2" id="conversation-messages-heading" gutterBottom>
              Messages
            </Typography>
            {messages.length === 0 ? (
              <Typography color="text.secondary">
                No messages yet: the conversation was started, but nobody has written in it.
              </Typography>
            ) : (
              <>
                {answers > 0 && !wide && (
                  <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
                    Choose Trace under an answer to see how it was decided: the passages retrieved, the tools
                    called, the checks on each sentence.
                  </Typography>
                )}
                <Typography role="status" variant="body2" sx={{ mb: done ? 2 : 0 }}>
                  {done}
                </Typography>
                <Transcript
                  messages={messages}
                  selectedTraceId={traceId}
                  answerFooter={(message, question) => (
                    <TranscriptAnswerActions
                      conversationId={conversation.id}
                      message={message}
                      canEdit={canEdit}
                      onCorrect={() =>
                        message.answer.traceId &&
                        openTask({
                          kind: "correct",
                          traceId: message.answer.traceId,
                          question,
                          original: message.answer.content,
                        })
                      }
                      onAddToDataset={() =>
                        message.answer.traceId &&
                        openTask({ kind: "dataset", traceId: message.answer.traceId })
                      }
                    />
                  )}
                  onShowTrace={setTraceId}
                  onOpenCitation={(c) => {
                    setCitation(c);
                    setCitationOpen(true);
                  }}
                />
              </>
            )}
          </Paper>
        </Stack>
        <TraceAside
          traceId={traceId}
          onClose={() => setTraceId(undefined)}
          wide={wide}
          placeholder={
            answers > 0
              ? "Choose Trace under an answer to see how it was decided."
              : "Traces appear here once the agent has answered."
          }
        />
      </Box>
      <CitationDialog citation={citation} open={citationOpen} onClose={() => setCitationOpen(false)} />
      {task && (
        <AnswerDialogs
          key={task.key}
          task={task.task}
          open={task.open}
          onClose={() => setTask((t) => t && { ...t, open: false })}
          onDone={setDone}
        />
      )}
    </>
  );
}
