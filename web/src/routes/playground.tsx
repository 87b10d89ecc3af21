import { useRef, useState } from "react";
import { Link as RouterLink, useParams, useSearchParams } from "react-router";
import {
  Alert,
  AlertTitle,
  Box,
  Link,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
  useMediaQuery,
} from "@mui/material";
import { useTheme } from "@mui/material/styles";
import { AnswerCard, QuestionBubble, StreamingAnswer } from "../components/playground/AnswerCard";
import { CitationDialog } from "../components/playground/CitationDialog";
import { AnswerFeedback } from "../components/feedback/AnswerFeedback";
import { ConfirmationCard } from "../components/playground/ConfirmationCard";
import { SendBox } from "../components/playground/SendBox";
import { TraceAside } from "../components/playground/TraceAside";
import { PageLoading } from "../components/PageLoading";
import { errorSentence, PaymentRequiredNote } from "../components/PaymentRequiredNote";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import type { Agent } from "../data/agents";
import type { AssistantMessage, Citation, ConfirmationDecision, VersionChoice } from "../data/conversations";
import { useAgent, useAgentVersions } from "../data/hooks/agents";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";

/** Loaded on demand (see routes/index.tsx): talk to an agent's draft or any published version and see why it answers. */
export function PlaygroundPage() {
  const { agentId = "" } = useParams();
  const agent = useAgent(agentId);
  usePageTitle(agent.data ? `Playground · ${agent.data.name}` : "Playground");

  if (!agent.data) {
    return (
      <Stack spacing={3}>
        <PlaygroundHeader agentId={agentId} title="Playground" />
        {agent.error?.status === 404 ? (
          <Alert severity="warning">
            This workspace has no agent with the id {agentId}. It may belong to another workspace.
          </Alert>
        ) : agent.error ? (
          <RequestErrorAlert error={agent.error} onRetry={agent.retry} retrying={agent.pending} />
        ) : (
          <PageLoading label="Loading the agent…" />
        )}
      </Stack>
    );
  }
  return <Playground key={agent.data.id} agent={agent.data} />;
}

function PlaygroundHeader({ agentId, title }: { readonly agentId: string; readonly title: string }) {
  return (
    <Box component="header">
      <Link
        component={RouterLink}
        to={`/agents/${encodeURIComponent(agentId)}`}
        variant="body2"
        sx={{ display: "inline-block", mb: 1 }}
      >
        ← Agent
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }}>
        {title}
      </Typography>
    </Box>
  );
}

/** One question and, once it comes, its answer; `streamed` is the text so far while it streams. */
interface Turn {
  readonly key: number;
  readonly question: string;
  readonly streamed: string;
  readonly answer?: AssistantMessage;
}

