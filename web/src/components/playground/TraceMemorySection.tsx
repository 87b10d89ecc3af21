import type { ReactNode } from "react";
import { Box, Chip, Stack, Typography } from "@mui/material";
import type { TraceMemory } from "../../data/narrative";
import { formatInstant, plural } from "../shared/format";

const kindNames: Readonly<Record<string, string>> = {
  fact: "Fact",
  preference: "Preference",
  commitment: "Commitment",
};
const methodNames: Readonly<Record<string, string>> = {
  rules: "by the rule patterns",
  model: "by the model",
  editor: "by an editor",
};

const kindName = (kind: string) => kindNames[kind] ?? kind;
/** A trace is read leniently: a moment it does not hold is left out rather than failing the panel. */
const when = (iso: string) => (Number.isNaN(Date.parse(iso)) ? "" : ` (${formatInstant(iso)})`);

function Part({ title, children }: { readonly title: string; readonly children: ReactNode }) {
  return (
    <Box>
      <Typography variant="subtitle2" component="h4" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

/**
 * A trace's memory section: the memories recalled for the turn and shown to the model as [M1]…, which of them
 * the answer cited, what the turn learned (or replaced), what the end user asked to forget, and where the
 * answer contradicted what the agent had told them before.
 */
export function TraceMemorySection({ memory }: { readonly memory: TraceMemory }) {
  const cited = memory.used.filter((m) => m.cited).length;
  return (
    <Stack spacing={1.5}>
      <Typography variant="body2" color="text.secondary">
        {memory.recalled === 0
          ? "Nothing remembered about this end user was relevant to the question."
          : `${plural(memory.recalled, "memory", "memories")} recalled; ${memory.used.length} shown to the model as evidence, ${cited} cited by the answer.`}
        {memory.forgotten > 0 &&
          ` Forgot ${plural(memory.forgotten, "memory", "memories")} as the end user asked.`}
      </Typography>
      {memory.used.length > 0 && (
        <Part title="Memories used">
          <Stack component="ul" spacing={1} aria-label="Memories used" sx={{ m: 0, pl: 2 }}>
            {memory.used.map((used) => (
              <Typography component="li" variant="body2" key={`${used.ref}-${used.memoryId}`}>
                [{used.ref}] {used.text}{" "}
                <Typography component="span" variant="body2" color="text.secondary">
                  — {kindName(used.kind)}
                  {used.key ? ` (${used.key})` : ""}, score {used.score.toFixed(2)}
                </Typography>{" "}
                <Chip
                  size="small"
                  variant="outlined"
                  color={used.cited ? "primary" : "default"}
                  label={used.cited ? "Cited" : "Not cited"}
                />
              </Typography>
            ))}
          </Stack>
        </Part>
      )}
      {memory.written.length > 0 && (
        <Part title="Remembered from this turn">
          <Stack component="ul" spacing={0.5} aria-label="Remembered from this turn" sx={{ m: 0, pl: 2 }}>
            {memory.written.map((written) => (
              <Typography component="li" variant="body2" key={written.memoryId}>
                {kindName(written.kind)}
                {written.key ? ` (${written.key})` : ""} {methodNames[written.method] ?? written.method}
                {written.supersedes ? ", replacing what was remembered before" : ""}
              </Typography>
            ))}
          </Stack>
        </Part>
      )}
      {memory.contradictions.length > 0 && (
        <Part title="Contradictions">
          <Stack component="ul" spacing={1} aria-label="Contradictions" sx={{ m: 0, pl: 2 }}>
            {memory.contradictions.map((c) => (
              <Typography component="li" variant="body2" key={c.statementId}>
                Earlier{when(c.earlierAt)}: “{c.earlier}”
                <br />
                Now: “{c.now}”
                {c.reason && (
                  <Typography
                    component="span"
                    variant="body2"
                    color="text.secondary"
                    sx={{ display: "block" }}
                  >
                    {c.reason}
                  </Typography>
                )}
              </Typography>
            ))}
          </Stack>
        </Part>
      )}
    </Stack>
  );
}
