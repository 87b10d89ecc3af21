import { useState, type ReactNode } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router";
import { Alert, Box, Button, Link, Paper, Stack, Typography } from "@mui/material";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { PageLoading } from "../components/PageLoading";
import { LabelChips } from "../components/prompts/LabelChips";
import { PromptEditor, VersionView } from "../components/prompts/PromptEditor";
import { PromptVersionsPanel, type VersionAction } from "../components/prompts/PromptVersionsPanel";
import { RenderPreview } from "../components/prompts/RenderPreview";
import { inputOf } from "../components/prompts/versionForm";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { usePrompt, usePromptVersions } from "../data/hooks/prompts";
import { promptVersionsListed, type PromptTemplate, type PromptVersion } from "../data/prompts";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";

function Header({ title, labels }: { readonly title: string; readonly labels?: PromptTemplate["labels"] }) {
  return (
    <Box component="header">
      <Link component={RouterLink} to="/prompts" variant="body2" sx={{ display: "inline-block", mb: 1 }}>
        ← Prompts
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }} gutterBottom={labels !== undefined}>
        {title}
      </Typography>
      {labels && <LabelChips labels={labels} />}
    </Box>
  );
}

function Section({
  id,
  title,
  intro,
  children,
}: {
  readonly id: string;
  readonly title: string;
  readonly intro?: string;
  readonly children: ReactNode;
}) {
  return (
    <Paper component="section" aria-labelledby={id} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={id} gutterBottom>
        {title}
      </Typography>
      {intro && (
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          {intro}
        </Typography>
      )}
      {children}
    </Paper>
  );
}

/** Loaded on demand (see routes/index.tsx). `/prompts/:promptId`: one template, its versions and labels. */
export function PromptPage() {
  const { promptId = "" } = useParams();
  const template = usePrompt(promptId);
  const versions = usePromptVersions(promptId);
  usePageTitle(template.data ? `${template.data.name} · Prompts` : "Prompt");

  if (template.data && versions.data) {
    return (
      <PromptWorkspace
        key={promptId}
        template={template.data}
        versions={versions.data}
        onTemplate={template.replace}
        reloadVersions={versions.retry}
      />
    );
  }
  const error = template.error ?? versions.error;
  return (
    <Stack spacing={3}>
      <Header title="Prompt" />
      {error?.status === 404 ? (
        <Alert severity="warning">
          This workspace has no prompt template with the id {promptId}. It may belong to another workspace.
        </Alert>
      ) : error ? (
        <RequestErrorAlert
          error={error}
          onRetry={() => {
            template.retry();
            versions.retry();
          }}
          retrying={template.pending || versions.pending}
        />
      ) : (
        <PageLoading label="Loading the template…" />
      )}
    </Stack>
  );
}

function PromptWorkspace({
  template,
  versions,
  onTemplate,
  reloadVersions,
}: {
  readonly template: PromptTemplate;
  readonly versions: readonly PromptVersion[];
  readonly onTemplate: (template: PromptTemplate) => void;
  readonly reloadVersions: () => void;
}) {
  const studio = useStudio();
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  const actions = useMutation<VersionAction>();
  const removal = useMutation<"delete">();
  const navigate = useNavigate();
  const [saved, setSaved] = useState("");
  const [deleting, setDeleting] = useState(false);
  const latest = versions[0];

  return (
    <Stack spacing={3}>
      <Header title={template.name} labels={template.labels} />
      {template.description && <Typography color="text.secondary">{template.description}</Typography>}
      {canEdit && (
        <Box>
          <Button
            color="error"
            onClick={() => {
              removal.dismiss("delete");
              setDeleting(true);
            }}
          >
            Delete template…
          </Button>
        </Box>
      )}
      <ConfirmDialog
        open={deleting}
        title={`Delete “${template.name}”?`}
        confirmLabel="Delete template"
        destructive
        pending={removal.busy === "delete"}
        error={removal.error("delete")}
        errorTitle="The template was not deleted"
        onCancel={() => setDeleting(false)}
        onConfirm={() =>
          void removal
            .run("delete", () => studio.archivePrompt(template.id))
            .then((ok) => ok && void navigate("/prompts"))
        }
      >
        It leaves the list of templates, and agents and experiments can no longer be set to use it. Agent
        versions already published keep the version of it they pinned; a draft that uses it must choose
        another template before it is saved or published again.
      </ConfirmDialog>
      <Typography role="status" sx={{ minHeight: "1.5em" }}>
        {saved || actions.announcement}
      </Typography>
      <Section
        id="prompt-editor-heading"
        title={canEdit ? "Edit" : "Newest version"}
        intro={
          canEdit
            ? `Saving makes version ${(latest?.version ?? 0) + 1}; labels stay where they are until you move them.`
            : undefined
        }
      >
        {canEdit ? (
          <PromptEditor
            // A new version saved: the editor starts again from it.
            key={latest?.version ?? 0}
            base={latest}
            onSave={async (draft) => {
              const saved = await studio.savePromptVersion(template.id, {
                ...inputOf(draft),
                ...(latest ? { baseVersion: latest.version } : {}),
              });
              const { version } = saved;
              onTemplate({ ...template, latestVersion: version.version, updatedAt: version.createdAt });
              setSaved(
                saved.unchanged
                  ? `Nothing to save: version ${version.version} already has this text and these variables.`
                  : `Saved as version ${version.version}.`,
              );
              reloadVersions();
            }}
          />
        ) : latest ? (
          <VersionView version={latest} />
        ) : (
          <Typography color="text.secondary">No version has been saved yet.</Typography>
        )}
      </Section>
      <Section
        id="prompt-versions-heading"
        title="Versions and labels"
        intro="Agents use a template by label or by version. Moving a label, or rolling production back, changes what they use from their next answer."
      >
        {versions.length >= promptVersionsListed && (
          <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
            The newest {promptVersionsListed} of {template.latestVersion} versions are listed.
          </Typography>
        )}
        {versions.length === 0 ? (
          <Typography color="text.secondary">No versions yet.</Typography>
        ) : (
          <PromptVersionsPanel
            template={template}
            versions={versions}
            canEdit={canEdit}
            actions={actions}
            onMoveLabel={async (label, version) => {
              setSaved("");
              onTemplate(await studio.setPromptLabel(template.id, label, version));
            }}
            onRollback={async (version) => {
              setSaved("");
              onTemplate(await studio.rollbackPrompt(template.id, "production", version));
              reloadVersions();
            }}
          />
        )}
      </Section>
      {versions.length > 0 && (
        <Section
          id="prompt-preview-heading"
          title="Preview"
          intro="Render a version or a label with values for its variables, as an agent would get it."
        >
          <RenderPreview
            // A new version or a moved label: the preview starts again from what is now first.
            key={`${versions[0]?.version ?? 0}:${JSON.stringify(template.labels)}`}
            template={template}
            versions={versions}
            onRender={(target, variables) => studio.renderPrompt(template.id, { ...target, variables })}
          />
        </Section>
      )}
    </Stack>
  );
}
