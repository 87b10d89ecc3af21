import { useId, useState } from "react";
import { Link as RouterLink } from "react-router";
import { Box, Button, Chip, Collapse, Link, Paper, Stack, Typography } from "@mui/material";
import {
  memoriesWithHistory,
  memoryKindLabels,
  type Memory,
  type MemoryWithHistory,
} from "../../data/narrative";
import { formatConfidence, formatInstant, plural } from "../shared/format";
import { conversationAddress, methodLabel, scopeLabel, type AgentName } from "./describe";

interface MemoryListProps {
  readonly memories: readonly Memory[];
  readonly agentName: AgentName;
  /** Editors may change memories; others read them. */
  readonly canEdit: boolean;
  readonly onEdit: (memory: Memory) => void;
  readonly onDelete: (entry: MemoryWithHistory) => void;
}

/** Where a memory was learned: the conversation (its page opens the turn's trace) and the words it came from. */
function Provenance({ memory }: { readonly memory: Memory }) {
  if (!memory.source) {
    return (
      <Typography variant="body2" color="text.secondary">
        {memory.method === "editor" ? "Added by an editor" : "Its conversation is no longer stored"} ·{" "}
        <time dateTime={memory.createdAt}>{formatInstant(memory.createdAt)}</time>
      </Typography>
    );
  }
  return (
    <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
      From “{memory.source.quote}” ·{" "}
      <Link component={RouterLink} to={conversationAddress(memory.source.conversationId)}>
        Open the conversation
      </Link>{" "}
      · <time dateTime={memory.createdAt}>{formatInstant(memory.createdAt)}</time>
    </Typography>
  );
}

/** The facts of a memory, as chips: kind, method (and its pattern), confidence, expiry. */
function MemoryFacts({ memory, agentName }: { readonly memory: Memory; readonly agentName: AgentName }) {
  return (
    <Box sx={{ display: "flex", flexWrap: "wrap", gap: 1, alignItems: "center" }}>
      <Chip size="small" label={memoryKindLabels[memory.kind]} />
      {memory.key && <Chip size="small" variant="outlined" label={`Key: ${memory.key}`} />}
      <Chip size="small" variant="outlined" label={`Method: ${methodLabel(memory)}`} />
      <Chip size="small" variant="outlined" label={`Confidence ${formatConfidence(memory.confidence)}`} />
      <Typography variant="body2" color="text.secondary">
        {scopeLabel(memory, agentName)} ·{" "}
        {memory.expiresAt ? (
          <>
            expires <time dateTime={memory.expiresAt}>{formatInstant(memory.expiresAt)}</time>
          </>
        ) : (
          "kept for the agent's retention"
        )}
      </Typography>
    </Box>
  );
}

function History({ history }: { readonly history: readonly Memory[] }) {
  const [open, setOpen] = useState(false);
  const listId = useId();
  return (
    <Box>
      <Button size="small" aria-expanded={open} aria-controls={listId} onClick={() => setOpen((o) => !o)}>
        {open ? "Hide history" : `History (${plural(history.length, "earlier memory", "earlier memories")})`}
      </Button>
      <Collapse in={open}>
        <Stack component="ol" id={listId} spacing={1} aria-label="Earlier memories" sx={{ m: 0, pl: 3 }}>
          {history.map((old) => (
            <Typography component="li" variant="body2" key={old.id}>
              <Box component="span" sx={{ textDecoration: "line-through" }}>
                {old.text}
              </Box>{" "}
              <Typography component="span" variant="body2" color="text.secondary">
                — {methodLabel(old)}, replaced{" "}
                {old.supersededAt ? (
                  <time dateTime={old.supersededAt}>{formatInstant(old.supersededAt)}</time>
                ) : (
                  "later"
                )}
                {old.source ? `, from “${old.source.quote}”` : ""}
              </Typography>
            </Typography>
          ))}
        </Stack>
      </Collapse>
    </Box>
  );
}

/**
 * What the agents remember about one end user: each active memory with its facts, where it was learned, and
 * the memories it replaced; superseded memories no active one leads to are listed after.
 */
export function MemoryList({ memories, agentName, canEdit, onEdit, onDelete }: MemoryListProps) {
  const { active, unlinked } = memoriesWithHistory(memories);
  if (memories.length === 0) {
    return (
      <Typography color="text.secondary">
        Nothing is remembered about this end user: their agents found nothing to remember yet, or it was
        forgotten.
      </Typography>
    );
  }
  return (
    <Stack spacing={2}>
      {active.map((entry) => (
        <Paper
          key={entry.memory.id}
          variant="outlined"
          component="article"
          aria-label={entry.memory.text}
          sx={{ p: 2 }}
        >
          <Stack spacing={1}>
            <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{entry.memory.text}</Typography>
            <MemoryFacts memory={entry.memory} agentName={agentName} />
            <Provenance memory={entry.memory} />
            <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
              {canEdit && (
                <>
                  <Button size="small" variant="outlined" onClick={() => onEdit(entry.memory)}>
                    Edit
                  </Button>
                  <Button size="small" color="error" onClick={() => onDelete(entry)}>
                    Delete
                  </Button>
                </>
              )}
              {entry.history.length > 0 && <History history={entry.history} />}
            </Box>
          </Stack>
        </Paper>
      ))}
      {unlinked.length > 0 && (
        <Box>
          <Typography variant="h3" gutterBottom>
            Replaced earlier
          </Typography>
          <Stack component="ul" spacing={1} aria-label="Replaced earlier" sx={{ m: 0, pl: 3 }}>
            {unlinked.map((old) => (
              <Typography component="li" variant="body2" key={old.id}>
                {old.text}{" "}
                <Typography component="span" variant="body2" color="text.secondary">
                  — {memoryKindLabels[old.kind]}, {methodLabel(old)}
                </Typography>
              </Typography>
            ))}
          </Stack>
        </Box>
      )}
    </Stack>
  );
}
