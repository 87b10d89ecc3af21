import { useState } from "react";
import {
  Alert,
  Box,
  Button,
  Checkbox,
  FormControlLabel,
  ListItemText,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import {
  experimentLimits,
  experimentMetricLabels,
  experimentMetrics,
  type ExperimentMetric,
} from "../../data/experiments";
import { useAgentOptions, useAgents, useAgentVersions, useKnowledgeBases } from "../../data/hooks/agents";
import { useTunedModels } from "../../data/hooks/evaluations";
import { usePrompts } from "../../data/hooks/prompts";
import type { PlatformRequestError } from "../../data/platform";
import { sortedLabels, type PromptTemplate } from "../../data/prompts";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import {
  draftProblems,
  inputOf,
  keepModel,
  newExperimentDraft,
  platformDefaultModel,
  withoutVariant,
  withVariant,
  type ExperimentDraft,
  type VariantDraft,
} from "./experimentForm";

interface ExperimentFormProps {
  readonly initialAgentId?: string;
  /** Creates the experiment; what it throws is shown on the fields it names. */
  readonly onCreate: (input: ReturnType<typeof inputOf>) => Promise<void>;
  readonly onCancel: () => void;
}

/** The platform's field issues as the form's keys (`variants.0.share`). */
function refusalFields(error: PlatformRequestError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) fields[issue.path] = issue.message;
  return fields;
}

/**
 * A new experiment on one agent: its name, the metric it is decided on, and 2–5 variants, each a share of the
 * traffic and what it changes (a prompt label or version, the model, the temperature, the knowledge bases, a
 * published agent version). The first variant is the baseline the others are tested against.
 */
