import { useState, type FormEvent } from "react";
import { Link as RouterLink, Navigate, useNavigate, useSearchParams } from "react-router";
import { Alert, Button, Link, Stack, TextField } from "@mui/material";
import { AuthCard } from "../components/AuthCard";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { SecondFactorForm } from "../components/SecondFactorForm";
import { usePageTitle } from "../components/usePageTitle";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import {
  acceptInvitation,
  SecondFactorRequired,
  useSession,
  type SecondFactorChallenge,
} from "../data/session";

/**
 * Public: the page an invitation link opens (`/accept-invitation?token=…`, the `acceptUrl` of
 * `POST /v1/invitations`). The link is the proof of the invitation; the password either signs in the
 * invited email's existing account or creates it.
 */
export function AcceptInvitationPage() {
  usePageTitle("Accept invitation");
  const [searchParams] = useSearchParams();
  const token = searchParams.get("token")?.trim() ?? "";
  const navigate = useNavigate();
  const { session } = useSession();
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);
  /** The invited account has two-step sign-in: it joined, and its session waits for a code. */
  const [challenge, setChallenge] = useState<SecondFactorChallenge | undefined>(undefined);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    setMissing(password === "");
    if (password === "") return;
    setPending(true);
    setError(undefined);
    try {
      await acceptInvitation({ token, password });
      navigate("/agents", { replace: true });
    } catch (e) {
      setPending(false);
      if (e instanceof SecondFactorRequired) {
        setChallenge(e.challenge);
        return;
      }
      setError(asRequestError(e));
    }
  };

  if (challenge) {
    if (session) return <Navigate to="/agents" replace />;
    return (
      <AuthCard
        title="Two-step sign-in"
        intro="You joined the workspace. Your account uses two-step sign-in: enter your code to continue."
      >
        <SecondFactorForm
          challenge={challenge}
          onEnded={() => navigate("/sign-in", { replace: true })}
          onCancel={() => navigate("/sign-in", { replace: true })}
        />
      </AuthCard>
    );
  }

  const footer = (
    <>
      Already a member?{" "}
      <Link component={RouterLink} to="/sign-in">
        Sign in
      </Link>
      .
    </>
  );

  if (token === "") {
    return (
      <AuthCard title="Accept invitation" footer={footer}>
        <Alert severity="error">
          This link has no invitation in it. Open the whole link you were sent, or ask for a new invitation.
        </Alert>
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Accept invitation"
      intro="You were invited to join a workspace. The invitation names the email it is for."
      footer={footer}
    >
      {session && (
        <Alert severity="info">
          You are signed in{session.email ? ` as ${session.email}` : ""}. Accepting signs you in with the
          invited email&apos;s account instead.
        </Alert>
      )}
      <Stack component="form" noValidate onSubmit={submit} spacing={2.5}>
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          autoFocus
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={missing}
          helperText={
            missing
              ? "Enter a password."
              : "If the invited email already has an account, its password. Otherwise choose one: at least 10 characters."
          }
          fullWidth
        />
        {error && <FormErrorAlert title="Could not accept the invitation" error={error} />}
        <Button type="submit" variant="contained" size="large">
          {pending ? "Joining…" : "Join workspace"}
        </Button>
      </Stack>
    </AuthCard>
  );
}
