import { Link as RouterLink } from "react-router";
import { Link, Typography } from "@mui/material";
import type { PlatformRequestError } from "../data/platform";
import { isTwoStepRequired, twoStepPath } from "../data/twoStep";

/**
 * Under a refusal because the workspace requires two-step sign-in of admins and owners (403
 * `mfa-required`): where to set it up. Nothing for any other error.
 */
export function TwoStepRequiredNote({ error }: { readonly error: PlatformRequestError }) {
  if (!isTwoStepRequired(error)) return null;
  return (
    <Typography variant="body2" sx={{ mt: 1 }}>
      <Link component={RouterLink} to={twoStepPath} color="inherit">
        Set up two-step sign-in
      </Link>{" "}
      (Account › Two-step sign-in). If it is on already, sign out and sign in again with your code.
    </Typography>
  );
}
