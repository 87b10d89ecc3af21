import { useState } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import {
  Box,
  Button,
  Paper,
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
import type { AnswerDiff, Replay, TargetVersion } from "../../data/evaluations";
import { useReplays } from "../../data/hooks/evaluations";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { visuallyHidden } from "../shared/ChartCard";
import { formatConfidence } from "../shared/format";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { conversationAddress } from "./sections";

/** "draft", "published" or a version number, as typed. */
export function targetVersionOf(text: string): TargetVersion | undefined {
  const t = text.trim().toLowerCase();
  if (t === "draft" || t === "published") return t;
  return /^[1-9]\d{0,8}$/.test(t) ? Number(t) : undefined;
}

const abstentionWords: Record<AnswerDiff["abstention"], string> = {
  unchanged: "",
  "now-abstains": "Now abstains.",
  "now-answers": "Now answers (it abstained before).",
};

/** Replays of stored answers against another version, and a new one from a trace id. */
export function ReplaysTab({ canEdit }: { readonly canEdit: boolean }) {
  const replays = useReplays();
  return (
    <Stack spacing={2}>
      <Typography color="text.secondary">
        What would another version have answered? A replay asks a stored answer's question again (with its
        conversation's earlier messages) in the sandbox, and shows both answers and what changed.
      </Typography>
      {canEdit && <NewReplay onDone={replays.retry} />}
      {replays.error && !replays.data && (
        <RequestErrorAlert error={replays.error} onRetry={replays.retry} retrying={replays.pending} />
      )}
      {!replays.data && !replays.error && <PageLoading label="Loading replays…" />}
      {replays.data &&
        (replays.data.length === 0 ? (
          <Typography color="text.secondary">No replays yet.</Typography>
        ) : (
          <Stack spacing={2}>
            {replays.data.map((r) => (
              <ReplayCard key={r.id} replay={r} />
            ))}
          </Stack>
        ))}
    </Stack>
  );
}

function NewReplay({ onDone }: { readonly onDone: () => void }) {
  const studio = useStudio();
  const [params] = useSearchParams();
  const [traceId, setTraceId] = useState(params.get("trace") ?? "");
  const [version, setVersion] = useState("draft");
  const [shown, setShown] = useState(false);
  const replaying = useMutation<"replay">();
  const target = targetVersionOf(version);
  const traceMissing = traceId.trim() === "";
  return (
    <Paper
      component="form"
      noValidate
      aria-labelledby="new-replay-heading"
      onSubmit={(event) => {
        event.preventDefault();
        setShown(true);
        if (traceMissing || target === undefined) return;
        void replaying.run("replay", async () => {
          await studio.createReplay({ traceId: traceId.trim(), target: { version: target } });
          onDone();
          return "Replayed: the new replay is first in the list.";
        });
      }}
      sx={{ p: 2 }}
    >
      <Typography variant="h2" id="new-replay-heading" gutterBottom>
        Replay an answer
      </Typography>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "flex-start" }}>
        <TextField
          size="small"
          label="Trace id"
          value={traceId}
          onChange={(event) => setTraceId(event.target.value)}
          error={shown && traceMissing}
          helperText={
            shown && traceMissing ? "The trace of the answer to replay." : "Shown in an answer's trace panel."
          }
          sx={{ minWidth: 260 }}
        />
        <TextField
          size="small"
          label="Against"
          value={version}
          onChange={(event) => setVersion(event.target.value)}
          error={shown && target === undefined}
          helperText={
            shown && target === undefined
              ? "draft, published, or a version number."
              : "draft, published, or a version number."
          }
        />
        <Button type="submit" variant="contained">
          {replaying.busy ? "Replaying…" : "Replay"}
        </Button>
      </Box>
      <Typography role="status" variant="body2" sx={{ mt: 1 }}>
        {replaying.announcement}
      </Typography>
      {replaying.error("replay") && (
        <FormErrorAlert title="The answer was not replayed" error={replaying.error("replay")!} />
      )}
    </Paper>
  );
}

