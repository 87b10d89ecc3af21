import { useRef, useState, type FormEvent } from "react";
import { Alert, Button, Stack, TextField } from "@mui/material";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { completeSignIn, type SecondFactorChallenge } from "../data/session";
import { FormErrorAlert } from "./FormErrorAlert";

interface SecondFactorFormProps {
  readonly challenge: SecondFactorChallenge;
  /** The attempt ended (expired, too many wrong codes): back to the password, saying why. */
  readonly onEnded: (why: string) => void;
  readonly onCancel: () => void;
}

/**
 * The second step of signing in: the 6-digit code of the authenticator app, or (local accounts) a recovery
 * code. A wrong code can be typed again; an attempt that ended goes back to the password. Success starts the
 * session, which the page follows.
 */
export function SecondFactorForm({ challenge, onEnded, onCancel }: SecondFactorFormProps) {
  const [code, setCode] = useState("");
  const [missing, setMissing] = useState(false);
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const typed = code.trim();
    setMissing(typed === "");
    if (typed === "") {
      input.current?.focus();
      return;
    }
    setPending(true);
    setError(undefined);
    try {
      await completeSignIn(challenge, typed);
    } catch (e) {
      const refused = asRequestError(e);
      setPending(false);
      if (refused.status === 401) {
        onEnded(refused.reason ?? refused.message);
        return;
      }
      setError(refused);
      setCode("");
      input.current?.focus();
    }
  };

  const label = challenge.acceptsRecoveryCodes ? "Code or recovery code" : "Code";
  return (
    <Stack component="form" noValidate onSubmit={(event) => void submit(event)} spacing={2.5}>
      <Alert severity="info">
        Open your authenticator app and enter the 6-digit code it shows for Alchemist.
        {challenge.acceptsRecoveryCodes && " No phone at hand? Enter one of your recovery codes instead."}
      </Alert>
      <TextField
        label={label}
        value={code}
        onChange={(event) => {
          setCode(event.target.value);
          setMissing(false);
        }}
        error={missing}
        helperText={missing ? "Enter the code from your app." : undefined}
        autoComplete="one-time-code"
        autoFocus
        inputRef={input}
        fullWidth
        slotProps={{ htmlInput: { maxLength: 32, autoCapitalize: "none", spellCheck: false } }}
      />
      {error && <FormErrorAlert title="Could not sign in" error={error} />}
      <Button type="submit" variant="contained" size="large">
        {pending ? "Checking…" : "Verify"}
      </Button>
      <Button onClick={onCancel} disabled={pending}>
        Use another account
      </Button>
    </Stack>
  );
}
