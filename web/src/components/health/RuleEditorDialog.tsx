import { useId, useState, type FormEvent, type ReactNode } from "react";
import {
  Box,
  Button,
  Checkbox,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormGroup,
  FormHelperText,
  FormLabel,
  InputAdornment,
  Stack,
  Switch,
  TextField,
  Typography,
} from "@mui/material";
import { agentChannels, type Agent } from "../../data/agents";
import {
  comparisons,
  severities,
  type AlertRule,
  type AlertRuleInput,
  type ConditionType,
  type NotificationChannel,
} from "../../data/monitor";
import type { PlatformRequestError } from "../../data/platform";
import { channelLabel } from "../shared/format";
import { FormErrorAlert } from "../FormErrorAlert";
import { comparisonLabels, metricLabel, severityPresentation, thresholdUnit } from "./format";
import {
  conditionTypesFor,
  newRuleForm,
  readRuleForm,
  ruleFormOf,
  withMetric,
  workspaceMetrics,
  type RuleForm,
  type RuleFormField,
  type RuleTextField,
} from "./ruleForm";
import { RulePreviewPanel } from "./RulePreviewPanel";

const conditionLabels: Record<ConditionType, string> = {
  threshold: "crosses a threshold",
  change: "changes against the window before",
  absent: "has no data at all",
};

const unitAdornment = (unit: string) =>
  unit ? { input: { endAdornment: <InputAdornment position="end">{unit}</InputAdornment> } } : {};

/** Fields side by side on wide screens, one under the other on phones. */
function FieldRow({ columns = 2, children }: { readonly columns?: 2 | 3; readonly children: ReactNode }) {
  return (
    <Box
      sx={{
        display: "grid",
        gap: 2,
        gridTemplateColumns: { xs: "minmax(0, 1fr)", sm: `repeat(${columns}, minmax(0, 1fr))` },
      }}
    >
      {children}
    </Box>
  );
}

interface RuleEditorDialogProps {
  /** The rule to edit; none for a new one. */
  readonly rule: AlertRule | undefined;
  readonly agents: readonly Agent[] | undefined;
  /** The workspace's notification channels, to pick from; `undefined` while they load. */
  readonly channels: readonly NotificationChannel[] | undefined;
  readonly pending: boolean;
  readonly error: PlatformRequestError | undefined;
  readonly onSave: (input: AlertRuleInput) => void;
  readonly onCancel: () => void;
}

/**
 * Writes an alert rule: what to watch, of which agent, when it fires, how loudly and where it notifies. How
 * often the rule would have fired over the last 7 days shows beside it as it is typed.
 */
