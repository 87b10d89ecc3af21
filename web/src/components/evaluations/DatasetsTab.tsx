import { useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import {
  Box,
  Button,
  Link,
  Paper,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { useEvalDatasets } from "../../data/hooks/evaluations";
import { useStudio } from "../../data/studio";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { CreateDatasetDialog } from "./CreateDatasetDialog";
import { datasetAddress } from "./sections";

/** The workspace's eval datasets, and a new one for editors. */
export function DatasetsTab({ canEdit }: { readonly canEdit: boolean }) {
  const datasets = useEvalDatasets();
  const studio = useStudio();
  const navigate = useNavigate();
  const [creating, setCreating] = useState(false);
  return (
    <Box sx={{ display: "flex", flexDirection: "column", gap: 2 }}>
      <Box sx={{ display: "flex", gap: 2, alignItems: "center", flexWrap: "wrap" }}>
        <Typography color="text.secondary" sx={{ flex: 1, minWidth: 240 }}>
          Questions with what a good answer holds. Run a dataset against a version or the draft before you
          publish.
        </Typography>
        {canEdit && (
          <Button variant="contained" onClick={() => setCreating(true)}>
            Create dataset
          </Button>
        )}
      </Box>
      {datasets.error && !datasets.data && (
        <RequestErrorAlert error={datasets.error} onRetry={datasets.retry} retrying={datasets.pending} />
      )}
      {!datasets.data && !datasets.error && <PageLoading label="Loading datasets…" />}
      {datasets.data &&
        (datasets.data.length === 0 ? (
          <Paper sx={{ p: { xs: 3, sm: 4 }, textAlign: "center" }}>
            <Typography variant="h2" gutterBottom>
              No datasets yet
            </Typography>
            <Typography color="text.secondary">
              {canEdit
                ? "Create one, then add questions by hand, from a file, or from answers in conversation transcripts."
                : "Datasets appear here once an editor creates one."}
            </Typography>
          </Paper>
        ) : (
          <TableContainer component={Paper}>
            <Table aria-label="Datasets">
              <TableHead>
                <TableRow>
                  <TableCell>Dataset</TableCell>
                  <TableCell align="right">Items</TableCell>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>Last change</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {datasets.data.map((d) => (
                  <TableRow key={d.id} hover>
                    <TableCell>
                      <Link
                        component={RouterLink}
                        to={datasetAddress(d.id)}
                        sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                      >
                        {d.name}
                      </Link>
                      {d.description && (
                        <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
                          {d.description}
                        </Typography>
                      )}
                    </TableCell>
                    <TableCell align="right">{d.itemCount.toLocaleString("en")}</TableCell>
                    <TableCell sx={{ whiteSpace: "nowrap" }}>
                      <RelativeTime iso={d.updatedAt} />
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        ))}
      <CreateDatasetDialog
        open={creating}
        onCancel={() => setCreating(false)}
        onCreate={async (input) => {
          const created = await studio.createEvalDataset(input);
          setCreating(false);
          void navigate(datasetAddress(created.id));
        }}
      />
    </Box>
  );
}
