import { memo } from "react";
import { Box, Button, Chip, List, ListItem, Paper, Stack, Typography } from "@mui/material";
import type { Agent, AgentVersion } from "../../data/agents";
import type { RemoteData } from "../../data/useRemoteData";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";

interface VersionsPanelProps {
  readonly agent: Agent;
  readonly versions: RemoteData<AgentVersion[]>;
  /** The account signed in, to say "you" rather than an id. */
  readonly accountId: string;
  /** Whether rolling back is offered (editors, on an agent that is not archived). */
  readonly canRollBack: boolean;
  readonly onCompare: (version: AgentVersion) => void;
  readonly onRollBack: (version: AgentVersion) => void;
}

/** Published versions, newest first: which one conversations get, what each changed, and a way back. */
export const VersionsPanel = memo(function VersionsPanel({
  agent,
  versions,
  accountId,
  canRollBack,
  onCompare,
  onRollBack,
}: VersionsPanelProps) {
  const { data, error, pending, retry } = versions;
  return (
    <Paper component="section" aria-labelledby="versions-heading" sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id="versions-heading" gutterBottom>
        Versions
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Publishing copies the draft into a numbered version that never changes. Production&apos;s
        conversations get the version marked as serving; the Environments panel shows what the other
        environments serve.
      </Typography>
      {error && !data && <RequestErrorAlert error={error} onRetry={retry} retrying={pending} />}
      {!data && !error && <PageLoading label="Loading versions…" />}
      {data && data.length === 0 && (
        <Typography color="text.secondary">
          Not published yet. Publish the draft to create version 1.
        </Typography>
      )}
      {data && data.length > 0 && (
        <List disablePadding aria-label="Published versions">
          {data.map((version) => {
            const serving = version.version === agent.publishedVersion;
            const headingId = `version-${version.version}-heading`;
            return (
              <ListItem
                key={version.version}
                divider
                disableGutters
                aria-labelledby={headingId}
                sx={{ display: "block", py: 1.5 }}
              >
                <Box sx={{ display: "flex", alignItems: "center", gap: 1, flexWrap: "wrap" }}>
                  <Typography variant="h3" id={headingId}>
                    Version {version.version}
                  </Typography>
                  {serving && <Chip label="Serving" color="primary" size="small" />}
                </Box>
                <Typography variant="body2" color="text.secondary">
                  Published <RelativeTime iso={version.publishedAt} /> by{" "}
                  {version.publishedBy === accountId ? "you" : version.publishedBy}
                </Typography>
                {version.note && (
                  <Typography variant="body2" sx={{ mt: 0.5, overflowWrap: "anywhere" }}>
                    {version.note}
                  </Typography>
                )}
                <Stack direction="row" spacing={1} useFlexGap sx={{ mt: 1, flexWrap: "wrap" }}>
                  <Button size="small" variant="outlined" onClick={() => onCompare(version)}>
                    Compare with draft
                  </Button>
                  {canRollBack && !serving && (
                    <Button size="small" variant="outlined" onClick={() => onRollBack(version)}>
                      {agent.publishedVersion !== null && version.version > agent.publishedVersion
                        ? "Serve this version in production"
                        : "Roll back to this version"}
                    </Button>
                  )}
                </Stack>
              </ListItem>
            );
          })}
        </List>
      )}
    </Paper>
  );
});
