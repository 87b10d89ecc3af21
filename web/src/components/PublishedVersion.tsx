import { Typography } from "@mui/material";
import type { Agent } from "../data/agents";

/**
 * "v3", or "v2 of 3 (newer in other environments or rolled back)", so an older version being served never goes
 * unnoticed; the Environments panel says where the newer ones are.
 */
export function PublishedVersion({ agent }: { readonly agent: Agent }) {
  if (agent.publishedVersion === null) {
    return (
      <Typography component="span" color="text.secondary">
        Not published
      </Typography>
    );
  }
  return (
    <span>
      v{agent.publishedVersion}
      {agent.publishedVersion < agent.latestVersion && (
        <Typography component="span" color="text.secondary">
          {" "}
          of {agent.latestVersion} (newer in other environments or rolled back)
        </Typography>
      )}
    </span>
  );
}
