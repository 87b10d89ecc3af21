import { useId, useState } from "react";
import { useNavigate } from "react-router";
import { Button, Divider, ListSubheader, Menu, MenuItem, Snackbar } from "@mui/material";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { accountActions, logOut, roleLabels, signOutEverywhere, type Session } from "../data/session";
import { twoStepPath } from "../data/twoStep";
import { ChangePasswordDialog } from "./ChangePasswordDialog";
import { ConfirmDialog } from "./ConfirmDialog";

type AccountDialog = "password" | "everywhere";

/**
 * Who is signed in, with which role, and the ways out: sign out (this session), sign out everywhere (every
 * session of the account; local accounts only, Firebase Auth has no client-side equivalent) and change
 * password (both modes: Firebase mode reauthenticates and updates the password with Firebase Auth).
 */
export function AccountMenu({ session }: { readonly session: Session }) {
  const menuId = useId();
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  /** The dialog a menu item asked for, opened once the menu has closed (so focus returns to the button). */
  const [requested, setRequested] = useState<AccountDialog | null>(null);
  const [dialog, setDialog] = useState<AccountDialog | null>(null);
  const [everywherePending, setEverywherePending] = useState(false);
  const [everywhereError, setEverywhereError] = useState<PlatformRequestError | undefined>(undefined);
  const [notice, setNotice] = useState<string | undefined>(undefined);
  const workspace = session.workspaces.find((w) => w.tenantId === session.tenantId);
  const actions = accountActions();
  const navigate = useNavigate();

  const choose = (next: AccountDialog) => {
    setRequested(next);
    setAnchor(null);
  };

  const endEverywhere = async () => {
    if (everywherePending) return;
    setEverywherePending(true);
    setEverywhereError(undefined);
    try {
      // Success signs this browser out too: the sign-in page takes over and says what happened.
      await signOutEverywhere();
    } catch (e) {
      setEverywhereError(asRequestError(e));
      setEverywherePending(false);
    }
  };

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
      <Menu
        id={menuId}
        anchorEl={anchor}
        open={anchor !== null}
        onClose={() => setAnchor(null)}
        slotProps={{
          transition: {
            onExited: () => {
              if (requested) setDialog(requested);
              setRequested(null);
            },
          },
        }}
      >
        <ListSubheader sx={{ lineHeight: 1.5, py: 1 }}>
          {session.email ?? "Signed in"}
          <br />
          {roleLabels[session.role]}
          {workspace ? ` in ${workspace.name}` : ""}
        </ListSubheader>
        <Divider />
        {actions.changePassword && <MenuItem onClick={() => choose("password")}>Change password</MenuItem>}
        <MenuItem
          onClick={() => {
            setAnchor(null);
            void navigate(twoStepPath);
          }}
        >
          Two-step sign-in
        </MenuItem>
        {actions.signOutEverywhere && (
          <MenuItem
            onClick={() => {
              setEverywhereError(undefined);
              choose("everywhere");
            }}
          >
            Sign out everywhere
          </MenuItem>
        )}
        <MenuItem onClick={() => void logOut()}>Sign out</MenuItem>
      </Menu>
      <ChangePasswordDialog
        open={dialog === "password"}
        signInWith={session.signedInWith === "firebase" ? "firebase" : "local"}
        onClose={() => setDialog(null)}
        onChanged={() => {
          setDialog(null);
          setNotice(
            session.signedInWith === "firebase"
              ? "Your password was changed."
              : "Your password was changed. Your other sessions were signed out.",
          );
        }}
      />
      <ConfirmDialog
        open={dialog === "everywhere"}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        destructive
        pending={everywherePending}
        error={everywhereError}
        errorTitle="You are still signed in"
        onConfirm={() => void endEverywhere()}
        onCancel={() => setDialog(null)}
      >
        Every session of your account ends at once: on every device and browser, in every workspace, this one
        included. Use it when a device is lost or someone else may have your session.
      </ConfirmDialog>
      <Snackbar
        open={notice !== undefined}
        message={notice}
        autoHideDuration={8000}
        onClose={() => setNotice(undefined)}
      />
    </>
  );
}
