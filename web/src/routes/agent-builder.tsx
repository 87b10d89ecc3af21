import { useCallback, useEffect, useMemo, useState, type KeyboardEvent, type ReactNode } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router";
import { Alert, Box, Button, Link, Paper, Stack, Typography } from "@mui/material";
import { AgentForm } from "../components/agent-builder/AgentForm";
import { PublishDialog } from "../components/agent-builder/PublishDialog";
import { PublishGatePanel } from "../components/agent-builder/PublishGatePanel";
import { VersionDiffDialog } from "../components/agent-builder/VersionDiffDialog";
import { VersionsPanel } from "../components/agent-builder/VersionsPanel";
import { EnvironmentsPanel } from "../components/environments/EnvironmentsPanel";
import { AgentStatusChip } from "../components/AgentStatusChip";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { PageLoading } from "../components/PageLoading";
import { PublishedVersion } from "../components/PublishedVersion";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { useUnsavedChangesGuard } from "../components/UnsavedChangesGuard";
import { usePageTitle } from "../components/usePageTitle";
import { unlistedAgentOptions, type AgentOptions } from "../data/agentOptions";
import {
  applyDraft,
  createInputOf,
  draftChanges,
  draftFieldOfIssue,
  draftOf,
  newAgentDraft,
  newAgentDraftFor,
  sameValue,
  validateDraft,
  type Agent,
  type AgentDraft,
  type AgentVersion,
  type DraftErrors,
} from "../data/agents";
import { useAgent, useAgentOptions, useAgentVersions, useKnowledgeBases } from "../data/hooks/agents";
import type { KnowledgeBaseList } from "../data/knowledgeBases";
import { asRequestError, type PlatformRequestError } from "../data/platform";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useSessionFacts } from "../components/SessionFacts";
import { useMutation } from "../data/useMutation";
import type { RemoteData } from "../data/useRemoteData";

/**
 * Loaded on demand (see routes/index.tsx). `/agents/new` creates an agent; `/agents/:agentId` edits its
 * draft, publishes it, changes its status and shows its versions.
 */
export function AgentBuilderPage() {
  const { agentId } = useParams();
  // Keyed: another agent (or the one just created) starts from a fresh form.
  return agentId === undefined ? <NewAgent /> : <ExistingAgent key={agentId} agentId={agentId} />;
}

/** A failed request and what it was for, shown above the form. */
interface Failure {
  readonly title: string;
  readonly error: PlatformRequestError;
}

/** Field errors from the platform's validation issues; issues about no form field stay in the alert. */
function draftErrorsOf(error: PlatformRequestError): DraftErrors {
  const errors: DraftErrors = {};
  for (const issue of error.issues) {
    const field = draftFieldOfIssue(issue.path);
    if (field && errors[field] === undefined) errors[field] = issue.message;
  }
  return errors;
}

function hasErrors(errors: DraftErrors): boolean {
  return Object.values(errors).some((message) => message !== undefined);
}

/** The form's edits with their errors: a field's error goes away as soon as it is edited. */
function useDraftEditor(initial: AgentDraft) {
  const [draft, setDraft] = useState(initial);
  const [errors, setErrors] = useState<DraftErrors>({});
  // Stable, so the form's sections re-render only when their own fields change.
  const change = useCallback((edit: Partial<AgentDraft>) => {
    setDraft((current) => ({ ...current, ...edit }));
    setErrors((current) => {
      const edited = Object.keys(edit) as (keyof AgentDraft)[];
      if (!edited.some((key) => current[key] !== undefined)) return current;
      const next = { ...current };
      for (const key of edited) delete next[key];
      return next;
    });
  }, []);
  return { draft, setDraft, errors, setErrors, change };
}

/** A dialog about one thing (a version): the thing stays while the dialog fades out, so its text does not flash. */
function useDialogAbout<T>() {
  const [subject, setSubject] = useState<T | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const show = useCallback((about: T) => {
    setSubject(about);
    setOpen(true);
  }, []);
  const close = useCallback(() => setOpen(false), []);
  return { subject, open, show, close };
}

/** Ctrl+S (⌘S on a Mac) saves, as in every editor. */
function onSaveShortcut(save: () => void) {
  return (event: KeyboardEvent) => {
    if (event.key.toLowerCase() === "s" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      save();
    }
  };
}

