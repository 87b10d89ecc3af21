import { useId, useState } from "react";
import { Button, Divider, ListSubheader, Menu, MenuItem } from "@mui/material";
import { roleLabels, signOut, type Session } from "../data/session";

/** Who is signed in, with which role, and the way out. */
export function AccountMenu({ session }: { readonly session: Session }) {
  const menuId = useId();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  const workspace = session.workspaces.find((w) => w.tenantId === session.tenantId);
  return (
    <>
      <Button
        color="inherit"
        aria-haspopup="menu"
        aria-controls={anchor ? menuId : undefined}
        aria-expanded={anchor ? "true" : undefined}
        onClick={(event) => setAnchor(event.currentTarget)}
        sx={{ "&:focus-visible": { outline: "2px solid #fff" } }}
      >
        Account
      </Button>
      <Menu id={menuId} anchorEl={anchor} open={anchor !== null} onClose={() => setAnchor(null)}>
        <ListSubheader sx={{ lineHeight: 1.5, py: 1 }}>
          {session.email ?? "Signed in"}
          <br />
          {roleLabels[session.role]}
          {workspace ? ` in ${workspace.name}` : ""}
        </ListSubheader>
        <Divider />
        <MenuItem onClick={() => signOut("You signed out.")}>Sign out</MenuItem>
      </Menu>
    </>
  );
}
