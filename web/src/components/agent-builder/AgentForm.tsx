import { memo, useCallback, useId, type ReactNode } from "react";
import {
  Box,
  FormControlLabel,
  FormHelperText,
  MenuItem,
  Paper,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { unlistedAgentOptions, type AgentOptions } from "../../data/agentOptions";
import { agentLimits, estimateTokens, type AgentDraft, type DraftErrors } from "../../data/agents";
import type { KnowledgeBaseList } from "../../data/knowledgeBases";
import type { RemoteData } from "../../data/useRemoteData";
import { BlockedTopicsField } from "./BlockedTopicsField";
import { ChannelsSection, type ServingChannels } from "./ChannelsSection";
import { KnowledgeBasePicker } from "./KnowledgeBasePicker";
import { LabeledSlider } from "./LabeledSlider";
import { ToolsSection } from "./ToolsSection";

interface AgentFormProps {
  readonly draft: AgentDraft;
  readonly onChange: (change: Partial<AgentDraft>) => void;
  readonly errors: DraftErrors;
  readonly knowledgeBases: RemoteData<KnowledgeBaseList>;
  /** What the platform offers agents; `undefined` while it is being asked. */
  readonly options: AgentOptions | undefined;
  /** Archived agents, and people who may only read. */
  readonly readOnly: boolean;
  /** The channels of the version end users get now; `undefined` for an agent never published. */
  readonly serving?: ServingChannels | undefined;
}

const count = (n: number) => n.toLocaleString("en");

/**
 * The builder's fields, in sections; controlled by the page, which owns saving. Each section re-renders only
 * when its own fields change, so typing in the instructions stays fast however big the form grows.
 */
export function AgentForm({
  draft,
  onChange,
  errors,
  knowledgeBases,
  options,
  readOnly,
  serving,
}: AgentFormProps) {
  const onKnowledgeBasesChange = useCallback(
    (knowledgeBaseIds: string[]) => onChange({ knowledgeBaseIds }),
    [onChange],
  );
  return (
    <Stack spacing={3}>
      <BasicsSection
        name={draft.name}
        description={draft.description}
        nameError={errors.name}
        descriptionError={errors.description}
        onChange={onChange}
        readOnly={readOnly}
      />
      <InstructionsSection
        instructions={draft.instructions}
        error={errors.instructions}
        onChange={onChange}
        readOnly={readOnly}
      />
      <ModelSection
        modelName={draft.modelName}
        temperature={draft.temperature}
        maxOutputTokens={draft.maxOutputTokens}
        contextBudgetTokens={draft.contextBudgetTokens}
        modelNameError={errors.modelName}
        temperatureError={errors.temperature}
        maxOutputTokensError={errors.maxOutputTokens}
        contextBudgetTokensError={errors.contextBudgetTokens}
        options={options}
        onChange={onChange}
        readOnly={readOnly}
      />
      <FormSection id="knowledge" title="Knowledge">
        <KnowledgeBasePicker
          value={draft.knowledgeBaseIds}
          onChange={onKnowledgeBasesChange}
          list={knowledgeBases.data}
          loading={knowledgeBases.pending}
          loadError={knowledgeBases.error}
          onRetry={knowledgeBases.retry}
          disabled={readOnly}
          error={errors.knowledgeBaseIds}
        />
      </FormSection>
      <FormSection
        id="tools"
        title="Tools"
        intro="Tools let the model look things up or act while it answers. What a tool returns is evidence the answer can cite, like a passage."
      >
        <ToolsSection
          tools={draft.tools}
          maxToolSteps={draft.maxToolSteps}
          toolsError={errors.tools}
          maxToolStepsError={errors.maxToolSteps}
          onChange={onChange}
          readOnly={readOnly}
          toolHosts={options?.toolHosts ?? null}
        />
      </FormSection>
      <AnsweringSection
        confidenceThreshold={draft.confidenceThreshold}
        memoryWindow={draft.memoryWindow}
        confidenceThresholdError={errors.confidenceThreshold}
        memoryWindowError={errors.memoryWindow}
        onChange={onChange}
        readOnly={readOnly}
      />
      <LongTermMemorySection
        enabled={draft.longTermMemory}
        retentionDays={draft.memoryRetentionDays}
        scope={draft.memoryScope}
        retentionDaysError={errors.memoryRetentionDays}
        scopeError={errors.memoryScope}
        enabledError={errors.longTermMemory}
        onChange={onChange}
        readOnly={readOnly}
      />
      <GuardrailsSection
        blockedTopics={draft.blockedTopics}
        redactPii={draft.redactPii}
        blockedTopicsError={errors.blockedTopics}
        redactPiiError={errors.redactPii}
        onChange={onChange}
        readOnly={readOnly}
      />
      <FormSection
        id="channels"
        title="Channels"
        intro="Where end users reach this agent. A change here reaches them once you publish it."
      >
        <ChannelsSection
          channels={draft.channels}
          error={errors.channels}
          serving={serving}
          onChange={onChange}
          readOnly={readOnly}
        />
      </FormSection>
    </Stack>
  );
}

interface SectionProps {
  /** Must be stable (the page's `useCallback`), or every section re-renders on every keystroke. */
  readonly onChange: (change: Partial<AgentDraft>) => void;
  readonly readOnly: boolean;
}

const BasicsSection = memo(function BasicsSection({
  name,
  description,
  nameError,
  descriptionError,
  onChange,
  readOnly,
}: SectionProps & {
  readonly name: string;
  readonly description: string;
  readonly nameError: string | undefined;
  readonly descriptionError: string | undefined;
}) {
  return (
    <FormSection id="basics" title="Basics">
      <TextField
        label="Name"
        value={name}
        onChange={(event) => onChange({ name: event.target.value })}
        error={nameError !== undefined}
        helperText={nameError}
        disabled={readOnly}
        required
        fullWidth
        slotProps={{ htmlInput: { maxLength: agentLimits.name } }}
      />
      <TextField
        label="Description"
        value={description}
        onChange={(event) => onChange({ description: event.target.value })}
        error={descriptionError !== undefined}
        helperText={descriptionError ?? "For your team: what this agent is for. The model does not see it."}
        disabled={readOnly}
        multiline
        minRows={2}
        fullWidth
      />
    </FormSection>
  );
});

const InstructionsSection = memo(function InstructionsSection({
  instructions,
  error,
  onChange,
  readOnly,
}: SectionProps & { readonly instructions: string; readonly error: string | undefined }) {
  const tokens = estimateTokens(instructions);
  return (
    <FormSection
      id="instructions"
      title="Instructions"
      intro="What the model is told before every question: its role, its tone, and what to do when the knowledge bases do not cover something."
    >
      <TextField
        label="Instructions"
        value={instructions}
        onChange={(event) => onChange({ instructions: event.target.value })}
        error={error !== undefined}
        helperText={
          <>
            {error && (
              <>
                {error}
                <br />
              </>
            )}
            {count(instructions.length)} / {count(agentLimits.instructions)} characters · about{" "}
            {count(tokens)} {tokens === 1 ? "token" : "tokens"} (estimated at 4 characters per token)
          </>
        }
        disabled={readOnly}
        multiline
        minRows={8}
        maxRows={30}
        fullWidth
        slotProps={{ htmlInput: { spellCheck: true } }}
      />
    </FormSection>
  );
});

const ModelSection = memo(function ModelSection({
  modelName,
  temperature,
  maxOutputTokens,
  contextBudgetTokens,
  modelNameError,
  temperatureError,
  maxOutputTokensError,
  contextBudgetTokensError,
  options,
  onChange,
  readOnly,
}: SectionProps & {
  readonly modelName: string;
  readonly temperature: number;
  readonly maxOutputTokens: string;
  readonly contextBudgetTokens: number;
  readonly modelNameError: string | undefined;
  readonly temperatureError: string | undefined;
  readonly maxOutputTokensError: string | undefined;
  readonly contextBudgetTokensError: string | undefined;
  readonly options: AgentOptions | undefined;
}) {
  // Until the platform says, its schema's own limits: it refuses anything beyond its operator's anyway.
  const limits = options ?? unlistedAgentOptions;
  const output = limits.maxOutputTokens;
  const context = limits.contextBudgetTokens;
  return (
    <FormSection id="model" title="Model">
      {options?.models ? (
        <ModelChoice
          value={modelName}
          models={options.models}
          error={modelNameError}
          onChange={onChange}
          readOnly={readOnly}
        />
      ) : (
        <TextField
          label="Model name"
          value={modelName}
          onChange={(event) => onChange({ modelName: event.target.value })}
          error={modelNameError !== undefined}
          helperText={
            modelNameError ??
            (options === undefined
              ? "Loading the models this platform offers…"
              : "Leave blank to use the platform's chat model (see the Overview).")
          }
          placeholder="Platform default"
          disabled={readOnly || options === undefined}
          fullWidth
          autoComplete="off"
        />
      )}
      <LabeledSlider
        label="Temperature"
        description="Lower keeps answers close to the passages; higher lets the wording vary."
        value={temperature}
        min={0}
        max={2}
        step={0.1}
        format={formatTemperature}
        onChange={(next) => onChange({ temperature: next })}
        disabled={readOnly}
        error={temperatureError}
      />
      <TextField
        label="Max output tokens"
        value={maxOutputTokens}
        onChange={(event) => onChange({ maxOutputTokens: event.target.value })}
        error={maxOutputTokensError !== undefined}
        helperText={
          maxOutputTokensError ?? `The longest answer, from ${output.min} to ${count(output.max)} tokens.`
        }
        disabled={readOnly}
        sx={{ maxWidth: 280 }}
        slotProps={{ htmlInput: { inputMode: "numeric", pattern: "[0-9]*" } }}
      />
      <LabeledSlider
        label="Context budget"
        description={`Estimated tokens the model may be sent per question: instructions, earlier messages, passages and room for the answer (up to ${count(context.max)} on this platform).`}
        value={contextBudgetTokens}
        min={context.min}
        max={context.max}
        step={context.min}
        format={formatTokens}
        onChange={(next) => onChange({ contextBudgetTokens: next })}
        disabled={readOnly}
        error={contextBudgetTokensError}
      />
    </FormSection>
  );
});

/** The models the platform offers, its default first; a model it no longer offers stays visible, marked. */
function ModelChoice({
  value,
  models,
  error,
  onChange,
  readOnly,
}: {
  readonly value: string;
  readonly models: NonNullable<AgentOptions["models"]>;
  readonly error: string | undefined;
  readonly onChange: (change: Partial<AgentDraft>) => void;
  readonly readOnly: boolean;
}) {
  const current = value.trim();
  const retired = current !== "" && !models.allowed.includes(current);
  return (
    <TextField
      select
      label="Model"
      value={current}
      onChange={(event) => onChange({ modelName: event.target.value })}
      error={error !== undefined || retired}
      helperText={
        error ??
        (retired
          ? "This platform no longer offers this model: pick one it offers."
          : "The models this platform offers. The default is what the platform is set up with.")
      }
      disabled={readOnly}
      fullWidth
      // The platform's default is the empty name: shown as a choice of its own, not as "nothing chosen".
      slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
    >
      <MenuItem value="">Platform default · {models.default.label}</MenuItem>
      {models.allowed.map((name) => (
        <MenuItem key={name} value={name}>
          {name}
        </MenuItem>
      ))}
      {retired && (
        <MenuItem value={current} disabled>
          {current} (no longer offered)
        </MenuItem>
      )}
    </TextField>
  );
}

const AnsweringSection = memo(function AnsweringSection({
  confidenceThreshold,
  memoryWindow,
  confidenceThresholdError,
  memoryWindowError,
  onChange,
  readOnly,
}: SectionProps & {
  readonly confidenceThreshold: number;
  readonly memoryWindow: number;
  readonly confidenceThresholdError: string | undefined;
  readonly memoryWindowError: string | undefined;
}) {
  return (
    <FormSection id="answering" title="Answering">
      <LabeledSlider
        label="Confidence threshold"
        description="Answers below this calibrated probability abstain: instead of answering, the agent says what it found. 0.8 answers when about four in five such answers are right."
        value={confidenceThreshold}
        min={0}
        max={1}
        step={0.05}
        format={formatProbability}
        onChange={(next) => onChange({ confidenceThreshold: next })}
        disabled={readOnly}
        error={confidenceThresholdError}
      />
      <LabeledSlider
        label="Memory window"
        description="How many earlier messages go with each question word for word; older ones are summarized."
        value={memoryWindow}
        min={0}
        max={agentLimits.maxMemoryWindow}
        step={1}
        format={formatMessages}
        onChange={(next) => onChange({ memoryWindow: next })}
        disabled={readOnly}
        error={memoryWindowError}
      />
    </FormSection>
  );
});

const LongTermMemorySection = memo(function LongTermMemorySection({
  enabled,
  retentionDays,
  scope,
  enabledError,
  retentionDaysError,
  scopeError,
  onChange,
  readOnly,
}: SectionProps & {
  readonly enabled: boolean;
  readonly retentionDays: string;
  readonly scope: AgentDraft["memoryScope"];
  readonly enabledError: string | undefined;
  readonly retentionDaysError: string | undefined;
  readonly scopeError: string | undefined;
}) {
  const helpId = useId();
  return (
    <FormSection
      id="long-term-memory"
      title="Long-term memory"
      intro="Remembers each end user across conversations: facts and preferences they state (their name, where they live, the language they prefer) and what the agent committed to, each with the message it came from. Relevant memories go with each question as evidence the answer cites, like a passage, and answers are checked against what the agent told the same person before."
    >
      <Box>
        <FormControlLabel
          control={
            <Switch
              checked={enabled}
              onChange={(event) => onChange({ longTermMemory: event.target.checked })}
              disabled={readOnly}
              slotProps={{ input: { "aria-describedby": helpId } }}
            />
          }
          label="Remember end users"
        />
        <FormHelperText id={helpId} error={enabledError !== undefined} sx={{ mt: 0 }}>
          {enabledError ??
            "End users can say “forget that” and the agent forgets what it last remembered. You can read, correct and delete memories on each end user's page (Conversations › End users); erasing an end user's data removes them too."}
        </FormHelperText>
      </Box>
      {/* Editable while memory is off (kept for when it is turned on): a disabled field's grey helper text
          fails the contrast check. */}
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }}>
        <TextField
          label="Keep memories for (days)"
          value={retentionDays}
          onChange={(event) => onChange({ memoryRetentionDays: event.target.value })}
          error={retentionDaysError !== undefined}
          helperText={retentionDaysError ?? `From 1 to 3,650 days; older memories are deleted.`}
          disabled={readOnly}
          sx={{ maxWidth: 280 }}
          slotProps={{ htmlInput: { inputMode: "numeric", pattern: "[0-9]*" } }}
        />
        <TextField
          select
          label="Who recalls them"
          value={scope}
          onChange={(event) =>
            onChange({ memoryScope: event.target.value === "workspace" ? "workspace" : "agent" })
          }
          error={scopeError !== undefined}
          helperText={
            scopeError ??
            (scope === "workspace"
              ? "Shared with every agent of the workspace whose memory is also shared."
              : "Only this agent recalls what it learns.")
          }
          disabled={readOnly}
          sx={{ minWidth: 260, flex: 1, maxWidth: 420 }}
        >
          <MenuItem value="agent">This agent only</MenuItem>
          <MenuItem value="workspace">The whole workspace</MenuItem>
        </TextField>
      </Box>
    </FormSection>
  );
});

