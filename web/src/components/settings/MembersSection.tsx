import { useId, useState } from "react";
import {
  Box,
  Button,
  Chip,
  FormControl,
  FormControlLabel,
  FormLabel,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import {
  grantableRoles,
  memberChangeRefusal,
  type ApiKeyDisposition,
  type Member,
  type MemberRemoval,
} from "../../data/admin";
import { useInvitations, useMembers } from "../../data/hooks/admin";
import { asRequestError, type PlatformRequestError } from "../../data/platform";
import { roleLabels, roles, signOut, type Role, type Session } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import type { RemoteData } from "../../data/useRemoteData";
import { ConfirmDialog } from "../ConfirmDialog";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { InviteMemberForm } from "./InviteMemberForm";
import { PendingInvitations } from "./PendingInvitations";
import { roleDescriptions, roleWithArticle } from "./roleDescriptions";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "./SectionLoadError";
import { useRemoteUpdate } from "./useRemoteUpdate";
import { compactCells, visuallyHidden } from "../shared/tableStyles";

/** `/settings/members`: who is in the workspace with which role, invitations, and what each role may do. */
export function MembersSection({ session }: { readonly session: Session }) {
  const headingId = useId();
  const members = useMembers();
  const invitations = useInvitations();
  const refused = members.error?.status === 403 && !members.data;
  const workspaceName =
    session.workspaces.find((w) => w.tenantId === session.tenantId)?.name ?? "this workspace";

  return (
    <Stack spacing={5}>
      <Stack component="section" aria-labelledby={headingId} spacing={2}>
        <SectionHeader
          id={headingId}
          title="Members"
          description={`The people who can sign in to ${workspaceName}, and what each may do.`}
        />
        {members.error && !members.data && (
          <SectionLoadError error={members.error} onRetry={members.retry} retrying={members.pending} />
        )}
        {!members.data && !members.error && <PageLoading label="Loading members…" />}
        {members.data && (
          <MembersTable
            members={members.data}
            remote={members}
            session={session}
            onInvitationsRevoked={invitations.retry}
          />
        )}
        <RoleGuide />
      </Stack>
      {/* Refused the list, the platform refuses invitations too: no form to fill in vain. */}
      {!refused && (
        <>
          <InviteMemberForm session={session} onInvited={invitations.retry} />
          <PendingInvitations invitations={invitations} members={members.data} />
        </>
      )}
    </Stack>
  );
}

interface MembersTableProps {
  readonly members: readonly Member[];
  readonly remote: RemoteData<Member[]>;
  readonly session: Session;
  /** A removal revoked pending invitations: the list below should show it. */
  readonly onInvitationsRevoked: () => void;
}

/** A role change the platform refused: whose, and why. */
interface RoleChangeFailure {
  readonly email: string;
  readonly error: PlatformRequestError;
}

function MembersTable({ members, remote, session, onInvitationsRevoked }: MembersTableProps) {
  const studio = useStudio();
  const update = useRemoteUpdate(remote);
  /** Roles sent and not yet confirmed, shown at once; dropped on failure, which puts the old role back. */
  const [requested, setRequested] = useState<Readonly<Record<string, Role>>>({});
  const [roleFailure, setRoleFailure] = useState<RoleChangeFailure | undefined>(undefined);
  const changes = useMutation<"remove">();
  const { announce } = changes;
  const [removing, setRemoving] = useState<Member | undefined>(undefined);
  const [removeOpen, setRemoveOpen] = useState(false);
  const [apiKeys, setApiKeys] = useState<ApiKeyDisposition>("revoke");
  const keyChoiceId = useId();
  const workspaceName =
    session.workspaces.find((w) => w.tenantId === session.tenantId)?.name ?? "the workspace";

  const changeRole = async (member: Member, role: Role) => {
    if (role === member.role || requested[member.id] !== undefined) return;
    setRequested((current) => ({ ...current, [member.id]: role }));
    setRoleFailure(undefined);
    // Role changes are shown at once and may overlap (one per member): they share the status line only.
    announce("");
    try {
      const changed = await studio.changeMemberRole(member.id, role);
      update((list) => list.map((m) => (m.id === changed.id ? changed : m)));
      announce(`${changed.email} is now ${roleWithArticle(changed.role)}.`);
    } catch (e) {
      setRoleFailure({ email: member.email, error: asRequestError(e) });
    } finally {
      setRequested(({ [member.id]: _done, ...rest }) => rest);
    }
  };

  const askRemove = (member: Member) => {
    setRemoving(member);
    changes.dismiss("remove");
    setApiKeys("revoke");
    setRemoveOpen(true);
  };

  const remove = async () => {
    if (!removing) return;
    const member = removing;
    await changes.run("remove", async () => {
      const leavingNow = member.id === session.accountId;
      // Leaving always revokes: the platform hands keys to a remover who stays, never to oneself.
      const removal = await studio.removeMember(member.id, { apiKeys: leavingNow ? "revoke" : apiKeys });
      if (leavingNow) {
        // Their session stops working at once: end it here rather than on the next request's 401.
        signOut(`You left ${workspaceName}.`);
        return;
      }
      update((list) => list.filter((m) => m.id !== member.id));
      if (removal.revokedInvitations > 0) onInvitationsRevoked();
      setRemoveOpen(false);
      return `${member.email} was removed from ${workspaceName}.${removalSummary(removal)}`;
    });
  };

  const leaving = removing?.id === session.accountId;

  return (
    <>
      {roleFailure && (
        <Box>
          <FormErrorAlert
            title={`The role of ${roleFailure.email} was not changed`}
            error={roleFailure.error}
          />
        </Box>
      )}
      <TableContainer component={Paper}>
        <Table aria-label="Members" sx={compactCells}>
          <TableHead>
            <TableRow>
              <TableCell>Member</TableCell>
              <TableCell>Role</TableCell>
              <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Joined</TableCell>
              <TableCell align="right">
                <Box component="span" sx={visuallyHidden}>
                  Actions
                </Box>
              </TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {members.map((member) => {
              const self = member.id === session.accountId;
              const refusal = memberChangeRefusal(session, member);
              const role = requested[member.id] ?? member.role;
              return (
                <TableRow key={member.id}>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>
                    <Box component="span" sx={{ fontWeight: 600 }}>
                      {member.email}
                    </Box>
                    {self && <Chip label="You" size="small" sx={{ ml: 1 }} />}
                  </TableCell>
                  <TableCell sx={{ minWidth: { sm: 130 } }}>
                    {self || refusal ? (
                      <Typography component="span" title={self ? "Nobody changes their own role." : refusal}>
                        {roleLabels[member.role]}
                      </Typography>
                    ) : (
                      <TextField
                        select
                        size="small"
                        value={role}
                        onChange={(event) => void changeRole(member, event.target.value as Role)}
                        slotProps={{
                          select: { native: true },
                          htmlInput: { "aria-label": `Role of ${member.email}` },
                        }}
                      >
                        {grantableRoles(session.role).map((r) => (
                          <option key={r} value={r}>
                            {roleLabels[r]}
                          </option>
                        ))}
                      </TextField>
                    )}
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" }, whiteSpace: "nowrap" }}>
                    <RelativeTime iso={member.createdAt} />
                  </TableCell>
                  <TableCell align="right">
                    {(self || !refusal) && (
                      <Button
                        color="error"
                        size="small"
                        onClick={() => askRemove(member)}
                        aria-label={self ? `Leave ${workspaceName}` : `Remove ${member.email}`}
                      >
                        {self ? "Leave" : "Remove"}
                      </Button>
                    )}
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
      <Typography role="status" color="text.secondary">
        {changes.announcement}
      </Typography>
      <ConfirmDialog
        open={removeOpen}
        title={leaving ? `Leave ${workspaceName}?` : `Remove ${removing?.email ?? ""}?`}
        confirmLabel={leaving ? "Leave workspace" : "Remove member"}
        destructive
        pending={changes.busy === "remove"}
        error={changes.error("remove")}
        errorTitle={leaving ? "You did not leave" : "Not removed"}
        onConfirm={() => void remove()}
        onCancel={() => setRemoveOpen(false)}
      >
        {leaving ? (
          "You lose access at once and are signed out. The API keys you created stop working and your pending invitations are revoked. An admin or owner can invite you again."
        ) : (
          <Stack spacing={2}>
            <Typography>
              They lose access at once: their sessions stop working and their pending invitations are revoked.
              What they made (agents, knowledge, conversations) stays. You can invite them again later.
            </Typography>
            <FormControl>
              <FormLabel id={keyChoiceId}>The API keys they created</FormLabel>
              <RadioGroup
                aria-labelledby={keyChoiceId}
                value={apiKeys}
                onChange={(event) => setApiKeys(event.target.value as ApiKeyDisposition)}
              >
                <FormControlLabel
                  value="revoke"
                  control={<Radio />}
                  label="Revoke them: they stop working now"
                />
                <FormControlLabel
                  value="transfer"
                  control={<Radio />}
                  label="Transfer them to me: they keep working as mine (a key above my role is revoked)"
                />
              </RadioGroup>
            </FormControl>
          </Stack>
        )}
      </ConfirmDialog>
    </>
  );
}

/** " 2 API keys revoked, 1 pending invitation revoked.", or nothing when the removal took nothing else. */
function removalSummary(removal: MemberRemoval): string {
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
  const parts = [
    removal.revokedApiKeys > 0 ? `${plural(removal.revokedApiKeys, "API key")} revoked` : "",
    removal.transferredApiKeys > 0
      ? `${plural(removal.transferredApiKeys, "API key")} transferred to you`
      : "",
    removal.revokedInvitations > 0
      ? `${plural(removal.revokedInvitations, "pending invitation")} revoked`
      : "",
  ].filter((p) => p !== "");
  return parts.length > 0 ? ` ${parts.join(", ")}.` : "";
}

function RoleGuide() {
  return (
    <Box
      component="dl"
      aria-label="What each role may do"
      sx={{
        m: 0,
        display: "grid",
        gridTemplateColumns: { xs: "1fr", sm: "max-content 1fr" },
        columnGap: 2,
        rowGap: { xs: 0, sm: 0.5 },
      }}
    >
      {roles.map((role) => (
        <Box key={role} sx={{ display: "contents" }}>
          <Typography component="dt" variant="body2" sx={{ fontWeight: 600 }}>
            {roleLabels[role]}
          </Typography>
          <Typography
            component="dd"
            variant="body2"
            color="text.secondary"
            sx={{ m: 0, mb: { xs: 1, sm: 0 } }}
          >
            {roleDescriptions[role]}
          </Typography>
        </Box>
      ))}
    </Box>
  );
}
