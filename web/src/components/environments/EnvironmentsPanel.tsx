import { memo, useEffect, useId, useRef, useState } from "react";
import {
  Box,
  Button,
  Chip,
  List,
  ListItem,
  MenuItem,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import type { Agent, AgentVersion } from "../../data/agents";
import {
  environmentLabel,
  type AgentEnvironment,
  type AgentEnvironments,
  type EnvironmentChange,
} from "../../data/environments";
import { useAgentEnvironments } from "../../data/hooks/environments";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import type { RemoteData } from "../../data/useRemoteData";
import { ConfirmDialog } from "../ConfirmDialog";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";

interface EnvironmentsPanelProps {
  readonly agent: Agent;
  readonly versions: RemoteData<AgentVersion[]>;
  /** The account signed in, to say "you" rather than an id. */
  readonly accountId: string;
  /** Whether promoting and rolling back are offered (editors, on an agent that is not archived). */
  readonly canChange: boolean;
  /** After a change: production's version is the agent's published version, which the page shows too. */
  readonly onChanged: (environments: AgentEnvironments) => void;
}

/** How many changes the history shows before "Show all". */
const shortHistory = 5;

/** A change waiting for its confirmation. */
type Pending =
  | { readonly kind: "promote"; readonly target: AgentEnvironment; readonly from: AgentEnvironment }
  | { readonly kind: "deploy"; readonly target: AgentEnvironment; readonly version: number }
  | { readonly kind: "rollback"; readonly target: AgentEnvironment; readonly to: number | null };

/**
 * Which version serves in each environment (development → staging → production), promoting one to the
 * next, rolling an environment back, and the history of both. Production's version is what conversations on
 * every channel get unless a key, widget or connection is tied to another environment.
 */
export const EnvironmentsPanel = memo(function EnvironmentsPanel({
  agent,
  versions,
  accountId,
  canChange,
  onChanged,
}: EnvironmentsPanelProps) {
  const headingId = useId();
  const historyHeadingId = useId();
  const studio = useStudio();
  const remote = useAgentEnvironments(agent.id);
  const changes = useMutation<"change">();
  const [pending, setPending] = useState<Pending | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const [deployVersion, setDeployVersion] = useState("");
  const [showAll, setShowAll] = useState(false);
  const { data, error } = remote;
  // Publishing (into any environment) or rolling back on this page: read the environments again.
  const { retry } = remote;
  const seen = useRef(`${agent.publishedVersion}/${agent.latestVersion}`);
  useEffect(() => {
    const now = `${agent.publishedVersion}/${agent.latestVersion}`;
    if (seen.current === now) return;
    seen.current = now;
    retry();
  }, [agent.publishedVersion, agent.latestVersion, retry]);
  const who = (by: string | null) => (by === null ? "" : by === accountId ? " by you" : ` by ${by}`);

  const ask = (next: Pending) => {
    changes.dismiss("change");
    setPending(next);
    setOpen(true);
  };

  const confirm = async () => {
    if (!pending) return;
    const p = pending;
    const done = await changes.run("change", async () => {
      const answer =
        p.kind === "promote"
          ? await studio.promoteAgentVersion(agent.id, p.target.name, { from: p.from.name })
          : p.kind === "deploy"
            ? await studio.promoteAgentVersion(agent.id, p.target.name, { version: p.version })
            : await studio.rollbackAgentEnvironment(agent.id, p.target.name);
      remote.replace(answer);
      onChanged(answer);
      const now = answer.environments.find((e) => e.name === p.target.name)?.version;
      return `${p.target.label} now serves version ${now ?? "none"}.`;
    });
    if (done) setOpen(false);
  };

  // A platform from before environments has no such route: nothing to show, and nothing went wrong.
  if (!data && error?.status === 404 && error.code === "not-found") return null;

  const environments = data?.environments ?? [];
  const published = versions.data ?? [];
  const first = environments[0];

  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        Environments
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Try a version in development and staging before production. Keys, widgets and WhatsApp numbers talk to
        one environment; production is what everyone else gets.
      </Typography>
      {error && !data && <RequestErrorAlert error={error} onRetry={remote.retry} retrying={remote.pending} />}
      {!data && !error && <PageLoading label="Loading environments…" />}
      {data && (
        <Stack spacing={2}>
          <List disablePadding aria-label="Environments">
            {environments.map((env, i) => {
              const next = environments[i + 1];
              const envHeadingId = `${headingId}-${env.name}`;
              const lastChange = data.history.find((c) => c.environment === env.name);
              const canRollBack = lastChange !== undefined && lastChange.previousVersion !== null;
              return (
                <ListItem
                  key={env.name}
                  divider
                  disableGutters
                  aria-labelledby={envHeadingId}
                  sx={{ display: "block", py: 1.5 }}
                >
                  <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
                    <Typography variant="h3" id={envHeadingId}>
                      {env.label}
                    </Typography>
                    <Chip
                      label={env.version === null ? "Nothing yet" : `Version ${env.version}`}
                      color={env.version === null ? "default" : "primary"}
                      variant={env.version === null ? "outlined" : "filled"}
                      size="small"
                    />
                  </Box>
                  {env.updatedAt && (
                    <Typography variant="body2" color="text.secondary">
                      Since <RelativeTime iso={env.updatedAt} />
                      {who(env.updatedBy)}
                    </Typography>
                  )}
                  {canChange && (
                    <Stack direction="row" spacing={1} useFlexGap sx={{ mt: 1, flexWrap: "wrap" }}>
                      {next && env.version !== null && env.version !== next.version && (
                        <Button
                          size="small"
                          variant="outlined"
                          onClick={() => ask({ kind: "promote", target: next, from: env })}
                        >
                          Promote to {next.label}
                        </Button>
                      )}
                      {canRollBack && (
                        <Button
                          size="small"
                          variant="outlined"
                          aria-label={`Roll back ${env.label}`}
                          onClick={() =>
                            ask({ kind: "rollback", target: env, to: lastChange.previousVersion })
                          }
                        >
                          Roll back
                        </Button>
                      )}
                    </Stack>
                  )}
                </ListItem>
              );
            })}
          </List>
          {canChange && first && published.length > 0 && (
            <Box
              component="form"
              onSubmit={(event) => {
                event.preventDefault();
                const version = Number(deployVersion);
                if (version > 0) ask({ kind: "deploy", target: first, version });
              }}
              sx={{ display: "flex", gap: 1, alignItems: "flex-start", flexWrap: "wrap" }}
            >
              <TextField
                select
                size="small"
                label={`Version for ${first.label}`}
                value={deployVersion}
                onChange={(event) => setDeployVersion(event.target.value)}
                sx={{ minWidth: 200 }}
              >
                {published.map((v) => (
                  <MenuItem key={v.version} value={String(v.version)}>
                    Version {v.version}
                  </MenuItem>
                ))}
              </TextField>
              <Button type="submit" variant="outlined" disabled={deployVersion === ""}>
                Deploy to {first.label}
              </Button>
            </Box>
          )}
          <Typography role="status" variant="body2" color="text.secondary">
            {changes.announcement}
          </Typography>
          <Box component="section" aria-labelledby={historyHeadingId}>
            <Typography variant="h3" id={historyHeadingId} gutterBottom>
              Promotion history
            </Typography>
            {data.history.length === 0 ? (
              <Typography variant="body2" color="text.secondary">
                No version has been put in an environment yet.
              </Typography>
            ) : (
              <List dense disablePadding aria-label="Promotion history">
                {data.history.slice(0, showAll ? undefined : shortHistory).map((change) => (
                  <ListItem key={change.id} disableGutters sx={{ display: "block" }}>
                    <Typography variant="body2">{describeChange(change, environments)}</Typography>
                    <Typography variant="caption" color="text.secondary">
                      <RelativeTime iso={change.at} />
                      {who(change.by)}
                      {change.note && ` · ${change.note}`}
                    </Typography>
                  </ListItem>
                ))}
              </List>
            )}
            {data.history.length > shortHistory && (
              <Button size="small" onClick={() => setShowAll((all) => !all)} aria-expanded={showAll}>
                {showAll ? "Show fewer" : `Show all ${data.history.length}`}
              </Button>
            )}
          </Box>
        </Stack>
      )}
      <ConfirmDialog
        open={open}
        title={pending ? confirmTitle(pending) : ""}
        confirmLabel={pending ? confirmLabel(pending) : ""}
        pending={changes.busy === "change"}
        error={changes.error("change")}
        errorTitle="Nothing changed"
        onConfirm={() => void confirm()}
        onCancel={() => setOpen(false)}
      >
        {pending && confirmText(pending)}
      </ConfirmDialog>
    </Paper>
  );
});

