import { useId, useRef, useState, type FormEvent, type RefObject } from "react";
import {
  Button,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { changePassword, passwordLimits } from "../data/session";
import { useMutation } from "../data/useMutation";
import { FormErrorAlert } from "./FormErrorAlert";

interface ChangePasswordDialogProps {
  readonly open: boolean;
  readonly onClose: () => void;
  /** The password changed; the studio goes on with the session the platform answered. */
  readonly onChanged: () => void;
  /** Firebase Auth signs the other sessions out as the local platform does; the note says so either way. */
  readonly signInWith: "local" | "firebase";
}

type FieldName = "currentPassword" | "newPassword" | "confirmPassword";
type Problems = Partial<Record<FieldName, string>>;

interface Draft {
  readonly currentPassword: string;
  readonly newPassword: string;
  readonly confirmPassword: string;
}

const emptyDraft: Draft = { currentPassword: "", newPassword: "", confirmPassword: "" };
const fieldOrder: readonly FieldName[] = ["currentPassword", "newPassword", "confirmPassword"];

/** What the form can tell before asking the platform (which checks again). */
function problemsOf(draft: Draft): Problems {
  const problems: Problems = {};
  if (draft.currentPassword === "") problems.currentPassword = "Enter your current password.";
  if (draft.newPassword.length < passwordLimits.min) {
    problems.newPassword = `At least ${passwordLimits.min} characters.`;
  } else if (draft.newPassword.length > passwordLimits.max) {
    problems.newPassword = `At most ${passwordLimits.max} characters.`;
  } else if (draft.newPassword === draft.currentPassword) {
    problems.newPassword = "Choose a password different from the current one.";
  }
  if (!problems.newPassword && draft.confirmPassword !== draft.newPassword) {
    problems.confirmPassword = "The two new passwords are not the same.";
  }
  return problems;
}

/**
 * Change password: the current one, the new one twice. Problems show next to their field and focus moves to
 * the first of them; a refusal the platform explains otherwise shows above the buttons. On success every
 * other session of the account has ended, and this one goes on.
 */
export function ChangePasswordDialog({ open, onClose, onChanged, signInWith }: ChangePasswordDialogProps) {
  const titleId = useId();
  const [draft, setDraft] = useState<Draft>(emptyDraft);
  const [problems, setProblems] = useState<Problems>({});
  const changing = useMutation<"change">();
  const pending = changing.busy !== undefined;
  const error = changing.error("change");
  const refs: Record<FieldName, RefObject<HTMLInputElement | null>> = {
    currentPassword: useRef<HTMLInputElement>(null),
    newPassword: useRef<HTMLInputElement>(null),
    confirmPassword: useRef<HTMLInputElement>(null),
  };

  const focusFirst = (found: Problems) => {
    const first = fieldOrder.find((name) => found[name] !== undefined);
    if (first) refs[first].current?.focus();
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (pending) return;
    const found = problemsOf(draft);
    setProblems(found);
    changing.dismiss("change");
    if (Object.keys(found).length > 0) {
      focusFirst(found);
      return;
    }
    const change = async () => {
      await changePassword({ currentPassword: draft.currentPassword, newPassword: draft.newPassword });
      onChanged();
    };
    await changing.run("change", change, {
      onFailure: (refused) => {
        // The platform names the field it refused (a wrong current password, a reused one): show it there.
        const fromPlatform: Problems = {};
        for (const issue of refused.issues) {
          if ((fieldOrder as readonly string[]).includes(issue.path)) {
            fromPlatform[issue.path as FieldName] ??= `${issue.message.replace(/\.$/, "")}.`;
          }
        }
        setProblems(fromPlatform);
        focusFirst(fromPlatform);
        return Object.keys(fromPlatform).length > 0;
      },
    });
  };

  const field = (name: FieldName, label: string, autoComplete: string, help?: string) => (
    <TextField
      label={label}
      type="password"
      value={draft[name]}
      onChange={(event) => {
        setDraft((d) => ({ ...d, [name]: event.target.value }));
        setProblems(({ [name]: _fixed, ...rest }) => rest);
      }}
      error={problems[name] !== undefined}
      helperText={problems[name] ?? help}
      autoComplete={autoComplete}
      autoFocus={name === "currentPassword"}
      inputRef={refs[name]}
      fullWidth
      required
      slotProps={{ htmlInput: { maxLength: 1000 } }}
    />
  );

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
            setDraft(emptyDraft);
            setProblems({});
            changing.dismiss("change");
          },
        },
      }}
    >
      <Stack component="form" noValidate onSubmit={(event) => void submit(event)}>
        <DialogTitle id={titleId}>Change password</DialogTitle>
        <DialogContent>
          <Stack spacing={2.5} sx={{ pt: 1 }}>
            <Typography color="text.secondary">
              {signInWith === "firebase"
                ? "Your other sessions end as Firebase Auth signs them out; this one goes on."
                : "Every other session of your account ends, on every device; this one goes on."}
            </Typography>
            {field("currentPassword", "Current password", "current-password")}
            {field(
              "newPassword",
              "New password",
              "new-password",
              `${passwordLimits.min} to ${passwordLimits.max} characters.`,
            )}
            {field("confirmPassword", "Confirm new password", "new-password")}
            {error && <FormErrorAlert title="Your password was not changed" error={error} />}
          </Stack>
        </DialogContent>
        <DialogActions sx={{ px: 3, pb: 2 }}>
          <Button onClick={onClose} disabled={pending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained">
            {pending ? "Changing…" : "Change password"}
          </Button>
        </DialogActions>
      </Stack>
    </Dialog>
  );
}
