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
  useMediaQuery,
  type Theme,
} from "@mui/material";
import { CreateKnowledgeBaseDialog } from "../components/knowledge/CreateKnowledgeBaseDialog";
import { PageLoading } from "../components/PageLoading";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { useKnowledgeBaseList } from "../data/hooks/knowledge";
import type { KnowledgeBase, KnowledgeBaseInput } from "../data/knowledge";
import { roleAtLeast, useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { PageHeader } from "../components/PageHeader";

/**
 * Loaded on demand (see routes/index.tsx). The workspace's knowledge bases, most recently changed first,
 * kept up to date while the page is open.
 */
export function KnowledgePage() {
  usePageTitle("Knowledge");
  const studio = useStudio();
  const navigate = useNavigate();
  const { data, error, pending, retry, updatedAt } = useKnowledgeBaseList();
  const { session } = useSession();
  const canCreate = session !== undefined && roleAtLeast(session.role, "editor");
  const [creating, setCreating] = useState(false);

  const create = async (input: KnowledgeBaseInput) => {
    const { id } = await studio.createKnowledgeBase(input);
    navigate(`/knowledge/${encodeURIComponent(id)}`);
  };

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Knowledge"
        intro="The documents your agents answer from. Every answer cites the passages it used."
        actions={
          canCreate &&
          data &&
          data.length > 0 && (
            <Button variant="contained" onClick={() => setCreating(true)}>
              Create knowledge base
            </Button>
          )
        }
      />

      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={retry}
          retrying={pending}
          staleSince={data ? updatedAt : undefined}
        />
      )}
      {!data && !error && <PageLoading label="Loading knowledge bases…" />}
      {data &&
        (data.length === 0 ? (
          <NoKnowledgeBases canCreate={canCreate} onCreate={() => setCreating(true)} />
        ) : (
          <KnowledgeBaseTable knowledgeBases={data} />
        ))}

      {canCreate && (
        <CreateKnowledgeBaseDialog open={creating} onCreate={create} onCancel={() => setCreating(false)} />
      )}
    </Stack>
  );
}

function NoKnowledgeBases({
  canCreate,
  onCreate,
}: {
  readonly canCreate: boolean;
  readonly onCreate: () => void;
}) {
  return (
    <Paper
      component="section"
      aria-labelledby="no-knowledge-bases-heading"
      sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
    >
      <Typography variant="h2" id="no-knowledge-bases-heading" gutterBottom>
        No knowledge bases yet
      </Typography>
      <Typography color="text.secondary" sx={{ maxWidth: 540, mx: "auto", mb: canCreate ? 3 : 0 }}>
        {canCreate
          ? "Create a knowledge base, drop your handbooks, manuals and FAQs into it, and attach it to an agent."
          : "Knowledge bases appear here once an editor of this workspace creates one."}
      </Typography>
      {canCreate && (
        <Button variant="contained" size="large" onClick={onCreate}>
          Create knowledge base
        </Button>
      )}
    </Paper>
  );
}

function KnowledgeBaseTable({ knowledgeBases }: { readonly knowledgeBases: readonly KnowledgeBase[] }) {
  // On a phone the numbers go under the name, so nothing scrolls sideways.
  const phone = useMediaQuery((theme: Theme) => theme.breakpoints.down("sm"));
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Knowledge bases">
        <TableHead>
          <TableRow>
            <TableCell>Knowledge base</TableCell>
            {!phone && <TableCell align="right">Searchable documents</TableCell>}
            {!phone && <TableCell sx={{ whiteSpace: "nowrap" }}>Last change</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {knowledgeBases.map((kb) => (
            <TableRow key={kb.id} hover>
              <TableCell sx={{ maxWidth: 560 }}>
                <Link
                  component={RouterLink}
                  to={`/knowledge/${encodeURIComponent(kb.id)}`}
                  sx={{ fontWeight: 600, overflowWrap: "anywhere" }}
                >
                  {kb.name}
                </Link>
                {kb.description && (
                  <Typography
                    variant="body2"
                    color="text.secondary"
                    sx={{
                      display: "-webkit-box",
                      WebkitLineClamp: 2,
                      WebkitBoxOrient: "vertical",
                      overflow: "hidden",
                      overflowWrap: "anywhere",
                    }}
                  >
                    {kb.description}
                  </Typography>
                )}
                {phone && (
                  <Typography variant="body2" color="text.secondary">
                    {searchableDocuments(kb.documentCount)} · changed <RelativeTime iso={kb.updatedAt} />
                  </Typography>
                )}
              </TableCell>
              {!phone && <TableCell align="right">{kb.documentCount.toLocaleString("en")}</TableCell>}
              {!phone && (
                <TableCell sx={{ whiteSpace: "nowrap" }}>
                  <RelativeTime iso={kb.updatedAt} />
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function searchableDocuments(count: number): string {
  return `${count.toLocaleString("en")} searchable ${count === 1 ? "document" : "documents"}`;
}
