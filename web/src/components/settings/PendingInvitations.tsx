import { useId, useState } from "react";
import {
  Button,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import type { Invitation, Member } from "../../data/admin";
import { roleLabels } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import type { RemoteData } from "../../data/useRemoteData";
import { ConfirmDialog } from "../ConfirmDialog";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "./SectionLoadError";
import { useRemoteUpdate } from "./useRemoteUpdate";
import { compactCells, visuallyHidden } from "../shared/tableStyles";

interface PendingInvitationsProps {
  readonly invitations: RemoteData<Invitation[]>;
  /** To name who invited; ids are shown while they load. */
  readonly members: readonly Member[] | undefined;
}

/** Invitations not accepted yet, with a way to revoke one (its link stops working at once). */
export function PendingInvitations({ invitations, members }: PendingInvitationsProps) {
  const headingId = useId();
  const studio = useStudio();
  const update = useRemoteUpdate(invitations);
  const [revoking, setRevoking] = useState<Invitation | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const changes = useMutation<"revoke">();

  const inviter = (id: string) => members?.find((m) => m.id === id)?.email ?? id;

  const revoke = async () => {
    if (!revoking) return;
    const invitation = revoking;
    await changes.run("revoke", async () => {
      await studio.revokeInvitation(invitation.id);
      update((list) => list.filter((i) => i.id !== invitation.id));
      setOpen(false);
      return `The invitation for ${invitation.email} was revoked.`;
    });
  };

  const { data } = invitations;
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader id={headingId} level="h3" title="Pending invitations" />
      {invitations.error && !data && (
        <SectionLoadError
          error={invitations.error}
          onRetry={invitations.retry}
          retrying={invitations.pending}
        />
      )}
      {!data && !invitations.error && <PageLoading label="Loading invitations…" />}
      {data && data.length === 0 && (
        <Typography color="text.secondary">
          No pending invitations. Invitations leave this list once accepted, revoked or expired.
        </Typography>
      )}
      {data && data.length > 0 && (
        <TableContainer component={Paper}>
          <Table aria-label="Pending invitations" sx={compactCells}>
            <TableHead>
              <TableRow>
                <TableCell>Email</TableCell>
                <TableCell>Role</TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Invited</TableCell>
                <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Expires</TableCell>
                <TableCell align="right">
                  <span style={visuallyHidden}>Actions</span>
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {data.map((invitation) => (
                <TableRow key={invitation.id}>
                  <TableCell sx={{ overflowWrap: "anywhere", fontWeight: 600 }}>{invitation.email}</TableCell>
                  <TableCell>{roleLabels[invitation.role]}</TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>
                    <RelativeTime iso={invitation.createdAt} />
                    <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
                      by {inviter(invitation.createdBy)}
                    </Typography>
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", md: "table-cell" }, whiteSpace: "nowrap" }}>
                    <RelativeTime iso={invitation.expiresAt} />
                  </TableCell>
                  <TableCell align="right">
                    <Button
                      color="error"
                      size="small"
                      aria-label={`Revoke the invitation for ${invitation.email}`}
                      onClick={() => {
                        setRevoking(invitation);
                        changes.dismiss("revoke");
                        setOpen(true);
                      }}
                    >
                      Revoke
                    </Button>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>
      <ConfirmDialog
        open={open}
        title={`Revoke the invitation for ${revoking?.email ?? ""}?`}
        confirmLabel="Revoke invitation"
        destructive
        pending={changes.busy === "revoke"}
        error={changes.error("revoke")}
        errorTitle="Not revoked"
        onConfirm={() => void revoke()}
        onCancel={() => setOpen(false)}
      >
        Its link stops working at once. You can invite {revoking?.email ?? "them"} again later.
      </ConfirmDialog>
    </Stack>
  );
}