export function ExperimentForm({ initialAgentId, onCreate, onCancel }: ExperimentFormProps) {
  const [draft, setDraft] = useState<ExperimentDraft>(() => newExperimentDraft(initialAgentId));
  const [showProblems, setShowProblems] = useState(false);
  const [refused, setRefused] = useState<Record<string, string>>({});
  const creating = useMutation<"create">();
  const agents = useAgents({ includeArchived: false });
  const prompts = usePrompts();
  const options = useAgentOptions();
  const knowledgeBases = useKnowledgeBases();
  // A workspace's fine-tuned models can be A/B tested against the base model.
  const tuned = useTunedModels();
  const problems = draftProblems(draft);
  const errors = { ...(showProblems ? problems : {}), ...refused };

  const update = (next: ExperimentDraft) => {
    setDraft(next);
    setRefused({});
    creating.dismiss("create");
  };
  const changeVariant = (index: number, patch: Partial<VariantDraft>) =>
    update({ ...draft, variants: draft.variants.map((v, i) => (i === index ? { ...v, ...patch } : v)) });

  const submit = async () => {
    setShowProblems(true);
    if (Object.keys(problems).length > 0) return;
    await creating.run("create", () => onCreate(inputOf(draft)), {
      onFailure: (error) => {
        const fields = refusalFields(error);
        setRefused(fields);
        return false;
      },
    });
  };

  const failure = creating.error("create");
  return (
    <Stack
      component="form"
      noValidate
      spacing={3}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      <Paper sx={{ p: { xs: 2, sm: 3 } }} component="section" aria-labelledby="experiment-basics-heading">
        <Typography variant="h2" id="experiment-basics-heading" gutterBottom>
          The experiment
        </Typography>
        <Stack spacing={2.5}>
          <TextField
            select
            label="Agent"
            value={draft.agentId}
            onChange={(event) => update({ ...draft, agentId: event.target.value })}
            error={errors.agentId !== undefined}
            helperText={
              errors.agentId ??
              (agents.error
                ? "The agents could not be listed."
                : "Its published version's live traffic is split.")
            }
            required
            sx={{ maxWidth: 480 }}
          >
            {(agents.data ?? []).map((agent) => (
              <MenuItem key={agent.id} value={agent.id}>
                {agent.name}
                {agent.publishedVersion === null ? " (not published)" : ""}
              </MenuItem>
            ))}
            {draft.agentId !== "" && !agents.data?.some((a) => a.id === draft.agentId) && (
              <MenuItem value={draft.agentId}>{draft.agentId}</MenuItem>
            )}
          </TextField>
          <TextField
            label="Name"
            value={draft.name}
            onChange={(event) => update({ ...draft, name: event.target.value })}
            error={errors.name !== undefined}
            helperText={errors.name ?? "E.g. “Shorter instructions” or “gpt-4o-mini vs. default”."}
            required
            slotProps={{ htmlInput: { maxLength: experimentLimits.name } }}
          />
          <TextField
            label="Description (optional)"
            value={draft.description}
            onChange={(event) => update({ ...draft, description: event.target.value })}
            helperText="What you expect to learn."
            multiline
            minRows={2}
            slotProps={{ htmlInput: { maxLength: experimentLimits.description } }}
          />
          <TextField
            select
            label="Decided on"
            value={draft.metric}
            onChange={(event) => update({ ...draft, metric: event.target.value as ExperimentMetric })}
            helperText="Every metric is measured; significance decides the winner on this one."
            sx={{ maxWidth: 480 }}
          >
            {experimentMetrics.map((metric) => (
              <MenuItem key={metric} value={metric}>
                {experimentMetricLabels[metric]}
              </MenuItem>
            ))}
          </TextField>
        </Stack>
      </Paper>

      <Paper sx={{ p: { xs: 2, sm: 3 } }} component="section" aria-labelledby="experiment-variants-heading">
        <Typography variant="h2" id="experiment-variants-heading" gutterBottom>
          Variants
        </Typography>
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          Each end user always gets the same variant. The first variant is the baseline the others are
          compared with; leave its changes empty to compare with the agent as it is. Shares cannot change once
          the experiment starts.
        </Typography>
        <Stack spacing={2}>
          {draft.variants.map((variant, index) => (
            <VariantFields
              key={variant.key}
              index={index}
              variant={variant}
              agentId={draft.agentId}
              errors={errors}
              prompts={prompts.data ?? []}
              models={[
                ...new Set([
                  ...(options.data?.models?.allowed ?? []),
                  ...(tuned.data ?? []).map((m) => m.name),
                ]),
              ]}
              defaultModel={options.data?.models?.default.label}
              knowledgeBases={knowledgeBases.data?.available ? knowledgeBases.data.knowledgeBases : []}
              canRemove={draft.variants.length > experimentLimits.minVariants}
              onChange={(patch) => changeVariant(index, patch)}
              onRemove={() => update(withoutVariant(draft, index))}
            />
          ))}
          {errors.shares && (
            <Alert severity="error" role="alert">
              {errors.shares}
            </Alert>
          )}
          {errors.variants && <Alert severity="error">{errors.variants}</Alert>}
          <Box>
            <Button
              onClick={() => update(withVariant(draft))}
              disabled={draft.variants.length >= experimentLimits.maxVariants}
            >
              Add a variant ({draft.variants.length} of {experimentLimits.maxVariants})
            </Button>
          </Box>
        </Stack>
      </Paper>

      {showProblems && Object.keys(problems).length > 0 && (
        <Alert severity="error">
          The experiment cannot be created yet:{" "}
          {Object.keys(problems).length === 1
            ? "one field needs"
            : `${Object.keys(problems).length} fields need`}{" "}
          a change. They are marked above.
        </Alert>
      )}
      {failure && <FormErrorAlert title="The experiment was not created" error={failure} />}
      <Box sx={{ display: "flex", gap: 1 }}>
        <Button type="submit" variant="contained">
          {creating.busy ? "Creating…" : "Create experiment"}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </Box>
      <Typography variant="body2" color="text.secondary">
        It is created as a draft: nothing changes for end users until you start it.
      </Typography>
    </Stack>
  );
}

interface VariantFieldsProps {
  readonly index: number;
  readonly variant: VariantDraft;
  readonly agentId: string;
  readonly errors: Readonly<Record<string, string>>;
  readonly prompts: readonly PromptTemplate[];
  readonly models: readonly string[];
  readonly defaultModel: string | undefined;
  readonly knowledgeBases: readonly { readonly id: string; readonly name: string }[];
  readonly canRemove: boolean;
  readonly onChange: (patch: Partial<VariantDraft>) => void;
  readonly onRemove: () => void;
}