function ReplayCard({ replay }: { readonly replay: Replay }) {
  const { original, diff } = replay;
  const again = replay.replay;
  const versionName = (v: number | "draft") => (v === "draft" ? "the draft" : `version ${v}`);
  return (
    <Paper component="article" aria-label={`Replay of “${replay.question.slice(0, 80)}”`} sx={{ p: 2 }}>
      <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{replay.question}</Typography>
      <Typography variant="body2" color="text.secondary" gutterBottom>
        {versionName(original.agentVersion)} → {versionName(again.agentVersion)} ·{" "}
        <RelativeTime iso={replay.createdAt} />
        {replay.status === "failed" && ` · failed: ${replay.error?.message ?? "the turn failed"}`}
      </Typography>
      <TableContainer tabIndex={0} role="group" aria-label="Both answers: the table">
        <Table size="small" aria-label="Both answers">
          <TableHead>
            <TableRow>
              <TableCell scope="col" sx={{ width: "50%" }}>
                Original ({versionName(original.agentVersion)})
              </TableCell>
              <TableCell scope="col">Replayed ({versionName(again.agentVersion)})</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            <TableRow>
              <TableCell sx={{ verticalAlign: "top", overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}>
                {original.answer ?? `(${original.status})`}
                <Typography variant="body2" color="text.secondary">
                  Confidence {formatConfidence(original.confidence)}
                  {original.abstained ? ", abstained" : ""}
                </Typography>
              </TableCell>
              <TableCell sx={{ verticalAlign: "top", overflowWrap: "anywhere", whiteSpace: "pre-wrap" }}>
                {again.answer ?? `(${again.status})`}
                <Typography variant="body2" color="text.secondary">
                  Confidence {formatConfidence(again.confidence)}
                  {again.abstained ? ", abstained" : ""}
                </Typography>
              </TableCell>
            </TableRow>
          </TableBody>
        </Table>
      </TableContainer>
      {diff && (
        <Box sx={{ mt: 1.5 }}>
          <Typography variant="body2" sx={{ mb: 0.5 }}>
            {diff.wordsAdded} word{diff.wordsAdded === 1 ? "" : "s"} added, {diff.wordsRemoved} removed.{" "}
            {abstentionWords[diff.abstention]}
            {diff.citationsAdded.length > 0 &&
              ` Now cites ${diff.citationsAdded.map((c) => c.docName).join(", ")}.`}
            {diff.citationsRemoved.length > 0 &&
              ` No longer cites ${diff.citationsRemoved.map((c) => c.docName).join(", ")}.`}
          </Typography>
          <Box
            role="group"
            aria-label="The answers word by word"
            sx={{
              typography: "body2",
              p: 1,
              border: 1,
              borderColor: "divider",
              borderRadius: 1,
              overflowWrap: "anywhere",
            }}
          >
            {diff.words.map((w, i) =>
              w.op === "same" ? (
                <span key={i}>{w.text} </span>
              ) : w.op === "added" ? (
                <Box
                  key={i}
                  component="ins"
                  sx={{ bgcolor: "rgba(46, 125, 50, 0.15)", textDecoration: "underline" }}
                >
                  <Box component="span" sx={visuallyHidden}>
                    added:{" "}
                  </Box>
                  {w.text}{" "}
                </Box>
              ) : (
                <Box key={i} component="del" sx={{ bgcolor: "rgba(211, 47, 47, 0.12)" }}>
                  <Box component="span" sx={visuallyHidden}>
                    removed:{" "}
                  </Box>
                  {w.text}{" "}
                </Box>
              ),
            )}
          </Box>
        </Box>
      )}
      {replay.conversationId && (
        <Button
          size="small"
          component={RouterLink}
          to={conversationAddress(replay.conversationId)}
          sx={{ mt: 1 }}
        >
          Open the replayed conversation
        </Button>
      )}
    </Paper>
  );
}