/**
 * What the platform offers agents, once it has answered; `undefined` while it is asked. When it cannot be
 * asked, the schema's own limits: the platform still refuses what its operator does not allow.
 */
function useOfferedOptions(): AgentOptions | undefined {
  const options = useAgentOptions();
  return options.data ?? (options.error ? unlistedAgentOptions : undefined);
}

// ----- a new agent -------------------------------------------------------------------------------------

function NewAgent() {
  usePageTitle("New agent");
  const studio = useStudio();
  const navigate = useNavigate();
  const knowledgeBases = useKnowledgeBases();
  const options = useOfferedOptions();
  const { session } = useSession();
  const editor = useDraftEditor(newAgentDraft);
  const { setDraft } = editor;
  const creating = useMutation<"create">();
  // Created: the page is on its way to the new agent, and keeps saying so until it gets there.
  const [created, setCreated] = useState(false);
  const saving = creating.busy === "create" || created;
  const failure = creating.error("create");
  // Once the platform says what it allows, an untouched form starts from defaults that fit it.
  const fitted = useMemo(() => (options ? newAgentDraftFor(options) : newAgentDraft), [options]);
  useEffect(() => {
    setDraft((current) => (sameValue(current, newAgentDraft) ? fitted : current));
  }, [fitted, setDraft]);
  const dirty = !sameValue(editor.draft, newAgentDraft) && !sameValue(editor.draft, fitted);
  const guard = useUnsavedChangesGuard(dirty);

  if (!session || !roleAtLeast(session.role, "editor")) {
    return (
      <Stack spacing={3}>
        <BuilderHeader title="New agent" />
        <Alert severity="info">
          Only editors, admins and owners create agents. Ask one of them for access.
        </Alert>
      </Stack>
    );
  }

  const save = async () => {
    if (saving) return;
    const problems = validateDraft(editor.draft, options);
    editor.setErrors(problems);
    if (hasErrors(problems)) {
      creating.dismiss("create");
      return;
    }
    const create = async () => {
      const { id } = await studio.createAgent(createInputOf(editor.draft));
      guard.allowNextNavigation();
      setCreated(true);
      navigate(`/agents/${encodeURIComponent(id)}`, { replace: true });
    };
    await creating.run("create", create, {
      // The fields the platform refused are marked too; the alert says why.
      onFailure: (error) => editor.setErrors(draftErrorsOf(error)),
    });
  };

  return (
    <Stack spacing={3} onKeyDown={onSaveShortcut(() => void save())}>
      <BuilderHeader title="New agent">
        <Typography color="text.secondary">
          An agent starts as a draft. Save it, try it, then publish it when it answers well.
        </Typography>
      </BuilderHeader>
      {failure && <FormErrorAlert title="The agent was not created" error={failure} />}
      <AgentForm
        draft={editor.draft}
        onChange={editor.change}
        errors={editor.errors}
        knowledgeBases={knowledgeBases}
        options={options}
        readOnly={false}
      />
      <SaveBar
        status={
          saving ? "Saving…" : hasErrors(editor.errors) ? "Fix the fields marked in red." : "Not saved yet."
        }
        onSave={() => void save()}
        saveLabel={saving ? "Saving…" : "Save draft"}
      />
      {guard.dialog}
    </Stack>
  );
}

// ----- an existing agent -------------------------------------------------------------------------------

function ExistingAgent({ agentId }: { readonly agentId: string }) {
  const agent = useAgent(agentId);
  const versions = useAgentVersions(agentId);
  const knowledgeBases = useKnowledgeBases();
  const options = useOfferedOptions();
  usePageTitle(agent.data?.name ?? "Agent");

  if (!agent.data) {
    if (agent.error?.status === 404) {
      return (
        <Stack spacing={3}>
          <BuilderHeader title="Agent not found" />
          <Alert severity="warning">
            This workspace has no agent with the id {agentId}. It may belong to another workspace.
          </Alert>
          <Box>
            <Button component={RouterLink} to="/agents" variant="contained">
              See all agents
            </Button>
          </Box>
        </Stack>
      );
    }
    return (
      <Stack spacing={3}>
        <BuilderHeader title="Agent" />
        {agent.error ? (
          <RequestErrorAlert error={agent.error} onRetry={agent.retry} retrying={agent.pending} />
        ) : (
          <PageLoading label="Loading the agent…" />
        )}
      </Stack>
    );
  }
  return (
    <AgentEditor
      agent={agent.data}
      remote={agent}
      versions={versions}
      knowledgeBases={knowledgeBases}
      options={options}
    />
  );
}

