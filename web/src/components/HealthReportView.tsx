import { useId } from "react";
import {
  Box,
  Divider,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { ChatModelInfo, HealthReport, RunMode } from "../data/health";
import { monospace } from "../theme";
import { StatusChip } from "./StatusChip";

const modeLabels: Record<RunMode, string> = {
  local: "Local (one Node process, embedded store)",
  firebase: "Firebase",
};

/** What each provider really is, said by the studio itself so no label can oversell it. */
const chatNotes: Record<ChatModelInfo["provider"], string> = {
  "local-extractive":
    "Answers only by quoting retrieved passages; it is not a generative model. Set OPENAI_API_KEY to use one.",
  "openai-compatible": "A generative model behind an OpenAI-compatible endpoint.",
};
const embedderNotes: Record<string, string> = {
  "local-hash": "Hashed word features computed locally: finds passages that share words, not meaning.",
  "local-onnx": "A neural embedding model from this instance's LOCAL_MODELS_DIR, run locally.",
  "openai-compatible": "An embedding model behind an OpenAI-compatible endpoint.",
};

export function HealthReportView({ report }: { readonly report: HealthReport }) {
  const { chat, embedder, reranker } = report.models;
  const checksHeadingId = useId();
  return (
    <Stack spacing={3}>
      <Box
        component="dl"
        sx={{ m: 0, display: "grid", gridTemplateColumns: "max-content 1fr", columnGap: 3, rowGap: 1 }}
      >
        <Typography component="dt" color="text.secondary">
          Status
        </Typography>
        {/* Announced when it changes between refreshes, and only then. */}
        <Box component="dd" sx={{ m: 0 }} aria-live="polite">
          <StatusChip status={report.status} />
        </Box>
        <Typography component="dt" color="text.secondary">
          Run mode
        </Typography>
        <Typography component="dd" sx={{ m: 0 }}>
          {modeLabels[report.mode]}
        </Typography>
        <Typography component="dt" color="text.secondary">
          Version
        </Typography>
        <Typography component="dd" sx={{ m: 0, fontFamily: monospace }}>
          {report.version}
        </Typography>
      </Box>

      <Box>
        <Typography variant="h3" component="h3" id={checksHeadingId} sx={{ mb: 1 }}>
          Checks
        </Typography>
        {report.checks.length === 0 ? (
          <Typography color="text.secondary">The platform reports no checks yet.</Typography>
        ) : (
          <TableContainer>
            <Table size="small" aria-labelledby={checksHeadingId}>
              <TableHead>
                <TableRow>
                  <TableCell>Check</TableCell>
                  <TableCell>Status</TableCell>
                  <TableCell align="right">Latency</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {report.checks.map((check) => (
                  <TableRow key={check.name}>
                    <TableCell sx={{ overflowWrap: "anywhere" }}>
                      <Box sx={{ fontFamily: monospace }}>{check.name}</Box>
                      {check.detail && (
                        <Typography variant="body2" color="text.secondary">
                          {check.detail}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      <StatusChip status={check.status} />
                    </TableCell>
                    <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
                      {check.latencyMs === undefined ? "—" : `${Math.round(check.latencyMs)} ms`}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
      </Box>

      <Divider />

      <Stack direction={{ xs: "column", md: "row" }} spacing={3}>
        <ModelSummary
          title="Chat model"
          label={chat.label}
          technical={`${chat.provider} · ${chat.model}`}
          note={chatNotes[chat.provider]}
        />
        <ModelSummary
          title="Embedder"
          label={embedder.label}
          technical={`${embedder.provider} · ${embedder.model} · ${embedder.dimensions} dimensions`}
          note={embedderNotes[embedder.provider]}
        />
        <ModelSummary
          title="Reranker"
          label={reranker ? reranker.label : "None"}
          technical={
            reranker ? `${reranker.provider} · ${reranker.model}` : "search order: keyword and vector scores"
          }
          note={
            reranker
              ? "A cross-encoder from this instance's LOCAL_MODELS_DIR reorders the best 20 search results."
              : "Add a cross-encoder to LOCAL_MODELS_DIR to reorder search results by a model's reading."
          }
        />
      </Stack>
    </Stack>
  );
}

interface ModelSummaryProps {
  readonly title: string;
  readonly label: string;
  readonly technical: string;
  readonly note: string | undefined;
}

function ModelSummary({ title, label, technical, note }: ModelSummaryProps) {
  return (
    <Box sx={{ flex: 1, minWidth: 0 }}>
      <Typography variant="overline" component="h3" color="text.secondary">
        {title}
      </Typography>
      <Typography sx={{ fontWeight: 600 }}>{label}</Typography>
      <Typography
        variant="body2"
        sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}
        color="text.secondary"
      >
        {technical}
      </Typography>
      {note && (
        <Typography variant="body2" sx={{ mt: 0.5 }}>
          {note}
        </Typography>
      )}
    </Box>
  );
}
