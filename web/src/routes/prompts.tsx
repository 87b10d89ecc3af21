import { useState } from "react";
import { Link as RouterLink, useNavigate } from "react-router";
import {
  Button,
  Link,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  Typography,
} from "@mui/material";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { CreatePromptDialog } from "../components/prompts/CreatePromptDialog";
import { LabelChips } from "../components/prompts/LabelChips";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { usePrompts } from "../data/hooks/prompts";
import type { PromptTemplate } from "../data/prompts";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";

export const promptAddress = (promptId: string) => `/prompts/${encodeURIComponent(promptId)}`;

/** Loaded on demand (see routes/index.tsx). `/prompts`: the workspace's prompt templates. */
export function PromptsPage() {
  usePageTitle("Prompts");
  const prompts = usePrompts();
  const studio = useStudio();
  const navigate = useNavigate();
  const { session } = useSession();
  const canEdit = session !== undefined && roleAtLeast(session.role, "editor");
  const [creating, setCreating] = useState(false);

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Prompts"
        intro="Versioned instructions with typed variables. Agents use a template by label (production, staging) or by version; moving a label changes what they say, and rolling back moves it back."
        actions={
          canEdit && (
            <Button variant="contained" onClick={() => setCreating(true)}>
              Create template
            </Button>
          )
        }
      />
      {prompts.error && !prompts.data && (
        <RequestErrorAlert error={prompts.error} onRetry={prompts.retry} retrying={prompts.pending} />
      )}
      {!prompts.data && !prompts.error && <PageLoading label="Loading prompt templates…" />}
      {prompts.data &&
        (prompts.data.length === 0 ? (
          <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
            <Typography variant="h2" gutterBottom>
              No prompt templates yet
            </Typography>
            <Typography color="text.secondary">
              {canEdit
                ? "Create a template, then reference it from an agent's configuration or try its versions in an experiment."
                : "Templates appear here once an editor of this workspace creates one."}
            </Typography>
          </Paper>
        ) : (
          <PromptTable prompts={prompts.data} />
        ))}
      <CreatePromptDialog
        open={creating}
        onCancel={() => setCreating(false)}
        onCreate={async (input) => {
          const created = await studio.createPrompt(input);
          setCreating(false);
          void navigate(promptAddress(created.id));
        }}
      />
    </Stack>
  );
}

function PromptTable({ prompts }: { readonly prompts: readonly PromptTemplate[] }) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Prompt templates">
        <TableHead>
          <TableRow>
            <TableCell>Template</TableCell>
            <TableCell>Labels</TableCell>
            <TableCell align="right">Versions</TableCell>
            <TableCell sx={{ whiteSpace: "nowrap" }}>Last change</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {prompts.map((prompt) => (
            <TableRow key={prompt.id} hover>
              <TableCell sx={{ maxWidth: 420 }}>
                <Link
                  component={RouterLink}
                  to={promptAddress(prompt.id)}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {prompt.name}
                </Link>
                {prompt.description && (
                  <Typography variant="body2" color="text.secondary" sx={{ overflowWrap: "anywhere" }}>
                    {prompt.description}
                  </Typography>
                )}
              </TableCell>
              <TableCell>
                {Object.keys(prompt.labels).length === 0 ? (
                  <Typography variant="body2" color="text.secondary">
                    No labels
                  </Typography>
                ) : (
                  <LabelChips labels={prompt.labels} />
                )}
              </TableCell>
              <TableCell align="right">{prompt.latestVersion}</TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={prompt.updatedAt} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
