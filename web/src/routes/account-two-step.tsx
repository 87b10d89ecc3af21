import { useCallback, useEffect, useId, useState, type FormEvent, type ReactNode } from "react";
import {
  Alert,
  AlertTitle,
  Box,
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Link,
  Paper,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { saveFile } from "../components/saveFile";
import { formatInstant } from "../components/shared/format";
import { copyLabel, useCopy } from "../components/useCopy";
import { usePageTitle } from "../components/usePageTitle";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import type { TwoStepEnrolment, TwoStepStatus } from "../data/session";
import { twoStep } from "../data/twoStep";
import { useRemoteData } from "../data/useRemoteData";

/** The otpauth URI as an SVG QR code (no canvas needed); the library loads with this page only. */
function useQrCode(uri: string): string | undefined {
  const [image, setImage] = useState<string | undefined>(undefined);
  useEffect(() => {
    let live = true;
    void import("qrcode")
      .then(({ toString }) => toString(uri, { type: "svg", margin: 1, errorCorrectionLevel: "M" }))
      .then((svg) => {
        if (live) setImage(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`);
      })
      .catch(() => undefined);
    return () => {
      live = false;
    };
  }, [uri]);
  return image;
}

/** A base32 secret in groups of four, as authenticator apps show and accept it. */
const grouped = (secret: string): string => secret.replace(/(.{4})(?=.)/g, "$1 ");

/**
 * `/account/two-step`: the signed-in person's two-step sign-in. Off: set it up (scan a QR code or type the
 * key into an authenticator app, confirm with a code, save the recovery codes). On: how many recovery codes
 * are left, new ones, or turn it off (password and a code). Local accounts and Firebase Auth alike; Firebase
 * Auth has no recovery codes.
 */
export function TwoStepPage() {
  usePageTitle("Two-step sign-in");
  const settings = twoStep();
  const load = useCallback(() => settings.status(), [settings]);
  const status = useRemoteData(load);
  const [enrolment, setEnrolment] = useState<TwoStepEnrolment | undefined>(undefined);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<PlatformRequestError | undefined>(undefined);
  /** Recovery codes just made: shown once, until the person says they saved them. */
  const [freshCodes, setFreshCodes] = useState<readonly string[] | undefined>(undefined);
  const [dialog, setDialog] = useState<"disable" | "codes" | null>(null);
  const [notice, setNotice] = useState<string | undefined>(undefined);

  const start = async () => {
    if (starting) return;
    setStarting(true);
    setStartError(undefined);
    setNotice(undefined);
    try {
      setEnrolment(await settings.startEnrolment());
    } catch (e) {
      setStartError(asRequestError(e));
    } finally {
      setStarting(false);
    }
  };

  let body: ReactNode;
  if (freshCodes) {
    body = (
      <RecoveryCodes
        codes={freshCodes}
        onDone={() => {
          setFreshCodes(undefined);
          status.retry();
        }}
      />
    );
  } else if (enrolment) {
    body = (
      <EnrolmentForm
        enrolment={enrolment}
        onCancel={() => setEnrolment(undefined)}
        onEnabled={(codes) => {
          setEnrolment(undefined);
          if (codes.length > 0) setFreshCodes(codes);
          else status.retry();
          setNotice("Two-step sign-in is on. Your other sessions were signed out.");
        }}
      />
    );
  } else if (status.data) {
    body = (
      <StatusCard
        status={status.data}
        recoveryCodes={settings.recoveryCodes}
        starting={starting}
        startError={startError}
        onStart={() => void start()}
        onDisable={() => setDialog("disable")}
        onNewCodes={() => setDialog("codes")}
      />
    );
  } else if (status.error) {
    body = <RequestErrorAlert error={status.error} onRetry={status.retry} retrying={status.pending} />;
  } else {
    body = <PageLoading label="Loading your sign-in settings…" />;
  }

  return (
    <Stack spacing={3} sx={{ maxWidth: 720 }}>
      <PageHeader
        title="Two-step sign-in"
        intro="After your password, a code from an authenticator app on your phone: a stolen password alone no longer opens your account."
      />
      {notice && !freshCodes && (
        <Alert severity="success" role="status">
          {notice}
        </Alert>
      )}
      {body}
      <DisableDialog
        open={dialog === "disable"}
        recoveryCodes={settings.recoveryCodes}
        onClose={() => setDialog(null)}
        onDone={async (input) => {
          await settings.disable(input);
          setDialog(null);
          setNotice("Two-step sign-in is off. Your other sessions were signed out.");
          status.retry();
        }}
      />
      <NewCodesDialog
        open={dialog === "codes"}
        onClose={() => setDialog(null)}
        onDone={async (code) => {
          const codes = await settings.regenerateRecoveryCodes(code);
          setDialog(null);
          setNotice(undefined);
          setFreshCodes(codes);
        }}
      />
    </Stack>
  );
}

interface StatusCardProps {
  readonly status: TwoStepStatus;
  readonly recoveryCodes: boolean;
  readonly starting: boolean;
  readonly startError: PlatformRequestError | undefined;
  readonly onStart: () => void;
  readonly onDisable: () => void;
  readonly onNewCodes: () => void;
}

function StatusCard({
  status,
  recoveryCodes,
  starting,
  startError,
  onStart,
  onDisable,
  onNewCodes,
}: StatusCardProps) {
  if (!status.enrolled) {
    return (
      <Paper sx={{ p: 3 }}>
        <Stack spacing={2} sx={{ alignItems: "flex-start" }}>
          <Typography variant="h2">Two-step sign-in is off</Typography>
          <Typography>
            You will need an authenticator app (Google Authenticator, Microsoft Authenticator, 1Password,
            Authy…). Setting it up signs out your other sessions.
          </Typography>
          {startError && <FormErrorAlert title="Could not start the setup" error={startError} />}
          <Button variant="contained" onClick={onStart}>
            {starting ? "Starting…" : "Set up two-step sign-in"}
          </Button>
        </Stack>
      </Paper>
    );
  }
  return (
    <Paper sx={{ p: 3 }}>
      <Stack spacing={2} sx={{ alignItems: "flex-start" }}>
        <Typography variant="h2">Two-step sign-in is on</Typography>
        <Typography>
          {status.enabledAt ? `Turned on ${formatInstant(status.enabledAt)}. ` : ""}
          {status.thisSession === true
            ? "You signed in to this session with your code."
            : status.thisSession === false
              ? "This session was signed in before it was on: sign out and in again to use your code."
              : ""}
        </Typography>
        {recoveryCodes && status.recoveryCodesLeft !== null && (
          <Typography>
            {status.recoveryCodesLeft === 1
              ? "1 recovery code left."
              : `${status.recoveryCodesLeft} recovery codes left.`}
            {status.recoveryCodesLeft <= 3 && " Make new ones before you run out."}
          </Typography>
        )}
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: "wrap" }}>
          {recoveryCodes && (
            <Button variant="outlined" onClick={onNewCodes}>
              New recovery codes
            </Button>
          )}
          <Button variant="outlined" color="error" onClick={onDisable}>
            Turn off
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
}

/** Scan or type the secret, then confirm with a code of it. */
function EnrolmentForm({
  enrolment,
  onCancel,
  onEnabled,
}: {
  readonly enrolment: TwoStepEnrolment;
  readonly onCancel: () => void;
  readonly onEnabled: (codes: readonly string[]) => void;
}) {
  const qr = useQrCode(enrolment.otpauthUri);
  const secretId = useId();
  const [code, setCode] = useState("");
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const typed = code.replace(/\s/g, "");
    if (!/^\d{6}$/.test(typed)) {
      setProblem("Enter the 6 digits your app shows.");
      return;
    }
    setProblem(undefined);
    setError(undefined);
    setPending(true);
    try {
      const { recoveryCodes } = await enrolment.confirm(typed);
      onEnabled(recoveryCodes);
    } catch (e) {
      const refused = asRequestError(e);
      const onField = refused.issues.find((i) => i.path === "code");
      if (onField) setProblem(onField.message);
      else setError(refused);
      setPending(false);
    }
  };

  return (
    <Paper sx={{ p: 3 }}>
      <Stack component="form" noValidate spacing={2.5} onSubmit={(event) => void submit(event)}>
        <Typography variant="h2">1. Add Alchemist to your authenticator app</Typography>
        <Typography>Scan this QR code with the app, or enter the key by hand.</Typography>
        <Box
          sx={{
            width: 200,
            height: 200,
            bgcolor: "#fff",
            border: 1,
            borderColor: "divider",
            display: "flex",
            alignItems: "center",
            justifyContent: "center",
          }}
        >
          {qr ? (
            <img src={qr} width={192} height={192} alt="QR code of your two-step sign-in key" />
          ) : (
            <Typography color="text.secondary">Drawing the QR code…</Typography>
          )}
        </Box>
        <Box>
          <Typography id={secretId} variant="body2" color="text.secondary">
            Key (time-based, 6 digits, every 30 seconds)
          </Typography>
          <Typography
            aria-labelledby={secretId}
            data-testid="two-step-secret"
            sx={{ fontFamily: "monospace", fontSize: "1.1rem", wordBreak: "break-all" }}
          >
            {grouped(enrolment.secret)}
          </Typography>
          <Link href={enrolment.otpauthUri} variant="body2">
            Open in an authenticator app on this device
          </Link>
        </Box>
        <Typography variant="h2">2. Enter the code the app shows</Typography>
        <TextField
          label="6-digit code"
          value={code}
          onChange={(event) => {
            setCode(event.target.value);
            setProblem(undefined);
          }}
          error={problem !== undefined}
          helperText={
            problem ?? (enrolment.expiresAt ? `Finish by ${formatInstant(enrolment.expiresAt)}.` : undefined)
          }
          autoComplete="one-time-code"
          slotProps={{ htmlInput: { inputMode: "numeric", maxLength: 12 } }}
          sx={{ maxWidth: 260 }}
        />
        {error && <FormErrorAlert title="Two-step sign-in is not on" error={error} />}
        <Stack direction="row" spacing={1.5}>
          <Button type="submit" variant="contained">
            {pending ? "Turning on…" : "Turn on"}
          </Button>
          <Button onClick={onCancel} disabled={pending}>
            Cancel
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
}

/** The recovery codes, shown once: copy, download, then done. */
function RecoveryCodes({
  codes,
  onDone,
}: {
  readonly codes: readonly string[];
  readonly onDone: () => void;
}) {
  const text = `${codes.join("\n")}\n`;
  const { copied, copy } = useCopy(text);
  const listId = useId();
  return (
    <Paper sx={{ p: 3 }}>
      <Stack spacing={2} sx={{ alignItems: "flex-start" }}>
        <Alert severity="warning" sx={{ width: "100%" }}>
          <AlertTitle>Save your recovery codes now</AlertTitle>
          Each one signs you in once if your phone is lost. They are shown this once: keep them somewhere
          safe, away from your password.
        </Alert>
        <Typography id={listId} variant="h2">
          Recovery codes
        </Typography>
        <Box
          component="ul"
          aria-labelledby={listId}
          sx={{
            m: 0,
            pl: 0,
            listStyle: "none",
            display: "grid",
            gridTemplateColumns: "repeat(2, minmax(0, 12ch))",
            gap: 1,
            fontFamily: "monospace",
            fontSize: "1.1rem",
          }}
        >
          {codes.map((c) => (
            <li key={c}>{c}</li>
          ))}
        </Box>
        <Stack direction="row" spacing={1.5} useFlexGap sx={{ flexWrap: "wrap" }}>
          <Button variant="outlined" onClick={copy}>
            {copied ? copyLabel(copied) : "Copy codes"}
          </Button>
          <Button
            variant="outlined"
            onClick={() => saveFile("alchemist-recovery-codes.txt", new Blob([text], { type: "text/plain" }))}
          >
            Download
          </Button>
          <Button variant="contained" onClick={onDone}>
            I saved them
          </Button>
        </Stack>
      </Stack>
    </Paper>
  );
}

/** A small form dialog whose submit may fail with a field named by the platform. */
function CodeDialog({
  open,
  title,
  intro,
  submitLabel,
  fields,
  destructive,
  onClose,
  onSubmit,
}: {
  readonly open: boolean;
  readonly title: string;
  readonly intro: string;
  readonly submitLabel: string;
  readonly fields: readonly {
    name: string;
    label: string;
    type: "password" | "text";
    autoComplete: string;
  }[];
  readonly destructive?: boolean;
  readonly onClose: () => void;
  readonly onSubmit: (values: Record<string, string>) => Promise<void>;
}) {
  const titleId = useId();
  const [values, setValues] = useState<Record<string, string>>({});
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [error, setError] = useState<PlatformRequestError | undefined>(undefined);
  const [pending, setPending] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const missing: Record<string, string> = {};
    for (const f of fields)
      if ((values[f.name] ?? "").trim() === "") missing[f.name] = `Enter your ${f.label.toLowerCase()}.`;
    setProblems(missing);
    setError(undefined);
    if (Object.keys(missing).length > 0) return;
    setPending(true);
    try {
      await onSubmit(values);
    } catch (e) {
      const refused = asRequestError(e);
      const named: Record<string, string> = {};
      for (const issue of refused.issues)
        if (fields.some((f) => f.name === issue.path)) named[issue.path] = issue.message;
      setProblems(named);
      if (Object.keys(named).length === 0) setError(refused);
    } finally {
      setPending(false);
    }
  };

  return (
    <Dialog
      open={open}
      onClose={pending ? undefined : onClose}
      aria-labelledby={titleId}
      maxWidth="xs"
      fullWidth
      slotProps={{
        transition: {
          onExited: () => {
            setValues({});
            setProblems({});
            setError(undefined);
          },
        },
      }}
    >
      <Stack component="form" noValidate onSubmit={(event) => void submit(event)}>
        <DialogTitle id={titleId}>{title}</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">{intro}</Typography>
            {fields.map((f, i) => (
              <TextField
                key={f.name}
                label={f.label}
                type={f.type}
                autoComplete={f.autoComplete}
                autoFocus={i === 0}
                value={values[f.name] ?? ""}
                onChange={(event) => {
                  setValues((v) => ({ ...v, [f.name]: event.target.value }));
                  setProblems(({ [f.name]: _fixed, ...rest }) => rest);
                }}
                error={problems[f.name] !== undefined}
                helperText={problems[f.name]}
                fullWidth
                slotProps={{ htmlInput: { maxLength: f.type === "password" ? 1000 : 32 } }}
              />
            ))}
            {error && <FormErrorAlert title="Nothing was changed" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" color={destructive ? "error" : "primary"}>
            {pending ? "Working…" : submitLabel}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}

function DisableDialog({
  open,
  recoveryCodes,
  onClose,
  onDone,
}: {
  readonly open: boolean;
  readonly recoveryCodes: boolean;
  readonly onClose: () => void;
  readonly onDone: (input: { password: string; code: string }) => Promise<void>;
}) {
  return (
    <CodeDialog
      open={open}
      title="Turn off two-step sign-in?"
      intro="Your password alone will sign you in again. Your other sessions are signed out."
      submitLabel="Turn off"
      destructive
      fields={[
        { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
        {
          name: "code",
          label: recoveryCodes ? "Code or recovery code" : "Code",
          type: "text",
          autoComplete: "one-time-code",
        },
      ]}
      onClose={onClose}
      onSubmit={(values) => onDone({ password: values.password ?? "", code: (values.code ?? "").trim() })}
    />
  );
}

function NewCodesDialog({
  open,
  onClose,
  onDone,
}: {
  readonly open: boolean;
  readonly onClose: () => void;
  readonly onDone: (code: string) => Promise<void>;
}) {
  return (
    <CodeDialog
      open={open}
      title="Make new recovery codes?"
      intro="Ten new codes replace all the old ones, used or not."
      submitLabel="Make new codes"
      fields={[{ name: "code", label: "Code or recovery code", type: "text", autoComplete: "one-time-code" }]}
      onClose={onClose}
      onSubmit={(values) => onDone((values.code ?? "").trim())}
    />
  );
}
