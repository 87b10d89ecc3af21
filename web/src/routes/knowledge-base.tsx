import { useCallback, useMemo, useState } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { Alert, Box, Breadcrumbs, Button, Link, Paper, Stack, Typography } from "@mui/material";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { DocumentTable } from "../components/knowledge/DocumentTable";
import { DropZone } from "../components/knowledge/DropZone";
import { LeaveWhileUploadingGuard } from "../components/knowledge/LeaveWhileUploadingGuard";
import { SearchPanel } from "../components/knowledge/SearchPanel";
import { UploadList } from "../components/knowledge/UploadList";
import { useUploadQueue, type SendUploads } from "../components/knowledge/useUploadQueue";
import { VersionsDialog } from "../components/knowledge/VersionsDialog";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { useDocuments, useKnowledgeBase } from "../data/hooks/knowledge";
import type { DocumentVersion, KnowledgeBase, KnowledgeDocument } from "../data/knowledge";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";
import { visuallyHidden } from "../components/knowledge/visuallyHidden";

/**
 * Loaded on demand (see routes/index.tsx). One knowledge base: its documents, live as they move through
 * ingestion; uploads of many files and folders at once, in a few requests; versions, restore and delete;
 * and a search to try retrieval.
 */
export function KnowledgeBasePage() {
  const { kbId = "" } = useParams();
  // Keyed: another knowledge base starts with its own uploads and dialogs.
  return <KnowledgeBaseScreen key={kbId} kbId={kbId} />;
}

function KnowledgeBaseScreen({ kbId }: { readonly kbId: string }) {
  const kb = useKnowledgeBase(kbId);
  usePageTitle(kb.data?.name ?? "Knowledge base");

  if (!kb.data) {
    if (kb.error?.status === 404) {
      return (
        <Stack spacing={3}>
          <PageHeader title="Knowledge base not found" />
          <Alert severity="warning">
            This workspace has no knowledge base with the id {kbId}. It may belong to another workspace.
          </Alert>
          <Box>
            <Button component={RouterLink} to="/knowledge" variant="contained">
              See all knowledge bases
            </Button>
          </Box>
        </Stack>
      );
    }
    return (
      <Stack spacing={3}>
        <PageHeader title="Knowledge base" />
        {kb.error ? (
          <RequestErrorAlert error={kb.error} onRetry={kb.retry} retrying={kb.pending} />
        ) : (
          <PageLoading label="Loading the knowledge base…" />
        )}
      </Stack>
    );
  }
  return <KnowledgeBaseContent kb={kb.data} />;
}

function PageHeader({ title, description }: { readonly title: string; readonly description?: string }) {
  return (
    <Box component="header">
      <Breadcrumbs aria-label="Breadcrumb" sx={{ mb: 1 }}>
        <Link component={RouterLink} to="/knowledge">
          Knowledge
        </Link>
        <Typography color="text.primary" aria-current="page" sx={{ overflowWrap: "anywhere" }}>
          {title}
        </Typography>
      </Breadcrumbs>
      <Typography variant="h1" gutterBottom sx={{ overflowWrap: "anywhere" }}>
        {title}
      </Typography>
      {description && <Typography color="text.secondary">{description}</Typography>}
    </Box>
  );
}

/** A dialog about one thing: the thing stays while the dialog fades out, so its text does not flash. */
function useDialogAbout<T>() {
  const [subject, setSubject] = useState<T | undefined>(undefined);
  const [open, setOpen] = useState(false);
  const confirming = useMutation<"confirm">();
  const { dismiss } = confirming;
  const show = useCallback(
    (about: T) => {
      setSubject(about);
      dismiss("confirm");
      setOpen(true);
    },
    [dismiss],
  );
  const close = useCallback(() => setOpen(false), []);
  /** Runs the dialog's action: closes on success, shows why and stays open on failure. */
  const run = async (action: (about: T) => Promise<void>) => {
    if (subject === undefined) return;
    await confirming.run("confirm", async () => {
      await action(subject);
      setOpen(false);
    });
  };
  const error = confirming.error("confirm");
  const pending = confirming.busy !== undefined;
  return { subject, open, error, pending, show, close, run };
}

