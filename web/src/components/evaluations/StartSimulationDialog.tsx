import { useId, useState } from "react";
import {
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControlLabel,
  FormLabel,
  LinearProgress,
  MenuItem,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  simulationLimits,
  type AnswerChecks,
  type SimulationInput,
  type TargetVersion,
} from "../../data/evaluations";
import { canPlayEndUser } from "../../data/agentOptions";
import { useAgentOptions, useAgents } from "../../data/hooks/agents";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";

/** A check list as typed: one entry a line. */
interface ChecksDraft {
  readonly mustContain: string;
  readonly mustNotContain: string;
  readonly mustCite: string;
  /** "any": not checked; "yes": must abstain; "no": must answer. */
  readonly shouldAbstain: "any" | "yes" | "no";
}

const noChecks: ChecksDraft = { mustContain: "", mustNotContain: "", mustCite: "", shouldAbstain: "any" };

interface StepDraft {
  readonly key: number;
  readonly message: string;
  readonly checks: ChecksDraft;
}

const lines = (text: string) =>
  text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "");

/** The checks as the platform takes them (empty lists left out), or the first problem with them. */
function checksOf(draft: ChecksDraft): { checks: AnswerChecks } | { problem: string } {
  const checks: { -readonly [K in keyof AnswerChecks]: AnswerChecks[K] } = {};
  for (const [key, label] of [
    ["mustContain", "Must contain"],
    ["mustNotContain", "Must not contain"],
    ["mustCite", "Must cite"],
  ] as const) {
    const entries = lines(draft[key]);
    if (entries.length > simulationLimits.checkStrings) {
      return { problem: `${label}: at most ${simulationLimits.checkStrings} lines.` };
    }
    if (entries.some((e) => e.length > simulationLimits.checkChars)) {
      return { problem: `${label}: a line is at most ${simulationLimits.checkChars} characters.` };
    }
    if (entries.length > 0) checks[key] = entries;
  }
  if (draft.shouldAbstain !== "any") checks.shouldAbstain = draft.shouldAbstain === "yes";
  return { checks };
}

interface StartSimulationDialogProps {
  readonly open: boolean;
  /** Runs it (inside the request); the dialog shows why when this throws, and stays open. */
  readonly onRun: (input: SimulationInput) => Promise<void>;
  readonly onCancel: () => void;
}

/**
 * A scenario for a simulated end user: scripted steps (a message and the checks its answer must pass), or a
 * model-driven user with a persona and a goal, which needs a model provider the platform says it has or not.
 * It runs inside the request (up to 240 s), so the dialog waits with it and sends it once.
 */