type Busy = "save" | "publish" | "rollback" | "pause" | "resume" | "archive";

interface AgentEditorProps {
  readonly agent: Agent;
  /** The agent's request: `replace` takes the answer of a change, `retry` reads it again. */
  readonly remote: RemoteData<Agent>;
  readonly versions: RemoteData<AgentVersion[]>;
  readonly knowledgeBases: RemoteData<KnowledgeBaseList>;
  /** What the platform offers agents; `undefined` while it is asked. */
  readonly options: AgentOptions | undefined;
}

function AgentEditor({ agent, remote, versions, knowledgeBases, options }: AgentEditorProps) {
  const studio = useStudio();
  const { session } = useSession();
  const facts = useSessionFacts();
  const editor = useDraftEditor(draftOf(agent));
  const { draft } = editor;
  /** One action at a time; the dialogs show their own action's failure; the outcome is announced. */
  const actions = useMutation<Busy>();
  const { busy } = actions;
  /** A failed save or status change, shown above the form. */
  const [failure, setFailure] = useState<Failure | undefined>(undefined);
  const [publishOpen, setPublishOpen] = useState(false);
  const comparing = useDialogAbout<AgentVersion>();
  const rollback = useDialogAbout<AgentVersion>();
  const [archiveOpen, setArchiveOpen] = useState(false);

  const { show: showRollbackDialog } = rollback;
  const { dismiss } = actions;
  const showRollback = useCallback(
    (version: AgentVersion) => {
      dismiss("rollback");
      showRollbackDialog(version);
    },
    [dismiss, showRollbackDialog],
  );

  // Production's version is the agent's published version: a promotion or rollback there changes it.
  const { retry: refreshAgent } = remote;

  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  const archived = agent.status === "archived";
  const readOnly = archived || !canEdit;
  const dirty = !readOnly && !sameValue(draftOf(agent), draft);
  const guard = useUnsavedChangesGuard(dirty);

  const servingVersion = versions.data?.find((v) => v.version === agent.publishedVersion);
  // Memoized: the form's sections re-render only when their own props change.
  const serving = useMemo(
    () => servingVersion && { version: servingVersion.version, channels: servingVersion.config.channels },
    [servingVersion],
  );

  const knowledgeBaseName = (id: string) =>
    (knowledgeBases.data?.available && knowledgeBases.data.knowledgeBases.find((kb) => kb.id === id)?.name) ||
    id;

  /** Saves what changed; answers the saved agent, or nothing when the draft could not be saved. */
  const saveDraft = async (): Promise<Agent | undefined> => {
    const problems = validateDraft(draft, options);
    editor.setErrors(problems);
    if (hasErrors(problems)) {
      setFailure(undefined);
      return undefined;
    }
    const patch = draftChanges(agent, draft);
    if (Object.keys(patch).length === 0) return agent;
    try {
      const saved = await studio.updateAgent(agent.id, patch);
      remote.replace(saved);
      // Adopt the platform's copy (trimmed, de-duplicated) unless the form was edited meanwhile.
      editor.setDraft((current) => (current === draft ? draftOf(saved) : current));
      setFailure(undefined);
      return saved;
    } catch (e) {
      const error = asRequestError(e);
      editor.setErrors(draftErrorsOf(error));
      setFailure({ title: "The draft was not saved", error });
      return undefined;
    }
  };

  const save = () =>
    actions.run("save", async () => {
      if (!dirty) return "Nothing to save: the draft is up to date.";
      if (await saveDraft()) return "Draft saved.";
    });

  const publish = (note: string, environment: string) =>
    actions.run("publish", async () => {
      if (dirty && !(await saveDraft())) {
        setPublishOpen(false);
        return;
      }
      const toProduction = environment === "production";
      const published = await studio.publishAgent(agent.id, note, toProduction ? undefined : environment);
      remote.replace(published);
      versions.retry();
      setPublishOpen(false);
      return toProduction
        ? `Published version ${published.publishedVersion ?? published.latestVersion}.`
        : `Published version ${published.latestVersion} to ${environment}.`;
    });

  const rollBack = (target: AgentVersion) =>
    actions.run("rollback", async () => {
      remote.replace(await studio.rollbackAgent(agent.id, target.version));
      rollback.close();
      return `Conversations now get version ${target.version}.`;
    });

  const changeStatus = (what: "pause" | "resume") =>
    actions.run(
      what,
      async () => {
        remote.replace(await (what === "pause" ? studio.pauseAgent(agent.id) : studio.resumeAgent(agent.id)));
        setFailure(undefined);
        return what === "pause"
          ? "Paused: the agent does not answer until you resume it."
          : "Resumed: the agent answers again.";
      },
      {
        onFailure: (error) => {
          setFailure({ title: `The agent was not ${what === "pause" ? "paused" : "resumed"}`, error });
          return true;
        },
      },
    );

  const archive = () =>
    actions.run("archive", async () => {
      await studio.archiveAgent(agent.id);
      setArchiveOpen(false);
      editor.setDraft(draftOf(agent));
      remote.retry();
      return "Archived: the agent no longer answers. Its versions stay readable.";
    });

  const saveStatus =
    busy === "save"
      ? "Saving…"
      : hasErrors(editor.errors)
        ? "Fix the fields marked in red."
        : dirty
          ? "You have unsaved changes."
          : "All changes saved.";

  return (
    <Stack spacing={3} onKeyDown={readOnly ? undefined : onSaveShortcut(() => void save())}>
      <BuilderHeader title={agent.name}>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1.5, flexWrap: "wrap" }}>
          <AgentStatusChip status={agent.status} />
          <Typography color="text.secondary">
            Serving: <PublishedVersion agent={agent} />
          </Typography>
        </Box>
      </BuilderHeader>

      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
        {!archived && (
          <Button
            component={RouterLink}
            to={`/agents/${encodeURIComponent(agent.id)}/playground${readOnly ? "" : "?version=draft"}`}
            variant="outlined"
          >
            Try it
          </Button>
        )}
        {!readOnly && (
          <>
            <Button
              variant="contained"
              onClick={() => {
                dismiss("publish");
                setPublishOpen(true);
              }}
            >
              Publish…
            </Button>
            {agent.status === "published" && (
              <Button variant="outlined" onClick={() => void changeStatus("pause")}>
                {busy === "pause" ? "Pausing…" : "Pause"}
              </Button>
            )}
            {agent.status === "paused" && (
              <Button variant="outlined" onClick={() => void changeStatus("resume")}>
                {busy === "resume" ? "Resuming…" : "Resume"}
              </Button>
            )}
            <Button
              color="error"
              onClick={() => {
                dismiss("archive");
                setArchiveOpen(true);
              }}
            >
              Archive…
            </Button>
          </>
        )}
        {/* Always in the page, so screen readers announce each new outcome. */}
        <Typography role="status" color="text.secondary" sx={{ ml: { sm: 1 } }}>
          {actions.announcement}
        </Typography>
      </Box>

      {archived && (
        <Alert severity="info">
          This agent is archived: it no longer answers and its draft can no longer change. Its versions,
          conversations and traces stay readable.
        </Alert>
      )}
      {!archived && !canEdit && (
        <Alert severity="info">
          You can read this agent. Editors, admins and owners change and publish it.
        </Alert>
      )}
      {failure && <FormErrorAlert title={failure.title} error={failure.error} />}

      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", lg: "minmax(0, 2fr) minmax(0, 1fr)" },
          alignItems: "start",
        }}
      >
        <Stack spacing={3}>
          <AgentForm
            draft={draft}
            onChange={editor.change}
            errors={editor.errors}
            knowledgeBases={knowledgeBases}
            options={options}
            readOnly={readOnly}
            serving={serving}
          />
          {!readOnly && (
            <SaveBar
              status={saveStatus}
              onSave={() => void save()}
              saveLabel={busy === "save" ? "Saving…" : "Save draft"}
              onDiscard={dirty ? () => editor.setDraft(draftOf(agent)) : undefined}
            />
          )}
        </Stack>
        <Stack spacing={3} sx={{ position: { lg: "sticky" }, top: { lg: 88 } }}>
          <VersionsPanel
            agent={agent}
            versions={versions}
            accountId={session?.accountId ?? ""}
            canRollBack={!readOnly}
            onCompare={comparing.show}
            onRollBack={showRollback}
          />
          <EnvironmentsPanel
            agent={agent}
            versions={versions}
            accountId={session?.accountId ?? ""}
            canChange={!readOnly}
            onChanged={refreshAgent}
          />
          <PublishGatePanel
            agent={agent}
            canChange={!readOnly}
            onChanged={(publishGate, said) => {
              remote.replace({ ...agent, publishGate });
              actions.announce(said);
            }}
          />
        </Stack>
      </Box>

      <PublishDialog
        open={publishOpen}
        nextVersion={agent.latestVersion + 1}
        savesFirst={dirty}
        pending={busy === "publish"}
        error={actions.error("publish")}
        environments={facts.workspace?.environments ?? []}
        gate={agent.publishGate}
        publishedVersion={agent.publishedVersion}
        onPublish={(note, environment) => void publish(note, environment)}
        onCancel={() => setPublishOpen(false)}
      />
      <VersionDiffDialog
        open={comparing.open}
        version={comparing.subject}
        draft={applyDraft(agent, draft)}
        draftHasUnsavedChanges={dirty}
        knowledgeBaseName={knowledgeBaseName}
        onClose={comparing.close}
      />
      <ConfirmDialog
        open={rollback.open}
        title={`Roll back to version ${rollback.subject?.version ?? ""}?`}
        confirmLabel={`Roll back to version ${rollback.subject?.version ?? ""}`}
        pending={busy === "rollback"}
        error={actions.error("rollback")}
        errorTitle="Not rolled back"
        onConfirm={() => rollback.subject && void rollBack(rollback.subject)}
        onCancel={rollback.close}
      >
        Conversations get version {rollback.subject?.version} from their next message. The draft and the other
        versions stay as they are, so you can go forward again the same way.
      </ConfirmDialog>
      <ConfirmDialog
        open={archiveOpen}
        title={`Archive ${agent.name}?`}
        confirmLabel="Archive agent"
        destructive
        pending={busy === "archive"}
        error={actions.error("archive")}
        errorTitle="Not archived"
        onConfirm={() => void archive()}
        onCancel={() => setArchiveOpen(false)}
      >
        The agent stops answering at once and can no longer change. Its versions, conversations and traces
        stay readable. Archiving cannot be undone.
        {dirty && " Your unsaved changes are discarded."}
      </ConfirmDialog>
      {guard.dialog}
    </Stack>
  );
}

