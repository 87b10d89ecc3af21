import { useState } from "react";
import { Link as RouterLink, useNavigate, useParams } from "react-router";
import { Alert, Box, Button, Link, Paper, Stack, Typography } from "@mui/material";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { EvaluationsOnlyForEditors } from "../components/evaluations/EvaluationsOnlyForEditors";
import { ItemDialog } from "../components/evaluations/ItemDialog";
import { ItemsTable } from "../components/evaluations/ItemsTable";
import { RunsTable } from "../components/evaluations/RunsTable";
import { evaluationsRoot, runAddress } from "../components/evaluations/sections";
import { StartRunDialog } from "../components/evaluations/StartRunDialog";
import { UploadDialog } from "../components/evaluations/UploadDialog";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import type { EvalDataset, EvalItem } from "../data/evaluations";
import { useAgents } from "../data/hooks/agents";
import { useEvalDataset, useEvalItems, useEvalRuns } from "../data/hooks/evaluations";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";

function Header({ title, intro }: { readonly title: string; readonly intro?: string }) {
  return (
    <Box component="header">
      <Link
        component={RouterLink}
        to={evaluationsRoot}
        variant="body2"
        sx={{ display: "inline-block", mb: 1 }}
      >
        ← Evaluations
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }} gutterBottom={intro !== undefined}>
        {title}
      </Typography>
      {intro && <Typography color="text.secondary">{intro}</Typography>}
    </Box>
  );
}

/** Loaded on demand (see routes/index.tsx). `/evaluations/datasets/:datasetId`: its items and runs. */
export function EvalDatasetPage() {
  const { datasetId = "" } = useParams();
  const { session } = useSession();
  if (!session || !hasPermission(session.role, "conversations.view")) {
    return (
      <Stack spacing={3}>
        <Header title="Dataset" />
        <EvaluationsOnlyForEditors />
      </Stack>
    );
  }
  return <DatasetLoader key={datasetId} datasetId={datasetId} />;
}

function DatasetLoader({ datasetId }: { readonly datasetId: string }) {
  const dataset = useEvalDataset(datasetId);
  usePageTitle(dataset.data ? `${dataset.data.name} · Evaluations` : "Dataset");
  if (dataset.data) return <DatasetView dataset={dataset.data} reload={dataset.retry} />;
  return (
    <Stack spacing={3}>
      <Header title="Dataset" />
      {dataset.error?.status === 404 ? (
        <Alert severity="warning">
          This workspace has no eval dataset with the id {datasetId}. It may belong to another workspace.
        </Alert>
      ) : dataset.error ? (
        <RequestErrorAlert error={dataset.error} onRetry={dataset.retry} retrying={dataset.pending} />
      ) : (
        <PageLoading label="Loading the dataset…" />
      )}
    </Stack>
  );
}

type ItemAction = "delete" | "delete-dataset";

