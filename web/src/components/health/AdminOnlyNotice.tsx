import { Link as RouterLink } from "react-router";
import { Alert, Link } from "@mui/material";
import { roleLabels, type Role } from "../../data/session";

/**
 * What an admin page says to someone whose role does not include it (as Settings does for its admin
 * sections); the page asks nothing of the platform for them.
 */
export function AdminOnlyNotice({ what, role }: { readonly what: string; readonly role: Role }) {
  return (
    <Alert severity="info">
      Only admins and owners see {what}. Your role is {roleLabels[role]}.{" "}
      <Link component={RouterLink} to="/">
        Go to the overview
      </Link>
    </Alert>
  );
}
