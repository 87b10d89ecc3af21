import { Typography } from "@mui/material";
import type { Agent } from "../data/agents";

/** "v3", or "v2 of 3 (rolled back)", so an older version being served never goes unnoticed. */
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
          of {agent.latestVersion} (rolled back)
        </Typography>
      )}
    </span>
  );
}
