import { useState, type FormEvent } from "react";
import { Link as RouterLink, Navigate, useLocation } from "react-router";
import { Alert, Button, Link, Stack, TextField } from "@mui/material";
import { AuthCard } from "../components/AuthCard";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { signIn, useSession } from "../data/session";
import { returnPathOf } from "./require-session";

/** Public. After signing in, goes back to the page that sent here (or the agents). */
export function SignInPage() {
  usePageTitle("Sign in");
  const { session, notice } = useSession();
  const location = useLocation();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [missing, setMissing] = useState<{ email?: boolean; password?: boolean }>({});
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);

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
    try {
      await signIn({ email, password });
    } catch (e) {
      setError(asRequestError(e));
      setPending(false);
    }
  };

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
      {notice && !error && <Alert severity="info">{notice}</Alert>}
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
