import { useState, type FormEvent } from "react";
import { Link as RouterLink, Navigate } from "react-router";
import { Button, Link, Stack, TextField } from "@mui/material";
import { AuthCard } from "../components/AuthCard";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { signUp, useSession } from "../data/session";

/** The platform's password rule, said before sending. */
const minPasswordLength = 10;

type Field = "email" | "password" | "workspaceName";

/** The form field a platform validation issue is about (the API calls the workspace `tenantName`). */
const fieldOfIssue: Record<string, Field> = {
  email: "email",
  password: "password",
  tenantName: "workspaceName",
};

/** Public: a new account and the workspace it owns. */
export function SignUpPage() {
  usePageTitle("Create an account");
  const { session } = useSession();
  const [values, setValues] = useState<Record<Field, string>>({ email: "", password: "", workspaceName: "" });
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);

  if (session) return <Navigate to="/agents" replace />;

  const set = (field: Field) => (event: { target: { value: string } }) => {
    setValues((v) => ({ ...v, [field]: event.target.value }));
    setFieldErrors((errors) => ({ ...errors, [field]: undefined }));
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const problems: Partial<Record<Field, string>> = {};
    if (!/^\S+@\S+$/.test(values.email.trim())) problems.email = "Enter an email address.";
    if (values.password.length < minPasswordLength)
      problems.password = `At least ${minPasswordLength} characters.`;
    if (values.workspaceName.trim() === "") problems.workspaceName = "Name your workspace.";
    setFieldErrors(problems);
    if (Object.keys(problems).length > 0) return;
    setPending(true);
    setError(undefined);
    try {
      await signUp(values);
    } catch (e) {
      const failure = asRequestError(e);
      const fromPlatform: Partial<Record<Field, string>> = {};
      for (const issue of failure.issues) {
        const field = fieldOfIssue[issue.path];
        if (field) fromPlatform[field] = issue.message;
      }
      setFieldErrors(fromPlatform);
      setError(failure);
      setPending(false);
    }
  };

  return (
    <AuthCard
      title="Create an account"
      intro="You get a workspace of your own, as its owner. Invite your team once you are in."
      footer={
        <>
          Already have an account?{" "}
          <Link component={RouterLink} to="/sign-in">
            Sign in
          </Link>
          .
        </>
      }
    >
      <Stack component="form" noValidate onSubmit={submit} spacing={2.5}>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          autoFocus
          value={values.email}
          onChange={set("email")}
          error={fieldErrors.email !== undefined}
          helperText={fieldErrors.email}
          fullWidth
        />
        <TextField
          label="Password"
          type="password"
          autoComplete="new-password"
          value={values.password}
          onChange={set("password")}
          error={fieldErrors.password !== undefined}
          helperText={fieldErrors.password ?? `At least ${minPasswordLength} characters.`}
          fullWidth
        />
        <TextField
          label="Workspace name"
          autoComplete="organization"
          value={values.workspaceName}
          onChange={set("workspaceName")}
          error={fieldErrors.workspaceName !== undefined}
          helperText={fieldErrors.workspaceName ?? "Your team or company, e.g. Acme Corp."}
          fullWidth
        />
        {error && <FormErrorAlert title="Could not create the account" error={error} />}
        <Button type="submit" variant="contained" size="large">
          {pending ? "Creating your workspace…" : "Create account"}
        </Button>
      </Stack>
    </AuthCard>
  );
}
