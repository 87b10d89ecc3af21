import { useId } from "react";
import { FormControlLabel, List, ListItem, Paper, Stack, Switch, Typography } from "@mui/material";
import type { WorkspaceFlag } from "../../data/operator";
import type { PlatformRequestError } from "../../data/platform";
import { FormErrorAlert } from "../FormErrorAlert";

interface WorkspaceFlagsPanelProps {
  readonly flags: readonly WorkspaceFlag[];
  readonly mfaRequired: boolean;
  /** The flag (or `security`) being changed, if any. */
  readonly busy: string | undefined;
  readonly flagsError: PlatformRequestError | undefined;
  readonly securityError: PlatformRequestError | undefined;
  readonly onFlag: (name: string, enabled: boolean) => void;
  readonly onMfaRequired: (required: boolean) => void;
}

/** Features this workspace may use (one switch each, saved at once) and its sign-in policy. */
export function WorkspaceFlagsPanel({
  flags,
  mfaRequired,
  busy,
  flagsError,
  securityError,
  onFlag,
  onMfaRequired,
}: WorkspaceFlagsPanelProps) {
  const flagsHeadingId = useId();
  const securityHeadingId = useId();
  return (
    <Stack spacing={3}>
      <Paper component="section" aria-labelledby={flagsHeadingId} sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id={flagsHeadingId} gutterBottom>
          Features
        </Typography>
        <Typography variant="body2" color="text.secondary">
          A feature turned off is refused by the platform (403 feature-disabled), and the workspace&apos;s
          members are told so. What it made before is kept. Each switch is saved at once.
        </Typography>
        {flags.length === 0 ? (
          <Typography color="text.secondary" sx={{ mt: 2 }}>
            This installation has no feature flags.
          </Typography>
        ) : (
          <List disablePadding aria-label="Features">
            {flags.map((flag) => (
              <ListItem key={flag.name} divider disableGutters sx={{ display: "block", py: 1 }}>
                <FormControlLabel
                  control={
                    <Switch
                      checked={flag.enabled}
                      disabled={busy !== undefined}
                      onChange={(event) => onFlag(flag.name, event.target.checked)}
                    />
                  }
                  label={flag.name}
                />
                <Typography variant="body2" color="text.secondary" sx={{ pl: 6.5 }}>
                  {flag.description}
                  {flag.enabled !== flag.default &&
                    ` Differs from the default (${flag.default ? "on" : "off"}).`}
                </Typography>
              </ListItem>
            ))}
          </List>
        )}
        {flagsError && <FormErrorAlert title="The feature was not changed" error={flagsError} />}
      </Paper>
      <Paper component="section" aria-labelledby={securityHeadingId} sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id={securityHeadingId} gutterBottom>
          Sign-in policy
        </Typography>
        <FormControlLabel
          control={
            <Switch
              checked={mfaRequired}
              disabled={busy !== undefined}
              onChange={(event) => onMfaRequired(event.target.checked)}
            />
          }
          label="Require two-step sign-in for admins and owners"
        />
        <Typography variant="body2" color="text.secondary">
          When on, the workspace&apos;s admins and owners who signed in without a second factor are refused
          until they set one up under Account › Two-step sign-in. Editors and viewers are not affected.
        </Typography>
        {securityError && <FormErrorAlert title="The sign-in policy was not changed" error={securityError} />}
      </Paper>
    </Stack>
  );
}