function VariantFields({
  index,
  variant,
  agentId,
  errors,
  prompts,
  models,
  defaultModel,
  knowledgeBases,
  canRemove,
  onChange,
  onRemove,
}: VariantFieldsProps) {
  const at = (field: string) => errors[`variants.${index}.${field}`];
  const title = `Variant ${index + 1}${index === 0 ? " (baseline)" : ""}`;
  const template = prompts.find((p) => p.id === variant.promptTemplateId);
  return (
    <Paper component="fieldset" variant="outlined" sx={{ p: 2, m: 0, minWidth: 0 }}>
      <Typography variant="h3" component="legend" sx={{ px: 0.5 }}>
        {title}
      </Typography>
      <Box
        sx={{
          display: "grid",
          gap: 2,
          mt: 1,
          gridTemplateColumns: {
            xs: "minmax(0, 1fr)",
            sm: "repeat(2, minmax(0, 1fr))",
            md: "repeat(3, minmax(0, 1fr))",
          },
        }}
      >
        <TextField
          size="small"
          label="Variant name"
          value={variant.name}
          onChange={(event) => onChange({ name: event.target.value })}
          error={at("name") !== undefined}
          helperText={at("name")}
          required
        />
        <TextField
          size="small"
          label="Share of traffic (%)"
          value={variant.sharePercent}
          onChange={(event) => onChange({ sharePercent: event.target.value })}
          error={at("share") !== undefined}
          helperText={at("share") ?? "The shares add up to 100."}
          required
          slotProps={{ htmlInput: { inputMode: "decimal" } }}
        />
        <AgentVersionField
          agentId={agentId}
          value={variant.agentVersion}
          error={at("overrides.agentVersion")}
          onChange={(agentVersion) => onChange({ agentVersion })}
        />
        <TextField
          select
          size="small"
          label="Prompt"
          value={variant.promptMode}
          onChange={(event) => onChange({ promptMode: event.target.value as VariantDraft["promptMode"] })}
          helperText="Use a prompt template's label or version as the instructions."
        >
          <MenuItem value="keep">The agent's own</MenuItem>
          <MenuItem value="label">A template at a label</MenuItem>
          <MenuItem value="version">A template at a version</MenuItem>
        </TextField>
        {variant.promptMode !== "keep" && (
          <TextField
            select
            size="small"
            label="Template"
            value={variant.promptTemplateId}
            onChange={(event) => onChange({ promptTemplateId: event.target.value, promptVersion: "" })}
            error={at("overrides.prompt.templateId") !== undefined || at("overrides.prompt") !== undefined}
            helperText={
              at("overrides.prompt.templateId") ??
              at("overrides.prompt") ??
              (prompts.length === 0 ? "No templates yet: create one on the Prompts page." : undefined)
            }
          >
            {prompts.map((p) => (
              <MenuItem key={p.id} value={p.id}>
                {p.name}
              </MenuItem>
            ))}
          </TextField>
        )}
        {variant.promptMode === "label" && (
          <TextField
            select
            size="small"
            label="Label"
            value={variant.promptLabel}
            onChange={(event) => onChange({ promptLabel: event.target.value })}
            error={at("overrides.prompt.label") !== undefined}
            helperText={
              at("overrides.prompt.label") ?? "Fixed to the label's version when the experiment starts."
            }
          >
            {(template ? sortedLabels(template.labels) : [["production", 0] as [string, number]]).map(
              ([label, v]) => (
                <MenuItem key={label} value={label}>
                  {v > 0 ? `${label} (version ${v})` : label}
                </MenuItem>
              ),
            )}
          </TextField>
        )}
        {variant.promptMode === "version" && (
          <TextField
            select
            size="small"
            label="Version"
            value={variant.promptVersion}
            onChange={(event) => onChange({ promptVersion: event.target.value })}
            error={at("overrides.prompt.version") !== undefined}
            helperText={at("overrides.prompt.version")}
          >
            {Array.from(
              { length: template?.latestVersion ?? 0 },
              (_, i) => (template?.latestVersion ?? 0) - i,
            ).map((v) => (
              <MenuItem key={v} value={String(v)}>
                Version {v}
              </MenuItem>
            ))}
          </TextField>
        )}
        <TextField
          select
          size="small"
          label="Model"
          value={variant.modelName}
          onChange={(event) => onChange({ modelName: event.target.value })}
          error={at("overrides.modelName") !== undefined}
          helperText={at("overrides.modelName")}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
        >
          <MenuItem value={keepModel}>The agent's</MenuItem>
          <MenuItem value={platformDefaultModel}>
            Platform default{defaultModel ? ` (${defaultModel})` : ""}
          </MenuItem>
          {models.map((m) => (
            <MenuItem key={m} value={m}>
              {m}
            </MenuItem>
          ))}
        </TextField>
        <TextField
          size="small"
          label="Temperature"
          value={variant.temperature}
          onChange={(event) => onChange({ temperature: event.target.value })}
          error={at("overrides.temperature") !== undefined}
          helperText={at("overrides.temperature") ?? "0 to 2; empty: the agent's."}
          slotProps={{ htmlInput: { inputMode: "decimal" } }}
        />
        <Box sx={{ gridColumn: { md: "span 2" } }}>
          <FormControlLabel
            control={
              <Checkbox
                checked={variant.replaceKnowledge}
                onChange={(event) => onChange({ replaceKnowledge: event.target.checked })}
              />
            }
            label="Use other knowledge bases"
          />
          {variant.replaceKnowledge && (
            <TextField
              select
              size="small"
              fullWidth
              label="Knowledge bases"
              value={[...variant.knowledgeBaseIds]}
              onChange={(event) => {
                const value = event.target.value as unknown;
                onChange({
                  knowledgeBaseIds: Array.isArray(value) ? (value as string[]) : String(value).split(","),
                });
              }}
              error={at("overrides.knowledgeBaseIds") !== undefined}
              helperText={
                at("overrides.knowledgeBaseIds") ?? "None chosen: the variant answers without knowledge."
              }
              slotProps={{
                select: {
                  multiple: true,
                  renderValue: (selected) =>
                    (selected as string[])
                      .map((id) => knowledgeBases.find((k) => k.id === id)?.name ?? id)
                      .join(", "),
                },
              }}
            >
              {knowledgeBases.map((kb) => (
                <MenuItem key={kb.id} value={kb.id}>
                  <Checkbox checked={variant.knowledgeBaseIds.includes(kb.id)} size="small" />
                  <ListItemText primary={kb.name} />
                </MenuItem>
              ))}
            </TextField>
          )}
        </Box>
        {canRemove && (
          <Box sx={{ alignSelf: "center" }}>
            <Button color="error" onClick={onRemove} aria-label={`Remove ${title.toLowerCase()}`}>
              Remove variant
            </Button>
          </Box>
        )}
      </Box>
    </Paper>
  );
}

