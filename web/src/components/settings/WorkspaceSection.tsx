import { useId, useState, type FormEvent } from "react";
import {
  Box,
  Button,
  FormControl,
  FormControlLabel,
  FormLabel,
  Paper,
  Radio,
  RadioGroup,
  Stack,
  TextField,
  Typography,
} from "@mui/material";
import { adminLimits, retentionDaysProblem, type WorkspaceSettings } from "../../data/admin";
import { useWorkspaceSettings } from "../../data/hooks/admin";
import { roleLabels, type Session } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation, type Mutation } from "../../data/useMutation";
import { monospace } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "./SectionLoadError";

/** `/settings/workspace`: what the workspace is, and how long it keeps conversations. */
export function WorkspaceSection({ session }: { readonly session: Session }) {
  const headingId = useId();
  const retentionHeadingId = useId();
  const settings = useWorkspaceSettings();
  // The form saves; the status line under it (there while the settings load too) says what was saved.
  const retention = useMutation<"save">();
  const name = session.workspaces.find((w) => w.tenantId === session.tenantId)?.name ?? session.tenantId;

  return (
    <Stack spacing={5}>
      <Stack component="section" aria-labelledby={headingId} spacing={2}>
        <SectionHeader id={headingId} title="Workspace" />
        <Paper sx={{ p: { xs: 2, sm: 3 } }}>
          <Box
            component="dl"
            sx={{
              m: 0,
              display: "grid",
              gridTemplateColumns: { xs: "1fr", sm: "max-content 1fr" },
              columnGap: 3,
              rowGap: { xs: 0.25, sm: 1.5 },
            }}
          >
            <Typography component="dt" color="text.secondary">
              Name
            </Typography>
            <Box component="dd" sx={{ m: 0, mb: { xs: 1.5, sm: 0 } }}>
              <Typography sx={{ fontWeight: 600, overflowWrap: "anywhere" }}>{name}</Typography>
              <Typography variant="body2" color="text.secondary">
                Chosen when the workspace was created. The platform cannot rename a workspace yet.
              </Typography>
            </Box>
            <Typography component="dt" color="text.secondary">
              Workspace ID
            </Typography>
            <Typography
              component="dd"
              sx={{ m: 0, mb: { xs: 1.5, sm: 0 }, fontFamily: monospace, overflowWrap: "anywhere" }}
            >
              {session.tenantId}
            </Typography>
            <Typography component="dt" color="text.secondary">
              Your role
            </Typography>
            <Typography component="dd" sx={{ m: 0 }}>
              {roleLabels[session.role]}
            </Typography>
          </Box>
        </Paper>
      </Stack>

      <Stack component="section" aria-labelledby={retentionHeadingId} spacing={2}>
        <SectionHeader
          id={retentionHeadingId}
          title="Data retention"
          level="h3"
          description="How long conversations, with their messages and traces, are kept. A daily job deletes those not updated for longer; deleted conversations cannot be recovered."
        />
        {settings.error && !settings.data && (
          <SectionLoadError error={settings.error} onRetry={settings.retry} retrying={settings.pending} />
        )}
        {!settings.data && !settings.error && <PageLoading label="Loading settings…" />}
        {settings.data && (
          <RetentionForm saved={settings.data} saving={retention} onSaved={settings.replace} />
        )}
        <Typography role="status" color="text.secondary">
          {retention.announcement}
        </Typography>
      </Stack>
    </Stack>
  );
}

type RetentionChoice = "forever" | "days";

interface RetentionFormProps {
  readonly saved: WorkspaceSettings;
  /** The save, its failure and the status line it announces on. */
  readonly saving: Mutation<"save">;
  readonly onSaved: (settings: WorkspaceSettings) => void;
}

function RetentionForm({ saved, saving, onSaved }: RetentionFormProps) {
  const studio = useStudio();
  const labelId = useId();
  const [choice, setChoice] = useState<RetentionChoice>(saved.retentionDays === null ? "forever" : "days");
  const [days, setDays] = useState(saved.retentionDays === null ? "90" : String(saved.retentionDays));
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const error = saving.error("save");

  const wanted: number | null | undefined =
    choice === "forever" ? null : retentionDaysProblem(days) === undefined ? Number(days.trim()) : undefined;
  const dirty = wanted !== saved.retentionDays;
  const shortens =
    typeof wanted === "number" && (saved.retentionDays === null || wanted < saved.retentionDays);

  const edit = (change: () => void) => {
    change();
    setProblem(undefined);
    saving.dismiss("save");
    saving.announce("");
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving.busy) return;
    const found = choice === "days" ? retentionDaysProblem(days) : undefined;
    setProblem(found);
    if (found) return;
    const retentionDays = choice === "forever" ? null : Number(days.trim());
    const save = async () => {
      const next = await studio.updateWorkspaceSettings({ retentionDays });
      onSaved(next);
      return next.retentionDays === null
        ? "Saved: conversations are kept until someone deletes them."
        : `Saved: conversations not updated for ${next.retentionDays} days are deleted.`;
    };
    await saving.run("save", save, {
      onFailure: (failure) => {
        const onDays = failure.issues.find((issue) => issue.path === "retentionDays");
        if (onDays) setProblem(onDays.message);
        return onDays !== undefined;
      },
    });
  };

  return (
    <Paper component="form" noValidate onSubmit={submit} sx={{ p: { xs: 2, sm: 3 } }}>
      <Stack spacing={2}>
        <FormControl>
          <FormLabel id={labelId}>Keep conversations</FormLabel>
          <RadioGroup
            aria-labelledby={labelId}
            value={choice}
            onChange={(event) => edit(() => setChoice(event.target.value as RetentionChoice))}
          >
            <FormControlLabel value="forever" control={<Radio />} label="Until someone deletes them" />
            <FormControlLabel value="days" control={<Radio />} label="For a number of days" />
          </RadioGroup>
        </FormControl>
        {choice === "days" && (
          <TextField
            label="Days"
            value={days}
            onChange={(event) => edit(() => setDays(event.target.value))}
            error={problem !== undefined}
            helperText={
              problem ??
              `Conversations not updated for this many days are deleted (${adminLimits.minRetentionDays} to ${adminLimits.maxRetentionDays.toLocaleString("en")}).`
            }
            slotProps={{ htmlInput: { inputMode: "numeric" } }}
            sx={{ maxWidth: { sm: 360 } }}
          />
        )}
        {dirty && shortens && (
          <Typography variant="body2" color="warning.dark">
            Once saved, conversations not updated for {wanted} days are deleted at the next daily run.
          </Typography>
        )}
        {error && <FormErrorAlert title="The retention was not saved" error={error} />}
        <Box sx={{ display: "flex", gap: 1.5, alignItems: "center", flexWrap: "wrap" }}>
          <Button type="submit" variant="contained">
            {saving.busy ? "Saving…" : "Save retention"}
          </Button>
          {!dirty && !problem && (
            <Typography variant="body2" color="text.secondary">
              No unsaved changes.
            </Typography>
          )}
        </Box>
      </Stack>
    </Paper>
  );
}