export function StartSimulationDialog({ open, onRun, onCancel }: StartSimulationDialogProps) {
  const titleId = useId();
  const agents = useAgents({ includeArchived: false });
  // Null when the platform does not say: the option stays, and the platform's refusal is shown.
  const modelCanPlay = canPlayEndUser(useAgentOptions().data);
  const running = useMutation<"run">();
  const [name, setName] = useState("");
  const [agentId, setAgentId] = useState("");
  const [version, setVersion] = useState<string>("published");
  const [mode, setMode] = useState<"scripted" | "model-driven">("scripted");
  const [steps, setSteps] = useState<StepDraft[]>([{ key: 0, message: "", checks: noChecks }]);
  const [persona, setPersona] = useState("");
  const [goal, setGoal] = useState("");
  const [maxTurns, setMaxTurns] = useState("5");
  const [openingMessage, setOpeningMessage] = useState("");
  const [everyAnswer, setEveryAnswer] = useState<ChecksDraft>(noChecks);
  const [lastAnswer, setLastAnswer] = useState<ChecksDraft>(noChecks);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const pending = running.busy !== undefined;
  const agent = agents.data?.find((a) => a.id === agentId);

  const reset = () => {
    setName("");
    setAgentId("");
    setVersion("published");
    setMode("scripted");
    setSteps([{ key: 0, message: "", checks: noChecks }]);
    setPersona("");
    setGoal("");
    setMaxTurns("5");
    setOpeningMessage("");
    setEveryAnswer(noChecks);
    setLastAnswer(noChecks);
    setProblems({});
    running.dismiss("run");
  };

  const inputOf = (found: Record<string, string>): SimulationInput | undefined => {
    if (agentId === "") found.agent = "Choose the agent to talk to.";
    const target: TargetVersion = version === "draft" || version === "published" ? version : Number(version);
    const base = { ...(name.trim() ? { name: name.trim() } : {}), agentId, version: target };
    if (mode === "scripted") {
      const out: { message: string; checks: AnswerChecks }[] = [];
      steps.forEach((step, i) => {
        const message = step.message.trim();
        if (message === "") found[`step-${step.key}`] = `Step ${i + 1} needs a message.`;
        else if (message.length > simulationLimits.messageChars) {
          found[`step-${step.key}`] = `Step ${i + 1}: at most ${simulationLimits.messageChars} characters.`;
        }
        const checks = checksOf(step.checks);
        if ("problem" in checks) found[`checks-${step.key}`] = checks.problem;
        else out.push({ message, checks: checks.checks });
      });
      return Object.keys(found).length === 0 ? { ...base, steps: out } : undefined;
    }
    if (persona.trim() === "") found.persona = "Say who the simulated user is.";
    if (goal.trim() === "") found.goal = "Say what they want from the conversation.";
    const turns = Number(maxTurns);
    if (!Number.isInteger(turns) || turns < 1 || turns > simulationLimits.steps) {
      found.maxTurns = `A whole number from 1 to ${simulationLimits.steps}.`;
    }
    const every = checksOf(everyAnswer);
    const last = checksOf(lastAnswer);
    if ("problem" in every) found.everyAnswer = every.problem;
    if ("problem" in last) found.lastAnswer = last.problem;
    if (Object.keys(found).length > 0 || "problem" in every || "problem" in last) return undefined;
    const checks = {
      ...(Object.keys(every.checks).length > 0 ? { everyAnswer: every.checks } : {}),
      ...(Object.keys(last.checks).length > 0 ? { lastAnswer: last.checks } : {}),
    };
    return {
      ...base,
      endUser: {
        persona: persona.trim(),
        goal: goal.trim(),
        maxTurns: turns,
        ...(openingMessage.trim() ? { openingMessage: openingMessage.trim() } : {}),
      },
      ...(Object.keys(checks).length > 0 ? { checks } : {}),
    };
  };

  const submit = () => {
    if (pending) return;
    const found: Record<string, string> = {};
    const input = inputOf(found);
    setProblems(found);
    if (!input) return;
    void running.run("run", () => onRun(input));
  };

  const failure = running.error("run");
  return (
    <Dialog
      open={open}
      // It runs inside the request: closing would not stop it, so the dialog stays until it answers.
      onClose={() => !pending && onCancel()}
      aria-labelledby={titleId}
      maxWidth="md"
      fullWidth
      slotProps={{ transition: { onExited: reset } }}
    >
      <Stack
        component="form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <DialogTitle id={titleId}>Start a simulation</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              A simulated end user talks to the agent in the sandbox (billed as sandbox usage, left out of
              analytics) and each answer is checked. It runs while you wait, up to 240 s.
            </Typography>
            <TextField
              label="Name (optional)"
              value={name}
              onChange={(e) => setName(e.target.value)}
              slotProps={{ htmlInput: { maxLength: simulationLimits.nameChars } }}
            />
            <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr" } }}>
              <TextField
                select
                label="Agent"
                value={agentId}
                onChange={(e) => {
                  setAgentId(e.target.value);
                  setVersion("published");
                }}
                error={problems.agent !== undefined}
                helperText={problems.agent ?? (agents.error ? "The agents could not be listed." : undefined)}
                required
              >
                {(agents.data ?? []).map((a) => (
                  <MenuItem key={a.id} value={a.id}>
                    {a.name}
                  </MenuItem>
                ))}
              </TextField>
              <TextField select label="Version" value={version} onChange={(e) => setVersion(e.target.value)}>
                <MenuItem value="published">The published version</MenuItem>
                <MenuItem value="draft">The draft</MenuItem>
                {Array.from(
                  { length: agent?.latestVersion ?? 0 },
                  (_, i) => (agent?.latestVersion ?? 0) - i,
                ).map((v) => (
                  <MenuItem key={v} value={String(v)}>
                    Version {v}
                    {v === agent?.publishedVersion ? " (serving)" : ""}
                  </MenuItem>
                ))}
              </TextField>
            </Box>
            <Box>
              <FormLabel id={`${titleId}-mode`}>The end user</FormLabel>
              <RadioGroup
                row
                aria-labelledby={`${titleId}-mode`}
                value={mode}
                onChange={(e) => setMode(e.target.value === "model-driven" ? "model-driven" : "scripted")}
              >
                <FormControlLabel value="scripted" control={<Radio />} label="Scripted steps" />
                <FormControlLabel
                  value="model-driven"
                  control={<Radio />}
                  label="Model-driven"
                  disabled={modelCanPlay === false}
                />
              </RadioGroup>
              {modelCanPlay === false && (
                <Typography variant="body2" color="text.secondary">
                  A model-driven end user needs a model provider (set OPENAI_API_KEY on the platform): the
                  built-in model only quotes passages and cannot play a user.
                </Typography>
              )}
            </Box>
            {mode === "scripted" ? (
              <Stack spacing={2}>
                {steps.map((step, i) => (
                  <Paper key={step.key} variant="outlined" component="fieldset" sx={{ p: 2, m: 0 }}>
                    <Typography component="legend" variant="body2" sx={{ fontWeight: 600, px: 0.5 }}>
                      Step {i + 1}
                    </Typography>
                    <Stack spacing={2}>
                      <TextField
                        label={`Step ${i + 1}: message`}
                        value={step.message}
                        onChange={(e) =>
                          setSteps((all) =>
                            all.map((s) => (s.key === step.key ? { ...s, message: e.target.value } : s)),
                          )
                        }
                        error={problems[`step-${step.key}`] !== undefined}
                        helperText={problems[`step-${step.key}`]}
                        multiline
                        minRows={1}
                        required
                      />
                      <ChecksFields
                        label={`Step ${i + 1}`}
                        value={step.checks}
                        onChange={(checks) =>
                          setSteps((all) => all.map((s) => (s.key === step.key ? { ...s, checks } : s)))
                        }
                        problem={problems[`checks-${step.key}`]}
                      />
                      {steps.length > 1 && (
                        <Box>
                          <Button
                            size="small"
                            color="error"
                            onClick={() => setSteps((all) => all.filter((s) => s.key !== step.key))}
                          >
                            Remove step {i + 1}
                          </Button>
                        </Box>
                      )}
                    </Stack>
                  </Paper>
                ))}
                <Box>
                  <Button
                    onClick={() =>
                      setSteps((all) => [
                        ...all,
                        { key: Math.max(...all.map((s) => s.key)) + 1, message: "", checks: noChecks },
                      ])
                    }
                    disabled={steps.length >= simulationLimits.steps}
                  >
                    Add a step
                  </Button>
                </Box>
              </Stack>
            ) : (
              <Stack spacing={2}>
                <Typography variant="body2" color="text.secondary">
                  A model plays the end user: it needs a model provider on the platform (an OpenAI-compatible
                  one). The built-in model only quotes passages and cannot play a user; the platform then
                  refuses, and says so here.
                </Typography>
                <TextField
                  label="Who the end user is"
                  value={persona}
                  onChange={(e) => setPersona(e.target.value)}
                  error={problems.persona !== undefined}
                  helperText={problems.persona ?? "E.g. “a new employee who has never filed an expense”."}
                  multiline
                  required
                  slotProps={{ htmlInput: { maxLength: simulationLimits.personaChars } }}
                />
                <TextField
                  label="What they want"
                  value={goal}
                  onChange={(e) => setGoal(e.target.value)}
                  error={problems.goal !== undefined}
                  helperText={problems.goal}
                  multiline
                  required
                  slotProps={{ htmlInput: { maxLength: simulationLimits.goalChars } }}
                />
                <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", sm: "1fr 2fr" } }}>
                  <TextField
                    label="Turns at most"
                    type="number"
                    value={maxTurns}
                    onChange={(e) => setMaxTurns(e.target.value)}
                    error={problems.maxTurns !== undefined}
                    helperText={problems.maxTurns ?? `1 to ${simulationLimits.steps}.`}
                    slotProps={{ htmlInput: { min: 1, max: simulationLimits.steps } }}
                  />
                  <TextField
                    label="First message (optional)"
                    value={openingMessage}
                    onChange={(e) => setOpeningMessage(e.target.value)}
                    helperText="Left empty, the model writes it."
                  />
                </Box>
                <ChecksFields
                  label="Every answer"
                  value={everyAnswer}
                  onChange={setEveryAnswer}
                  problem={problems.everyAnswer}
                />
                <ChecksFields
                  label="The last answer"
                  value={lastAnswer}
                  onChange={setLastAnswer}
                  problem={problems.lastAnswer}
                />
              </Stack>
            )}
            {pending && (
              <Stack spacing={1}>
                <LinearProgress aria-label="The simulation is running" />
                <Typography variant="body2" role="status">
                  Running the simulation: each step is a turn of the agent. This can take up to 240 s.
                </Typography>
              </Stack>
            )}
            {failure && <FormErrorAlert title="The simulation did not run" error={failure} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={() => !pending && onCancel()}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Running…" : "Run simulation"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

function ChecksFields({
  label,
  value,
  onChange,
  problem,
}: {
  /** Names the answer checked ("Step 2", "Every answer"), so each field's name is unique. */
  readonly label: string;
  readonly value: ChecksDraft;
  readonly onChange: (value: ChecksDraft) => void;
  readonly problem: string | undefined;
}) {
  const field = (key: "mustContain" | "mustNotContain" | "mustCite", name: string) => (
    <TextField
      label={`${label}: ${name}`}
      value={value[key]}
      onChange={(e) => onChange({ ...value, [key]: e.target.value })}
      helperText="One a line (optional)."
      multiline
      size="small"
    />
  );
  return (
    <Stack spacing={1}>
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { xs: "1fr", sm: "1fr 1fr" } }}>
        {field("mustContain", "must contain")}
        {field("mustNotContain", "must not contain")}
        {field("mustCite", "must cite")}
        <TextField
          select
          size="small"
          label={`${label}: abstention`}
          value={value.shouldAbstain}
          onChange={(e) =>
            onChange({
              ...value,
              shouldAbstain: e.target.value === "yes" ? "yes" : e.target.value === "no" ? "no" : "any",
            })
          }
        >
          <MenuItem value="any">Not checked</MenuItem>
          <MenuItem value="yes">Must abstain</MenuItem>
          <MenuItem value="no">Must answer</MenuItem>
        </TextField>
      </Box>
      {problem && (
        <Typography variant="body2" color="error">
          {problem}
        </Typography>
      )}
    </Stack>
  );
}
