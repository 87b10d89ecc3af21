import { useState, type FormEvent } from "react";
import { Link as RouterLink, Navigate, useLocation } from "react-router";
import { Alert, Button, Link, Stack, TextField } from "@mui/material";
import { AuthCard } from "../components/AuthCard";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { SecondFactorForm } from "../components/SecondFactorForm";
import { usePageTitle } from "../components/usePageTitle";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { SecondFactorRequired, signIn, useSession, type SecondFactorChallenge } from "../data/session";
import { returnPathOf } from "./require-session";

/**
 * Public. After signing in, goes back to the page that sent here (or the agents). An account with two-step
 * sign-in gets a second step after the password: the code of its authenticator app.
 */
export function SignInPage() {
  usePageTitle("Sign in");
  const { session, notice } = useSession();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState<{ email?: boolean; password?: boolean }>({});
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const [challenge, setChallenge] = useState<SecondFactorChallenge | undefined>(undefined);
  /** Why a second step ended (expired, too many wrong codes): said above the password form. */
  const [ended, setEnded] = useState<string | undefined>(undefined);

  // Signing in changes the session, which lands here: go where the person was headed.
  if (session) return <Navigate to={returnPathOf(location.state)} replace />;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const empty = { email: email.trim() === "", password: password === "" };
    setMissing(empty);
    if (empty.email || empty.password) return;
    setPending(true);
    setError(undefined);
    setEnded(undefined);
    try {
      await signIn({ email, password });
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
    const backToPassword = (why?: string) => {
      setChallenge(undefined);
      setPassword("");
      setEnded(why);
    };
    return (
      <AuthCard title="Two-step sign-in" intro={`Signing in as ${email.trim()}.`}>
        <SecondFactorForm
          challenge={challenge}
          onEnded={(why) => backToPassword(why)}
          onCancel={() => backToPassword()}
        />
      </AuthCard>
    );
  }

  return (
    <AuthCard
      title="Sign in"
      intro="Build, test and publish your workspace's agents."
      footer={
        <>
          No account yet?{" "}
          <Link component={RouterLink} to="/sign-up">
            Create one
          </Link>
          . Invited to a workspace? Open the link you were sent.
        </>
      }
    >
      {notice && !error && !ended && <Alert severity="info">{notice}</Alert>}
      {ended && <Alert severity="warning">{ended}</Alert>}
      <Stack component="form" noValidate onSubmit={submit} spacing={2.5}>
        <TextField
          label="Email"
          type="email"
          autoComplete="username"
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.target.value)}
          error={missing.email}
          helperText={missing.email ? "Enter your email." : undefined}
          fullWidth
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="current-password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          error={missing.password}
          helperText={missing.password ? "Enter your password." : undefined}
          fullWidth
        />
        {error && <FormErrorAlert title="Could not sign in" error={error} />}
        <Button type="submit" variant="contained" size="large">
          {pending ? "Signing in…" : "Sign in"}
        </Button>
      </Stack>
    </AuthCard>
  );
}
