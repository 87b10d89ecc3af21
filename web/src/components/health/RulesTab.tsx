import { useId, useState } from "react";
import {
  Box,
  Button,
  Chip,
  Paper,
  Stack,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { Agent } from "../../data/agents";
import { useAgents } from "../../data/hooks/agents";
import { useAlertRules, useNotificationChannels } from "../../data/hooks/monitor";
import type { AlertRule, AlertRuleInput } from "../../data/monitor";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { ConfirmDialog } from "../ConfirmDialog";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { channelLabel } from "../shared/format";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "../settings/SectionLoadError";
import { compactCells, visuallyHidden } from "../shared/tableStyles";
import { useRemoteUpdate } from "../settings/useRemoteUpdate";
import { describeCondition, formatMinutes, ruleStatePresentation, severityPresentation } from "./format";
import { PresentationChip } from "./PresentationChip";
import { ProbesPanel } from "./ProbesPanel";
import { RuleEditorDialog } from "./RuleEditorDialog";

type RuleAction = "save" | "delete" | `enable:${string}`;

/** A rule in one sentence: "Error rate above 5% over 10 min, for 5 min · HR assistant". */
export function describeRule(rule: AlertRuleInput, agents: readonly Agent[] | undefined): string {
  const scope = [
    rule.filter.agentId && (agents?.find((a) => a.id === rule.filter.agentId)?.name ?? rule.filter.agentId),
    rule.filter.channel && channelLabel(rule.filter.channel),
    rule.filter.route,
  ].filter(Boolean);
  return (
    `${describeCondition(rule.metric, rule.condition)} over ${formatMinutes(rule.windowMinutes)}` +
    (rule.forMinutes > 0 ? `, for ${formatMinutes(rule.forMinutes)}` : "") +
    (scope.length > 0 ? ` · ${scope.join(" · ")}` : "")
  );
}

/** `/monitor/rules`: the alert rules, with an editor that previews a rule on the last 7 days; then probes. */
export function RulesTab({ canManage }: { readonly canManage: boolean }) {
  const headingId = useId();
  const emptyHeadingId = useId();
  const studio = useStudio();
  const rules = useAlertRules();
  const update = useRemoteUpdate(rules);
  const agents = useAgents({ includeArchived: false });
  const channels = useNotificationChannels();
  const changes = useMutation<RuleAction>();
  const [editing, setEditing] = useState<{ readonly rule: AlertRule | undefined } | undefined>(undefined);
  const [deleting, setDeleting] = useState<AlertRule | undefined>(undefined);

  const openEditor = (rule: AlertRule | undefined) => {
    changes.dismiss("save");
    setEditing({ rule });
  };

  const save = (input: AlertRuleInput) => {
    const rule = editing?.rule;
    void changes.run("save", async () => {
      if (rule) {
        const saved = await studio.updateAlertRule(rule.id, input);
        update((list) => list.map((r) => (r.id === saved.id ? saved : r)));
        setEditing(undefined);
        return `${saved.name} is saved.`;
      }
      const created = await studio.createAlertRule(input);
      update((list) => [...list, created]);
      setEditing(undefined);
      return `${created.name} is created${created.enabled ? " and watching" : ", disabled"}.`;
    });
  };

  const setEnabled = (rule: AlertRule, enabled: boolean) =>
    void changes.run(`enable:${rule.id}`, async () => {
      const saved = await studio.updateAlertRule(rule.id, { enabled });
      update((list) => list.map((r) => (r.id === saved.id ? saved : r)));
      return `${saved.name} is ${saved.enabled ? "enabled" : "disabled"}.`;
    });

  const remove = () => {
    const rule = deleting;
    if (!rule) return;
    void changes.run("delete", async () => {
      await studio.deleteAlertRule(rule.id);
      update((list) => list.filter((r) => r.id !== rule.id));
      setDeleting(undefined);
      return `${rule.name} is deleted.`;
    });
  };

  const list = rules.data;
  const enableErrors = (list ?? []).flatMap((rule) => {
    const error = changes.error(`enable:${rule.id}`);
    return error ? [{ rule, error }] : [];
  });

  return (
    <Stack spacing={5}>
      <Stack component="section" aria-labelledby={headingId} spacing={2}>
        <SectionHeader
          id={headingId}
          title="Alert rules"
          description="A rule watches a metric and opens an incident when its condition holds, then notifies the channels it names."
          action={
            canManage && list && list.length > 0 ? (
              <Button variant="contained" onClick={() => openEditor(undefined)}>
                New rule
              </Button>
            ) : undefined
          }
        />
        {!list &&
          (rules.error ? (
            <SectionLoadError error={rules.error} onRetry={rules.retry} retrying={rules.pending} />
          ) : (
            <PageLoading label="Loading alert rules…" />
          ))}
        {list && list.length === 0 && (
          <Paper
            component="section"
            aria-labelledby={emptyHeadingId}
            sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
          >
            <Typography variant="h3" id={emptyHeadingId} gutterBottom>
              No alert rules yet
            </Typography>
            <Typography color="text.secondary" sx={{ maxWidth: 520, mx: "auto", mb: canManage ? 3 : 0 }}>
              Without rules nothing is watched: write one for what would hurt your users, such as an error
              rate above 5% or answers slower than 10 seconds.
            </Typography>
            {canManage && (
              <Button variant="contained" size="large" onClick={() => openEditor(undefined)}>
                New rule
              </Button>
            )}
          </Paper>
        )}
        {list && list.length > 0 && (
          <TableContainer component={Paper}>
            <Table aria-labelledby={headingId} sx={compactCells}>
              <TableHead>
                <TableRow>
                  <TableCell>Rule</TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Severity</TableCell>
                  <TableCell>State</TableCell>
                  <TableCell>Enabled</TableCell>
                  {canManage && (
                    <TableCell align="right">
                      <span style={visuallyHidden}>Actions</span>
                    </TableCell>
                  )}
                </TableRow>
              </TableHead>
              <TableBody>
                {list.map((rule) => (
                  <TableRow key={rule.id}>
                    <TableCell sx={{ overflowWrap: "anywhere" }}>
                      <Box sx={{ fontWeight: 600 }}>
                        {rule.name}{" "}
                        {rule.builtIn && (
                          <Chip label="Built in" size="small" variant="outlined" sx={{ ml: 0.5 }} />
                        )}
                      </Box>
                      <Typography variant="body2" color="text.secondary">
                        {describeRule(rule, agents.data)}
                      </Typography>
                    </TableCell>
                    <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                      <PresentationChip presentation={severityPresentation[rule.severity]} />
                    </TableCell>
                    <TableCell>
                      {rule.state ? (
                        <PresentationChip presentation={ruleStatePresentation[rule.state.state]} />
                      ) : (
                        <Typography variant="body2" color="text.secondary">
                          Not checked yet
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell>
                      <Switch
                        checked={rule.enabled}
                        disabled={!canManage}
                        slotProps={{ input: { "aria-label": `Enabled: ${rule.name}` } }}
                        onChange={(event) => setEnabled(rule, event.target.checked)}
                      />
                    </TableCell>
                    {canManage && (
                      <TableCell align="right">
                        <Stack
                          direction={{ xs: "column", sm: "row" }}
                          spacing={1}
                          sx={{ justifyContent: "flex-end" }}
                        >
                          <Button
                            size="small"
                            aria-label={`Edit ${rule.name}`}
                            onClick={() => openEditor(rule)}
                          >
                            Edit
                          </Button>
                          <Button
                            size="small"
                            color="error"
                            aria-label={`Delete ${rule.name}`}
                            onClick={() => {
                              changes.dismiss("delete");
                              setDeleting(rule);
                            }}
                          >
                            Delete
                          </Button>
                        </Stack>
                      </TableCell>
                    )}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        )}
        {enableErrors.map(({ rule, error }) => (
          <FormErrorAlert key={rule.id} title={`${rule.name} did not change`} error={error} />
        ))}
        <Typography role="status" color="text.secondary">
          {changes.announcement}
        </Typography>
      </Stack>

      <ProbesPanel canManage={canManage} agents={agents} />

      {editing && (
        <RuleEditorDialog
          rule={editing.rule}
          agents={agents.data}
          channels={channels.data}
          pending={changes.busy === "save"}
          error={changes.error("save")}
          onSave={save}
          onCancel={() => setEditing(undefined)}
        />
      )}
      <ConfirmDialog
        open={deleting !== undefined}
        title={`Delete ${deleting?.name ?? "this rule"}?`}
        confirmLabel="Delete rule"
        destructive
        pending={changes.busy === "delete"}
        error={changes.error("delete")}
        errorTitle="Not deleted"
        onConfirm={remove}
        onCancel={() => setDeleting(undefined)}
      >
        {deleting?.builtIn
          ? "It came with the platform, and nothing brings it back once deleted: disable it instead to keep it for later."
          : "It stops watching at once. Its past incidents stay."}
      </ConfirmDialog>
    </Stack>
  );
}