const GuardrailsSection = memo(function GuardrailsSection({
  blockedTopics,
  redactPii,
  blockedTopicsError,
  redactPiiError,
  onChange,
  readOnly,
}: SectionProps & {
  readonly blockedTopics: readonly string[];
  readonly redactPii: boolean;
  readonly blockedTopicsError: string | undefined;
  readonly redactPiiError: string | undefined;
}) {
  const helpId = useId();
  return (
    <FormSection id="guardrails" title="Guardrails">
      <BlockedTopicsField
        value={blockedTopics}
        onChange={(next) => onChange({ blockedTopics: next })}
        disabled={readOnly}
        error={blockedTopicsError}
      />
      <Box>
        <FormControlLabel
          control={
            <Switch
              checked={redactPii}
              onChange={(event) => onChange({ redactPii: event.target.checked })}
              disabled={readOnly}
              slotProps={{ input: { "aria-describedby": helpId } }}
            />
          }
          label="Redact personal data"
        />
        <FormHelperText id={helpId} error={redactPiiError !== undefined} sx={{ mt: 0 }}>
          {redactPiiError ??
            "Removes emails, phone and card numbers and the like from traces and logs of this agent's conversations."}
        </FormHelperText>
      </Box>
    </FormSection>
  );
});

const formatTemperature = (v: number) => v.toFixed(1);
const formatProbability = (v: number) => v.toFixed(2);
const formatMessages = (v: number) => (v === 1 ? "1 message" : `${v} messages`);
const formatTokens = (v: number) => `${count(v)} tokens`;

function FormSection({
  id,
  title,
  intro,
  children,
}: {
  readonly id: string;
  readonly title: string;
  readonly intro?: string;
  readonly children: ReactNode;
}) {
  const headingId = `builder-${id}-heading`;
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} sx={{ mb: intro === undefined ? 1.5 : 0.75 }}>
        {title}
      </Typography>
      {intro && (
        <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
          {intro}
        </Typography>
      )}
      {/* The top padding leaves room for a first field's floating label. */}
      <Stack spacing={2.5} sx={{ pt: 0.5 }}>
        {children}
      </Stack>
    </Paper>
  );
}