export function RuleEditorDialog({
  rule,
  agents,
  channels,
  pending,
  error,
  onSave,
  onCancel,
}: RuleEditorDialogProps) {
  const titleId = useId();
  const channelsLabelId = useId();
  const [form, setForm] = useState<RuleForm>(() => (rule ? ruleFormOf(rule) : newRuleForm));
  const [tried, setTried] = useState(false);
  const { input, problems } = readRuleForm(form);
  // The preview needs no name: it is computed before there is one.
  const previewInput = readRuleForm({ ...form, name: form.name.trim() || "Preview" }).input;
  const problem = (key: RuleFormField) => (tried ? problems[key] : undefined);
  const text = (key: RuleTextField) => ({
    value: form[key],
    onChange: (event: { readonly target: { readonly value: string } }) =>
      setForm((current) => ({ ...current, [key]: event.target.value })),
    error: problem(key) !== undefined,
    fullWidth: true,
  });
  const native = { select: { native: true } } as const;
  /** A select of fixed options: only one of them is ever set. */
  const pick = <K extends "conditionType" | "op" | "severity">(key: K, options: readonly RuleForm[K][]) => ({
    value: form[key],
    onChange: (event: { readonly target: { readonly value: string } }) => {
      const value = options.find((o) => o === event.target.value);
      if (value !== undefined) setForm((current) => ({ ...current, [key]: value }));
    },
    error: problem(key) !== undefined,
    fullWidth: true,
  });

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTried(true);
    if (input && !pending) onSave(input);
  };

  const conditionTypes = conditionTypesFor(form.metric);
  const toggleChannel = (id: string, on: boolean) =>
    setForm((current) => ({
      ...current,
      channels: on ? [...current.channels, id] : current.channels.filter((c) => c !== id),
    }));
  const unknownChannels = form.channels.filter((id) => channels && !channels.some((c) => c.id === id));

  return (
    <Dialog open onClose={onCancel} aria-labelledby={titleId} maxWidth="md" fullWidth>
      <Stack component="form" noValidate onSubmit={submit}>
        <DialogTitle id={titleId}>{rule ? `Edit ${rule.name}` : "New alert rule"}</DialogTitle>
        <DialogContent>
          <Box
            sx={{
              display: "grid",
              gap: 3,
              gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "minmax(0, 3fr) minmax(0, 2fr)" },
              alignItems: "start",
              pt: 1,
            }}
          >
            <Stack spacing={2.5}>
              <TextField
                label="Name"
                required
                autoFocus
                {...text("name")}
                helperText={problem("name") ?? "What notifications call it, e.g. “HR assistant errors”."}
              />
              <FieldRow>
                <TextField
                  select
                  label="Watch"
                  slotProps={native}
                  value={form.metric}
                  fullWidth
                  onChange={(event) => {
                    const metric = workspaceMetrics.find((m) => m === event.target.value);
                    if (metric) setForm((current) => withMetric(current, metric));
                  }}
                >
                  {workspaceMetrics.map((metric) => (
                    <option key={metric} value={metric}>
                      {metricLabel(metric)}
                    </option>
                  ))}
                </TextField>
                <TextField select label="Of" slotProps={native} {...text("agentId")}>
                  <option value="">All agents</option>
                  {(agents ?? []).map((agent) => (
                    <option key={agent.id} value={agent.id}>
                      {agent.name}
                    </option>
                  ))}
                  {form.agentId !== "" && !agents?.some((a) => a.id === form.agentId) && (
                    <option value={form.agentId}>{form.agentId}</option>
                  )}
                </TextField>
                <TextField select label="On channel" slotProps={native} {...text("channel")}>
                  <option value="">Every channel</option>
                  {agentChannels.map((channel) => (
                    <option key={channel} value={channel}>
                      {channelLabel(channel)}
                    </option>
                  ))}
                  {form.channel !== "" && !(agentChannels as readonly string[]).includes(form.channel) && (
                    <option value={form.channel}>{form.channel}</option>
                  )}
                </TextField>
                <TextField
                  label="API route (optional)"
                  {...text("route")}
                  helperText="Counts API requests to this route instead of turns; * for every route."
                />
              </FieldRow>

              <Typography variant="h3" component="h3">
                Fire when {metricLabel(form.metric).toLowerCase()}
              </Typography>
              <FieldRow>
                <TextField
                  select
                  label="Condition"
                  slotProps={native}
                  {...pick("conditionType", conditionTypes)}
                  helperText={problem("conditionType")}
                >
                  {conditionTypes.map((type) => (
                    <option key={type} value={type}>
                      {conditionLabels[type]}
                    </option>
                  ))}
                </TextField>
                {form.conditionType === "change" && (
                  <TextField
                    label="At least"
                    {...text("factor")}
                    helperText={problem("factor") ?? "Times the window before: 2 is doubled."}
                    slotProps={{ ...unitAdornment("×"), htmlInput: { inputMode: "decimal" } }}
                  />
                )}
              </FieldRow>
              {form.conditionType === "threshold" && (
                <FieldRow>
                  <TextField select label="Comparison" slotProps={native} {...pick("op", comparisons)}>
                    {comparisons.map((op) => (
                      <option key={op} value={op}>
                        {comparisonLabels[op]}
                      </option>
                    ))}
                  </TextField>
                  <TextField
                    label="Threshold"
                    {...text("threshold")}
                    helperText={problem("threshold")}
                    slotProps={{
                      ...unitAdornment(thresholdUnit(form.metric)),
                      htmlInput: { inputMode: "decimal" },
                    }}
                  />
                </FieldRow>
              )}
              <FieldRow columns={3}>
                <TextField
                  label="Over"
                  {...text("windowMinutes")}
                  helperText={problem("windowMinutes") ?? "Minutes of data each check reads."}
                  slotProps={{ ...unitAdornment("min"), htmlInput: { inputMode: "numeric" } }}
                />
                <TextField
                  label="For"
                  {...text("forMinutes")}
                  helperText={problem("forMinutes") ?? "Minutes it must hold before firing."}
                  slotProps={{ ...unitAdornment("min"), htmlInput: { inputMode: "numeric" } }}
                />
                <TextField
                  label="Minimum samples"
                  {...text("minSamples")}
                  helperText={problem("minSamples") ?? "Fewer in the window: not judged."}
                  slotProps={{ htmlInput: { inputMode: "numeric" } }}
                />
              </FieldRow>

              <Typography variant="h3" component="h3">
                Notify
              </Typography>
              <FieldRow>
                <TextField select label="Severity" slotProps={native} {...pick("severity", severities)}>
                  {severities.map((severity) => (
                    <option key={severity} value={severity}>
                      {severityPresentation[severity].label}
                    </option>
                  ))}
                </TextField>
                <TextField
                  label="Notify again every"
                  {...text("renotifyMinutes")}
                  helperText={problem("renotifyMinutes") ?? "Until acknowledged; 0: once."}
                  slotProps={{ ...unitAdornment("min"), htmlInput: { inputMode: "numeric" } }}
                />
              </FieldRow>
              <FormControl component="fieldset" error={problem("channels") !== undefined}>
                <FormLabel component="legend" id={channelsLabelId}>
                  Channels
                </FormLabel>
                {channels === undefined ? (
                  <FormHelperText>Loading the notification channels…</FormHelperText>
                ) : (
                  <FormGroup>
                    {channels.map((channel) => (
                      <FormControlLabel
                        key={channel.id}
                        label={channel.name}
                        control={
                          <Checkbox
                            checked={form.channels.includes(channel.id)}
                            onChange={(event) => toggleChannel(channel.id, event.target.checked)}
                          />
                        }
                      />
                    ))}
                    {unknownChannels.map((id) => (
                      <FormControlLabel
                        key={id}
                        label={`${id} (deleted)`}
                        control={<Checkbox checked onChange={() => toggleChannel(id, false)} />}
                      />
                    ))}
                  </FormGroup>
                )}
                <FormHelperText>
                  {problem("channels") ??
                    (channels?.length === 0
                      ? "No notification channel yet: alerts go to the studio's inbox. Add channels under Notifications."
                      : "None checked: every channel of the workspace.")}
                </FormHelperText>
              </FormControl>
              <FormControlLabel
                control={
                  <Switch
                    checked={form.enabled}
                    onChange={(event) =>
                      setForm((current) => ({ ...current, enabled: event.target.checked }))
                    }
                  />
                }
                label="Enabled"
              />
            </Stack>
            <Box sx={{ position: { md: "sticky" }, top: { md: 0 } }}>
              <RulePreviewPanel input={previewInput} metric={form.metric} />
            </Box>
          </Box>
          {error && (
            <Box sx={{ mt: 2 }}>
              <FormErrorAlert title="The rule was not saved" error={error} />
            </Box>
          )}
          {tried && !input && (
            <Typography role="alert" color="error" variant="body2" sx={{ mt: 2 }}>
              Check the fields marked in red.
            </Typography>
          )}
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="contained">
            {pending ? "Saving…" : rule ? "Save rule" : "Create rule"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