function DatasetView({ dataset, reload }: { readonly dataset: EvalDataset; readonly reload: () => void }) {
  const studio = useStudio();
  const navigate = useNavigate();
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  const items = useEvalItems(dataset.id);
  const runs = useEvalRuns({ datasetId: dataset.id });
  const agents = useAgents({ includeArchived: true });
  const [itemDialog, setItemDialog] = useState<{ open: boolean; item?: EvalItem; key: number }>({
    open: false,
    key: 0,
  });
  const [uploading, setUploading] = useState(false);
  const [starting, setStarting] = useState(false);
  const [deleting, setDeleting] = useState<EvalItem | undefined>(undefined);
  const [deletingDataset, setDeletingDataset] = useState(false);
  const actions = useMutation<ItemAction>();
  const [status, setStatus] = useState("");

  const refresh = () => {
    items.retry();
    reload();
  };

  return (
    <Stack spacing={3}>
      <Header title={dataset.name} intro={dataset.description || undefined} />
      <Typography role="status">{status || actions.announcement}</Typography>
      <Paper component="section" aria-labelledby="dataset-items-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Box sx={{ display: "flex", gap: 1, alignItems: "center", flexWrap: "wrap", mb: 2 }}>
          <Typography variant="h2" id="dataset-items-heading" sx={{ flex: 1, minWidth: 200 }}>
            Items ({dataset.itemCount.toLocaleString("en")})
          </Typography>
          {canEdit && (
            <>
              <Button
                variant="outlined"
                onClick={() => setItemDialog((d) => ({ open: true, key: d.key + 1 }))}
              >
                Add item
              </Button>
              <Button variant="outlined" onClick={() => setUploading(true)}>
                Upload CSV or JSONL
              </Button>
              <Button
                variant="contained"
                onClick={() => setStarting(true)}
                disabled={dataset.itemCount === 0}
              >
                Start a run
              </Button>
              <Button
                color="error"
                onClick={() => {
                  actions.dismiss("delete-dataset");
                  setDeletingDataset(true);
                }}
              >
                Delete dataset…
              </Button>
            </>
          )}
        </Box>
        {items.error && !items.data && (
          <RequestErrorAlert error={items.error} onRetry={items.retry} retrying={items.pending} />
        )}
        {!items.data && !items.error && <PageLoading label="Loading items…" />}
        {items.data &&
          (items.data.length === 0 ? (
            <Typography color="text.secondary">
              No items yet.{" "}
              {canEdit
                ? "Add questions by hand, upload a file, or use “Add to dataset” under an answer in a conversation transcript."
                : ""}
            </Typography>
          ) : (
            <ItemsTable
              items={items.data}
              canEdit={canEdit}
              onEdit={(item) => setItemDialog((d) => ({ open: true, item, key: d.key + 1 }))}
              onDelete={setDeleting}
            />
          ))}
      </Paper>

      <Paper component="section" aria-labelledby="dataset-runs-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="dataset-runs-heading" gutterBottom>
          Runs of this dataset
        </Typography>
        {runs.error && !runs.data && (
          <RequestErrorAlert error={runs.error} onRetry={runs.retry} retrying={runs.pending} />
        )}
        {!runs.data && !runs.error && <PageLoading label="Loading runs…" />}
        {runs.data && (
          <RunsTable
            runs={runs.data}
            agents={agents.data ?? []}
            showDataset={false}
            label="Runs of this dataset"
          />
        )}
      </Paper>

      <ItemDialog
        key={itemDialog.key}
        open={itemDialog.open}
        item={itemDialog.item}
        onCancel={() => setItemDialog((d) => ({ ...d, open: false }))}
        onSave={async (input) => {
          const editing = itemDialog.item;
          if (editing) await studio.updateEvalItem(dataset.id, editing.id, input);
          else await studio.addEvalItem(dataset.id, input);
          setItemDialog((d) => ({ ...d, open: false }));
          setStatus(editing ? "Item saved." : "Item added.");
          refresh();
        }}
      />
      <UploadDialog
        open={uploading}
        onClose={() => setUploading(false)}
        onUpload={async (format, content) => {
          const report = await studio.uploadEvalItems(dataset.id, format, content);
          setStatus(`Added ${report.added} item${report.added === 1 ? "" : "s"} from the file.`);
          refresh();
          return report;
        }}
      />
      <StartRunDialog
        open={starting}
        datasetName={dataset.name}
        itemCount={dataset.itemCount}
        onCancel={() => setStarting(false)}
        onStart={async (target) => {
          const run = await studio.startEvalRun({ datasetId: dataset.id, ...target });
          setStarting(false);
          void navigate(runAddress(run.id));
        }}
      />
      <ConfirmDialog
        open={deletingDataset}
        title={`Delete “${dataset.name}”?`}
        confirmLabel="Delete dataset"
        destructive
        pending={actions.busy === "delete-dataset"}
        error={actions.error("delete-dataset")}
        errorTitle="The dataset was not deleted"
        onCancel={() => setDeletingDataset(false)}
        onConfirm={() =>
          void actions
            .run("delete-dataset", () => studio.deleteEvalDataset(dataset.id))
            .then((ok) => ok && void navigate(evaluationsRoot))
        }
      >
        <Typography>
          Its {dataset.itemCount.toLocaleString("en")} item{dataset.itemCount === 1 ? "" : "s"} are deleted
          with it; its runs keep the items they asked and their results. An agent whose publish gate uses it
          can no longer publish until its gate names another dataset or is removed.
        </Typography>
      </ConfirmDialog>
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this item?"
        confirmLabel="Delete"
        destructive
        pending={actions.busy === "delete"}
        error={actions.error("delete")}
        errorTitle="The item was not deleted"
        onCancel={() => {
          actions.dismiss("delete");
          setDeleting(undefined);
        }}
        onConfirm={() => {
          const item = deleting;
          if (!item) return;
          void actions
            .run("delete", async () => {
              await studio.deleteEvalItem(dataset.id, item.id);
              setStatus("");
              refresh();
              return "Item deleted.";
            })
            .then((ok) => ok && setDeleting(undefined));
        }}
      >
        <Typography>
          “{questionOf(deleting)}” leaves the dataset. Runs that already asked it keep their results.
        </Typography>
      </ConfirmDialog>
    </Stack>
  );
}

function questionOf(item: EvalItem | undefined): string {
  if (!item) return "";
  const text = item.question ?? (item.turns ?? []).join(" → ");
  return text.length > 120 ? `${text.slice(0, 120)}…` : text;
}