// ----- pieces ------------------------------------------------------------------------------------------

function BuilderHeader({ title, children }: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <Box component="header">
      <Link component={RouterLink} to="/agents" variant="body2" sx={{ display: "inline-block", mb: 1 }}>
        ← Agents
      </Link>
      <Typography variant="h1" gutterBottom={children !== undefined} sx={{ overflowWrap: "anywhere" }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

interface SaveBarProps {
  readonly status: string;
  readonly saveLabel: string;
  readonly onSave: () => void;
  readonly onDiscard?: (() => void) | undefined;
}

/** Stays in view at the bottom of the window while the form scrolls, so saving is always one click away. */
function SaveBar({ status, saveLabel, onSave, onDiscard }: SaveBarProps) {
  return (
    <Paper
      sx={{
        position: "sticky",
        bottom: 0,
        zIndex: 1,
        p: 2,
        display: "flex",
        alignItems: "center",
        gap: 1.5,
        flexWrap: "wrap",
        boxShadow: "0 -4px 12px rgba(0, 0, 0, 0.06)",
      }}
    >
      <Typography color="text.secondary" sx={{ mr: "auto" }}>
        {status}
      </Typography>
      {onDiscard && <Button onClick={onDiscard}>Discard changes</Button>}
      <Button variant="contained" onClick={onSave}>
        {saveLabel}
      </Button>
      <Typography variant="caption" color="text.secondary" sx={{ display: { xs: "none", md: "block" } }}>
        Ctrl+S
      </Typography>
    </Paper>
  );
}