function confirmTitle(p: Pending): string {
  switch (p.kind) {
    case "promote":
      return `Promote version ${p.from.version ?? ""} to ${p.target.label}?`;
    case "deploy":
      return `Deploy version ${p.version} to ${p.target.label}?`;
    case "rollback":
      return `Roll back ${p.target.label}?`;
  }
}

function confirmLabel(p: Pending): string {
  switch (p.kind) {
    case "promote":
      return `Promote to ${p.target.label}`;
    case "deploy":
      return `Deploy to ${p.target.label}`;
    case "rollback":
      return `Roll back ${p.target.label}`;
  }
}

function confirmText(p: Pending): string {
  const now = p.target.version === null ? "nothing" : `version ${p.target.version}`;
  switch (p.kind) {
    case "promote":
      return `${p.target.label} serves ${now}; from the next message it serves version ${p.from.version ?? ""}, as ${p.from.label} does.`;
    case "deploy":
      return `${p.target.label} serves ${now}; from the next message it serves version ${p.version}.`;
    case "rollback":
      return `${p.target.label} serves ${now}; from the next message it serves ${p.to === null ? "the version it had before" : `version ${p.to} again`}.`;
  }
}

/** One line of the history: "Version 3 promoted to Staging from Development". */
export function describeChange(change: EnvironmentChange, environments: readonly AgentEnvironment[]): string {
  const label = (name: string) => environmentLabel(environments, name);
  const target = label(change.environment);
  switch (change.action) {
    case "publish":
      return `Version ${change.version} published to ${target}`;
    case "promote":
      return `Version ${change.version} promoted to ${target}${change.from ? ` from ${label(change.from)}` : ""}`;
    case "rollback":
      return `${target} rolled back to version ${change.version}${
        change.previousVersion === null ? "" : ` (was ${change.previousVersion})`
      }`;
  }
}
