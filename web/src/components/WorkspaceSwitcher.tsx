import { useId, useState } from "react";
import { Alert, Button, ListItemText, Menu, MenuItem, Snackbar } from "@mui/material";
import { useLocation, useNavigate } from "react-router";
import { PlatformRequestError } from "../data/platform";
import { roleLabels, switchWorkspace, type Session } from "../data/session";

/**
 * For people in several workspaces: which one the studio shows, and a menu to change it. Switching gets a
 * new session for the other workspace; every page below the shell then loads again (RequireSession).
 */
export function WorkspaceSwitcher({ session }: { readonly session: Session }) {
  const menuId = useId();
  const navigate = useNavigate();
  const { pathname } = useLocation();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const [switching, setSwitching] = useState<string | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const current = session.workspaces.find((w) => w.tenantId === session.tenantId);
  const currentName = current?.name ?? session.tenantId;

  const choose = async (tenantId: string) => {
    setAnchor(null);
    if (tenantId === session.tenantId || switching) return;
    setSwitching(tenantId);
    setError(undefined);
    try {
      await switchWorkspace(tenantId);
      // An agent page would show another workspace's agent id: go to the list instead.
      if (pathname.startsWith("/agents/")) navigate("/agents");
    } catch (e) {
      setError(e instanceof PlatformRequestError ? (e.reason ?? e.message) : String(e));
    } finally {
      setSwitching(undefined);
    }
  };

  return (
    <>
      <Button
        color="inherit"
        aria-haspopup="menu"
        aria-controls={anchor ? menuId : undefined}
        aria-expanded={anchor ? "true" : undefined}
        aria-label={`Workspace: ${currentName}`}
        onClick={(event) => setAnchor(event.currentTarget)}
        sx={{ maxWidth: { xs: 160, sm: 240 }, "&:focus-visible": { outline: "2px solid #fff" } }}
      >
        <span style={{ overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }}>
          {switching ? "Switching…" : currentName}
        </span>
        <span aria-hidden="true" style={{ marginLeft: 6 }}>
          ▾
        </span>
      </Button>
      <Menu id={menuId} anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        {session.workspaces.map((workspace) => (
          <MenuItem
            key={workspace.tenantId}
            selected={workspace.tenantId === session.tenantId}
            onClick={() => void choose(workspace.tenantId)}
          >
            <ListItemText primary={workspace.name} secondary={roleLabels[workspace.role]} />
          </MenuItem>
        ))}
      </Menu>
      <Snackbar open={error !== undefined} onClose={() => setError(undefined)} autoHideDuration={8000}>
        <Alert severity="error" onClose={() => setError(undefined)}>
          Could not switch workspace: {error}
        </Alert>
      </Snackbar>
    </>
  );
}