interface AgentVersionFieldProps {
  readonly agentId: string;
  readonly value: string;
  readonly error: string | undefined;
  readonly onChange: (value: string) => void;
}

function AgentVersionField(props: AgentVersionFieldProps) {
  // No agent chosen yet: nothing to list, and nothing asked of the platform.
  return props.agentId === "" ? (
    <AgentVersionSelect {...props} versions={[]} />
  ) : (
    <ListedAgentVersions {...props} />
  );
}

function ListedAgentVersions(props: AgentVersionFieldProps) {
  const versions = useAgentVersions(props.agentId);
  return <AgentVersionSelect {...props} versions={versions.data ?? []} />;
}

function AgentVersionSelect({
  value,
  error,
  onChange,
  versions,
}: AgentVersionFieldProps & {
  readonly versions: readonly { readonly version: number; readonly note: string }[];
}) {
  return (
    <TextField
      select
      size="small"
      label="Agent version"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      error={error !== undefined}
      helperText={error ?? "The served version, or an earlier one."}
      slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
    >
      <MenuItem value="">The served version</MenuItem>
      {versions.map((v) => (
        <MenuItem key={v.version} value={String(v.version)}>
          Version {v.version}
          {v.note ? ` — ${v.note}` : ""}
        </MenuItem>
      ))}
      {value !== "" && !versions.some((v) => String(v.version) === value) && (
        <MenuItem value={value}>Version {value}</MenuItem>
      )}
    </TextField>
  );
}