function KnowledgeBaseContent({ kb }: { readonly kb: KnowledgeBase }) {
  const studio = useStudio();
  const { session } = useSession();
  const canManage = session !== undefined && roleAtLeast(session.role, "editor");
  const documents = useDocuments(kb.id);
  /**
   * Deleted here (id → createdAt): hidden at once, even before the live listing drops them. By creation too,
   * as a document's id follows from its name: the same name uploaded again is a new document to show.
   */
  const [deleted, setDeleted] = useState<ReadonlyMap<string, string>>(new Map());
  /** The outcome of the last action, announced to screen readers. */
  const [announcement, setAnnouncement] = useState("");

  const send = useCallback<SendUploads>(
    async (files, onProgress, signal) => {
      const [file] = files;
      // One file alone is the single-file upload (its answer is the document, its refusal a status).
      if (file && files.length === 1) {
        const document = await studio.uploadDocument(kb.id, file, (p) => onProgress(0, p), signal);
        return [{ ok: true, document }];
      }
      return studio.uploadDocuments(kb.id, files, onProgress, signal);
    },
    [studio, kb.id],
  );
  const queue = useUploadQueue(send, studio.uploadBatching);
  const sending = queue.uploads.filter(
    (u) => u.phase.kind === "waiting" || u.phase.kind === "uploading",
  ).length;

  const versions = useDialogAbout<KnowledgeDocument>();
  const restore = useDialogAbout<{ doc: KnowledgeDocument; version: DocumentVersion }>();
  const deletion = useDialogAbout<KnowledgeDocument>();

  const listed = useMemo(
    () => documents.data?.filter((doc) => deleted.get(doc.id) !== doc.createdAt),
    [documents.data, deleted],
  );
  // The versions dialog follows the live document (a restore adds a version while it is open).
  const versionsOf =
    versions.subject && (listed?.find((d) => d.id === versions.subject?.id) ?? versions.subject);

  const { show: showVersions, close: closeVersions } = versions;
  const { show: showRestore } = restore;
  const askRestore = useCallback(
    (doc: KnowledgeDocument, version: DocumentVersion) => {
      closeVersions();
      showRestore({ doc, version });
    },
    [closeVersions, showRestore],
  );

  return (
    <Stack spacing={3}>
      <PageHeader title={kb.name} description={kb.description} />
      <Box role="status" sx={visuallyHidden}>
        {announcement}
      </Box>

      {canManage && (
        <Paper component="section" aria-labelledby="add-documents-heading" sx={{ p: { xs: 2, sm: 3 } }}>
          <Typography variant="h2" id="add-documents-heading" gutterBottom>
            Add documents
          </Typography>
          <Stack spacing={2}>
            <DropZone onFiles={queue.add} />
            <UploadList
              uploads={queue.uploads}
              documents={documents.data}
              budgetWaitUntil={queue.budgetWaitUntil}
              onRetry={queue.retry}
              onRemove={queue.remove}
            />
          </Stack>
        </Paper>
      )}

      <Box component="section" aria-labelledby="documents-heading">
        <Typography variant="h2" id="documents-heading" sx={{ mb: 1.5 }}>
          Documents
        </Typography>
        <Stack spacing={2}>
          {documents.error && (
            <RequestErrorAlert
              error={documents.error}
              onRetry={documents.retry}
              retrying={documents.pending}
              staleSince={documents.data ? documents.updatedAt : undefined}
            />
          )}
          {!listed && !documents.error && <PageLoading label="Loading documents…" />}
          {listed && listed.length === 0 && (
            <Paper sx={{ p: { xs: 2.5, sm: 4 }, textAlign: "center" }}>
              <Typography sx={{ fontWeight: 600 }} gutterBottom>
                No documents yet
              </Typography>
              <Typography color="text.secondary">
                {canManage
                  ? "Drop files or folders above. Each file is read, split into passages and indexed; agents can cite it once it is ready."
                  : "Documents appear here once an editor of this workspace uploads some."}
              </Typography>
            </Paper>
          )}
          {listed && listed.length > 0 && (
            <DocumentTable
              documents={listed}
              canManage={canManage}
              onShowVersions={showVersions}
              onDelete={deletion.show}
            />
          )}
        </Stack>
      </Box>

      <SearchPanel kbId={kb.id} />

      <VersionsDialog
        open={versions.open}
        document={versionsOf}
        canRestore={canManage}
        onRestore={askRestore}
        onClose={closeVersions}
      />
      <ConfirmDialog
        open={restore.open}
        title={`Restore version ${restore.subject?.version.version ?? ""}?`}
        confirmLabel="Restore"
        pending={restore.pending}
        error={restore.error}
        errorTitle="The version was not restored"
        onConfirm={() =>
          void restore.run(async ({ doc, version }) => {
            const restored = await studio.restoreDocumentVersion(kb.id, doc.id, version.version);
            setAnnouncement(
              `Version ${version.version} of ${doc.name} is being indexed again as version ${restored.version}.`,
            );
          })
        }
        onCancel={restore.close}
      >
        {restore.subject && (
          <>
            The file of version {restore.subject.version.version} of “{restore.subject.doc.name}” is indexed
            again as version {restore.subject.doc.version + 1}.{" "}
            {restore.subject.doc.activeVersion !== null &&
              `Version ${restore.subject.doc.activeVersion} stays searchable until it is ready. `}
            Every version is kept.
          </>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={deletion.open}
        title={`Delete ${deletion.subject?.name ?? "document"}?`}
        confirmLabel="Delete document"
        destructive
        pending={deletion.pending}
        error={deletion.error}
        errorTitle="The document was not deleted"
        onConfirm={() =>
          void deletion.run(async (doc) => {
            await studio.deleteDocument(kb.id, doc.id);
            setDeleted((before) => new Map(before).set(doc.id, doc.createdAt));
            setAnnouncement(`${doc.name} was deleted.`);
          })
        }
        onCancel={deletion.close}
      >
        {deletion.subject && (
          <>
            “{deletion.subject.name}”, its{" "}
            {deletion.subject.versions.length === 1
              ? "only version"
              : `${deletion.subject.versions.length} versions`}{" "}
            and its passages are removed. Agents stop citing it at once. This cannot be undone.
          </>
        )}
      </ConfirmDialog>
      {canManage && <LeaveWhileUploadingGuard sending={sending} />}
    </Stack>
  );
}