function Playground({ agent }: { readonly agent: Agent }) {
  const studio = useStudio();
  const { session } = useSession();
  const theme = useTheme();
  const wide = useMediaQuery(theme.breakpoints.up("lg"));
  const canUseDraft = session !== undefined && roleAtLeast(session.role, "editor");
  const versions = useAgentVersions(agent.id);
  // `?version=draft` (the builder's "Try it") or `?version=N` asks for a version; otherwise the one
  // conversations get, as a user would meet it, and the draft when nothing is published yet.
  const [searchParams] = useSearchParams();
  const [version, setVersion] = useState<VersionChoice | undefined>(
    () =>
      requestedVersion(searchParams.get("version"), canUseDraft) ??
      agent.publishedVersion ??
      (canUseDraft ? "draft" : undefined),
  );
  const choices = versionChoices(
    agent,
    canUseDraft,
    versions.data?.map((v) => v.version),
    version,
  );
  const [conversationId, setConversationId] = useState<string | undefined>(undefined);
  // Who the studio talks as: empty is nobody (nothing is remembered), a reference is an end user.
  const [endUserRef, setEndUserRef] = useState("");
  const [turns, setTurns] = useState<Turn[]>([]);
  const [input, setInput] = useState("");
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [traceId, setTraceId] = useState<string | undefined>(undefined);
  const [citation, setCitation] = useState<Citation | undefined>(undefined);
  const [citationOpen, setCitationOpen] = useState(false);
  const nextKey = useRef(0);

  const startOver = () => {
    setConversationId(undefined);
    setTurns([]);
    setTraceId(undefined);
    setError(undefined);
  };

  const changeVersion = (next: VersionChoice) => {
    // A conversation stays on the version it started with: another version starts a new one.
    setVersion(next);
    setConversationId(undefined);
    setTurns([]);
    setTraceId(undefined);
    setError(undefined);
  };

  /**
   * Runs one turn shown as `question`: `ask` gets the conversation and a callback for the streamed text. On
   * failure the turn goes away and `onFailure` runs (a typed question goes back in the box).
   */
  const runTurn = async (
    question: string,
    ask: (conversation: string, onDelta: (text: string) => void) => Promise<AssistantMessage>,
    onFailure: () => void,
  ) => {
    if (version === undefined) return;
    const key = nextKey.current++;
    const update = (change: (turn: Turn) => Turn) =>
      setTurns((current) => current.map((turn) => (turn.key === key ? change(turn) : turn)));
    setSending(true);
    setError(undefined);
    setTurns((current) => [...current, { key, question, streamed: "" }]);
    try {
      const id = conversationId ?? (await studio.startConversation(agent.id, version, endUserRef));
      setConversationId(id);
      const answer = await ask(id, (text) => update((turn) => ({ ...turn, streamed: turn.streamed + text })));
      // A new answer settles the confirmation an earlier one was waiting on (the platform did the same).
      setTurns((current) =>
        current.map((turn) =>
          turn.key === key
            ? { ...turn, answer }
            : turn.answer?.confirmation?.status === "pending"
              ? {
                  ...turn,
                  answer: {
                    ...turn.answer,
                    confirmation: { ...turn.answer.confirmation, status: "superseded" },
                  },
                }
              : turn,
        ),
      );
    } catch (e) {
      setTurns((current) => current.filter((turn) => turn.key !== key));
      onFailure();
      setError(asRequestError(e));
    } finally {
      setSending(false);
    }
  };

  const send = async () => {
    const question = input.trim();
    if (sending || question === "" || version === undefined) return;
    setInput("");
    await runTurn(
      question,
      (id, onDelta) => studio.sendMessage(id, question, onDelta),
      // The question goes back in the box, so trying again is one key away.
      () => setInput((current) => (current === "" ? question : current)),
    );
  };

  /** Confirms or cancels the write `answer` asks for; the agent's answer about it is the next turn. */
  const decide = async (answer: AssistantMessage, decision: ConfirmationDecision) => {
    const confirmation = answer.confirmation;
    if (sending || !confirmation || !conversationId) return;
    const settled = decision === "confirm" ? "confirmed" : "cancelled";
    const mark = (status: string) =>
      setTurns((current) =>
        current.map((turn) =>
          turn.answer?.id === answer.id && turn.answer.confirmation
            ? { ...turn, answer: { ...turn.answer, confirmation: { ...turn.answer.confirmation, status } } }
            : turn,
        ),
      );
    await runTurn(
      `${decision === "confirm" ? "Confirmed" : "Cancelled"}: ${confirmation.toolName}`,
      async (id, onDelta) => {
        const reply = await studio.decideConfirmation(id, confirmation.id, decision, onDelta);
        mark(settled);
        return reply;
      },
      () => undefined,
    );
  };

  const versionLabel = (choice: VersionChoice) =>
    choice === "draft"
      ? "Draft (unpublished changes)"
      : choice === agent.publishedVersion
        ? `Version ${choice} (serving)`
        : `Version ${choice}`;

  return (
    <Stack spacing={3}>
      <PlaygroundHeader agentId={agent.id} title={`Playground · ${agent.name}`} />
      {version === undefined ? (
        <Alert severity="info">
          This agent has no published version yet. Editors, admins and owners can try its draft.
        </Alert>
      ) : (
        <Box
          sx={{
            display: "grid",
            gap: 3,
            gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 3fr) minmax(0, 2fr)" },
            alignItems: "start",
          }}
        >
          <Stack spacing={2}>
            <TextField
              select
              label="Version"
              value={String(version)}
              onChange={(event) =>
                changeVersion(event.target.value === "draft" ? "draft" : Number(event.target.value))
              }
              helperText={
                versions.error
                  ? "Earlier versions could not be listed; the serving version and the draft can still be tried."
                  : "Any published version, or the draft. Changing the version starts a new conversation."
              }
              sx={{ maxWidth: 420 }}
            >
              {choices.map((choice) => (
                <MenuItem key={String(choice)} value={String(choice)}>
                  {versionLabel(choice)}
                </MenuItem>
              ))}
            </TextField>
            <TextField
              label="Talk as end user (optional)"
              value={endUserRef}
              onChange={(event) => {
                // A conversation belongs to one end user: another one starts a new conversation.
                setEndUserRef(event.target.value.slice(0, 200));
                if (conversationId !== undefined) startOver();
              }}
              placeholder="e.g. test:dana"
              helperText={
                agent.longTermMemory.enabled
                  ? "With a reference, this agent's long-term memory remembers you as that end user across " +
                    "conversations (see Conversations › End users). Empty: nothing is remembered."
                  : "Long-term memory is off for this agent: a reference is recorded on the conversation only."
              }
              sx={{ maxWidth: 420 }}
            />
            <Paper variant="outlined" sx={{ p: 2, minHeight: 240 }}>
              <Stack spacing={2} role="log" aria-label="Conversation" aria-live="polite">
                {turns.length === 0 && (
                  <Typography color="text.secondary">
                    Ask a question as a user would. Each answer shows its confidence, its sources and its
                    trace.
                  </Typography>
                )}
                {turns.map((turn) => (
                  <Stack spacing={1.5} key={turn.key}>
                    <QuestionBubble text={turn.question} />
                    {turn.answer ? (
                      <Stack spacing={0.5}>
                        <AnswerCard
                          answer={turn.answer}
                          confirmation={
                            turn.answer.confirmation && (
                              <ConfirmationCard
                                confirmation={turn.answer.confirmation}
                                busy={sending}
                                onDecide={(decision) => {
                                  if (turn.answer) void decide(turn.answer, decision);
                                }}
                              />
                            )
                          }
                          selected={turn.answer.traceId !== null && turn.answer.traceId === traceId}
                          footer={
                            conversationId !== undefined &&
                            turn.answer.traceId !== null && (
                              <AnswerFeedback
                                feedback={turn.answer.feedback}
                                onRate={(input) =>
                                  studio.rateAnswer(conversationId, turn.answer?.id ?? "", input)
                                }
                                onClear={() =>
                                  studio.clearAnswerRating(conversationId, turn.answer?.id ?? "")
                                }
                              />
                            )
                          }
                          onShowTrace={setTraceId}
                          onOpenCitation={(c) => {
                            setCitation(c);
                            setCitationOpen(true);
                          }}
                        />
                        {turn.answer.agentVersion !== null && (
                          <Typography variant="caption" color="text.secondary">
                            {turn.answer.agentVersion === "draft"
                              ? "Answered by the draft"
                              : `Answered by version ${turn.answer.agentVersion}`}
                          </Typography>
                        )}
                      </Stack>
                    ) : (
                      <StreamingAnswer text={turn.streamed} />
                    )}
                  </Stack>
                ))}
              </Stack>
            </Paper>
            {error && (
              <Alert severity="error">
                <AlertTitle>The agent did not answer</AlertTitle>
                {errorSentence(error)}
                <PaymentRequiredNote error={error} />
              </Alert>
            )}
            <SendBox value={input} onChange={setInput} onSend={() => void send()} sending={sending} />
          </Stack>
          <TraceAside
            traceId={traceId}
            onClose={() => setTraceId(undefined)}
            wide={wide}
            placeholder="Choose Trace under an answer to see how it was decided."
          />
        </Box>
      )}
      <CitationDialog citation={citation} open={citationOpen} onClose={() => setCitationOpen(false)} />
    </Stack>
  );
}

/** The version a link asks for: the draft (editors only) or a positive whole number; anything else is ignored. */
function requestedVersion(raw: string | null, canUseDraft: boolean): VersionChoice | undefined {
  if (raw === "draft") return canUseDraft ? "draft" : undefined;
  return raw !== null && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : undefined;
}

/**
 * What the playground can talk to: the draft (editors), then every published version, newest first. Until
 * the versions are listed (or if they cannot be), the serving one.
 */
function versionChoices(
  agent: Pick<Agent, "publishedVersion">,
  canUseDraft: boolean,
  published: readonly number[] | undefined,
  current: VersionChoice | undefined,
): VersionChoice[] {
  const numbers = new Set(published ?? []);
  if (agent.publishedVersion !== null) numbers.add(agent.publishedVersion);
  // A version a link asked for is offered while the list loads (an unknown one is refused when asked).
  if (typeof current === "number") numbers.add(current);
  return [...(canUseDraft ? (["draft"] as const) : []), ...[...numbers].sort((a, b) => b - a)];
}
