import { useId, useState, type FormEvent } from "react";
import { Box, Button, Paper, Stack, TextField, Typography } from "@mui/material";
import { grantableRoles, looksLikeEmail, type CreatedInvitation } from "../../data/admin";
import { roleLabels, type Role, type Session } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { FormErrorAlert } from "../FormErrorAlert";
import { RelativeTime } from "../RelativeTime";
import { roleDescriptions, roleWithArticle } from "./roleDescriptions";
import { SecretRevealDialog, useShownOnce } from "./SecretRevealDialog";
import { SectionHeader } from "../shared/SectionHeader";

interface InviteMemberFormProps {
  readonly session: Session;
  /** A new invitation exists: the pending list should show it. */
  readonly onInvited: () => void;
}

/**
 * Invites an email with a role (at most the inviter's). The platform sends no email: it answers a
 * single-use link, shown once here for the admin to copy and send.
 */
export function InviteMemberForm({ session, onInvited }: InviteMemberFormProps) {
  const headingId = useId();
  const studio = useStudio();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const [emailProblem, setEmailProblem] = useState<string | undefined>(undefined);
  const inviting = useMutation<"invite">();
  const error = inviting.error("invite");
  const invitation = useShownOnce<CreatedInvitation>();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (inviting.busy) return;
    const problem =
      email.trim() === ""
        ? "Enter the email of the person to invite."
        : looksLikeEmail(email)
          ? undefined
          : "This does not look like an email address.";
    setEmailProblem(problem);
    inviting.dismiss("invite");
    if (problem) return;
    const invite = async () => {
      const created = await studio.createInvitation({ email: email.trim(), role });
      setEmail("");
      invitation.show(created);
      onInvited();
    };
    await inviting.run("invite", invite, {
      onFailure: (failure) => {
        const onEmail = failure.issues.find((issue) => issue.path === "email");
        if (onEmail) setEmailProblem(onEmail.message);
        return onEmail !== undefined;
      },
    });
  };

  const created = invitation.subject;
  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        level="h3"
        title="Invite someone"
        description="You get a link to send them yourself: no email is sent. It works once, for 7 days."
      />
      <Paper sx={{ p: { xs: 2, sm: 3 } }}>
        <Box
          component="form"
          noValidate
          onSubmit={submit}
          sx={{
            display: "grid",
            gap: 2,
            gridTemplateColumns: { xs: "1fr", md: "minmax(0, 2fr) minmax(0, 1fr) auto" },
            alignItems: "start",
          }}
        >
          <TextField
            label="Email"
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
              setEmailProblem(undefined);
            }}
            error={emailProblem !== undefined}
            helperText={emailProblem ?? "The invitation is for this email only."}
            fullWidth
          />
          <TextField
            select
            label="Role"
            value={role}
            onChange={(event) => setRole(event.target.value as Role)}
            helperText={roleDescriptions[role]}
            slotProps={{ select: { native: true } }}
            fullWidth
          >
            {grantableRoles(session.role).map((r) => (
              <option key={r} value={r}>
                {roleLabels[r]}
              </option>
            ))}
          </TextField>
          <Button type="submit" variant="contained" size="large" sx={{ mt: { md: 0.5 } }}>
            {inviting.busy ? "Creating link…" : "Create invitation link"}
          </Button>
        </Box>
        {error && (
          <Box sx={{ mt: 2 }}>
            <FormErrorAlert title="No invitation was created" error={error} />
          </Box>
        )}
      </Paper>
      <SecretRevealDialog
        open={invitation.open}
        secret={created?.link}
        title={created ? `Invitation link for ${created.email}` : "Invitation link"}
        secretLabel="Invitation link"
        warning="This link is shown only now. If you lose it, revoke the invitation and create a new one."
        onClose={invitation.close}
        onExited={invitation.forget}
      >
        {created && (
          <Typography>
            Send this link to {created.email}. Opening it lets them join as {roleWithArticle(created.role)}.
            It works once and expires <RelativeTime iso={created.expiresAt} />.
          </Typography>
        )}
      </SecretRevealDialog>
    </Stack>
  );
}
