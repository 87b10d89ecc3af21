import { useState } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
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
import type { Annotation } from "../../data/feedback";
import { useAgents } from "../../data/hooks/agents";
import { useAnnotations } from "../../data/hooks/evaluations";
import { useSession } from "../../data/session";
import { useStudio } from "../../data/studio";
import { useMutation } from "../../data/useMutation";
import { ConfirmDialog } from "../ConfirmDialog";
import { PageLoading } from "../PageLoading";
import { TraceAside } from "../playground/TraceAside";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { conversationAddress, datasetAddress } from "./sections";

const cut = (text: string, length: number) => (text.length > length ? `${text.slice(0, length)}…` : text);

/**
 * Editors' corrections of answers (made under an answer in a transcript): the question, the answer as given
 * and as corrected, whether it is served as the reply to near-identical questions, who made it, and its trace.
 * Editors delete one; its eval item stays in its dataset.
 */
export function CorrectionsTab({ canEdit }: { readonly canEdit: boolean }) {
  const annotations = useAnnotations();
  const agents = useAgents({ includeArchived: true });
  const studio = useStudio();
  const { session } = useSession();
  const actions = useMutation<"delete">();
  const [deleting, setDeleting] = useState<Annotation | undefined>(undefined);
  const [traceId, setTraceId] = useState<string | undefined>(undefined);
  const agentName = (id: string) => agents.data?.find((a) => a.id === id)?.name ?? id;
  const who = (uid: string) => (uid === session?.accountId ? "you" : uid);

  return (
    <Stack spacing={2}>
      <Typography color="text.secondary">
        Corrections editors made to answers, under an answer in a conversation transcript. One served as the
        reply answers near-identical questions to its agent; each also became an item of an eval dataset,
        which stays when the correction is deleted.
      </Typography>
      <Typography role="status">{actions.announcement}</Typography>
      {annotations.error && !annotations.data && (
        <RequestErrorAlert
          error={annotations.error}
          onRetry={annotations.retry}
          retrying={annotations.pending}
        />
      )}
      {!annotations.data && !annotations.error && <PageLoading label="Loading corrections…" />}
      {annotations.data &&
        (annotations.data.length === 0 ? (
          <Typography color="text.secondary">
            No corrections yet. Editors correct an answer with “Correct this answer” under it in a
            conversation transcript.
          </Typography>
        ) : (
          <TableContainer component={Paper} tabIndex={0} role="group" aria-label="Corrections: the table">
            <Table aria-label="Corrections">
              <TableHead>
                <TableRow>
                  <TableCell scope="col">Question</TableCell>
                  <TableCell scope="col">Original answer</TableCell>
                  <TableCell scope="col">Correction</TableCell>
                  <TableCell scope="col">Served as the reply</TableCell>
                  <TableCell scope="col">By</TableCell>
                  <TableCell scope="col">Actions</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {annotations.data.map((a) => (
                  <TableRow key={a.id}>
                    <TableCell
                      component="th"
                      scope="row"
                      sx={{ overflowWrap: "anywhere", verticalAlign: "top" }}
                    >
                      {a.question}
                      <Typography variant="body2" color="text.secondary">
                        {agentName(a.agentId)}
                      </Typography>
                    </TableCell>
                    <TableCell
                      sx={{ overflowWrap: "anywhere", verticalAlign: "top", whiteSpace: "pre-wrap" }}
                    >
                      {cut(a.original, 600)}
                    </TableCell>
                    <TableCell
                      sx={{ overflowWrap: "anywhere", verticalAlign: "top", whiteSpace: "pre-wrap" }}
                    >
                      {cut(a.corrected, 600)}
                      {a.note && (
                        <Typography variant="body2" color="text.secondary">
                          Note: {a.note}
                        </Typography>
                      )}
                      {a.evalItem && (
                        <Link
                          component={RouterLink}
                          to={datasetAddress(a.evalItem.datasetId)}
                          variant="body2"
                          sx={{ display: "block" }}
                        >
                          Its eval item
                        </Link>
                      )}
                    </TableCell>
                    <TableCell sx={{ verticalAlign: "top" }}>{a.serveAsReply ? "Yes" : "No"}</TableCell>
                    <TableCell sx={{ verticalAlign: "top", overflowWrap: "anywhere" }}>
                      {who(a.by)}
                      <Typography variant="body2" color="text.secondary">
                        <RelativeTime iso={a.createdAt} />
                        {a.updatedAt !== a.createdAt && (
                          <>
                            , changed by {who(a.updatedBy)} <RelativeTime iso={a.updatedAt} />
                          </>
                        )}
                      </Typography>
                    </TableCell>
                    <TableCell sx={{ verticalAlign: "top" }}>
                      <Box sx={{ display: "flex", flexDirection: "column", alignItems: "flex-start" }}>
                        <Button
                          size="small"
                          onClick={() => setTraceId(a.traceId)}
                          aria-label={`Trace of the answer to “${cut(a.question, 60)}”`}
                        >
                          Trace
                        </Button>
                        {a.conversationId && (
                          <Button
                            size="small"
                            component={RouterLink}
                            to={conversationAddress(a.conversationId)}
                            aria-label={`Conversation of “${cut(a.question, 60)}”`}
                          >
                            Conversation
                          </Button>
                        )}
                        {canEdit && (
                          <Button
                            size="small"
                            color="error"
                            onClick={() => {
                              actions.dismiss("delete");
                              setDeleting(a);
                            }}
                            aria-label={`Delete the correction of “${cut(a.question, 60)}”`}
                          >
                            Delete
                          </Button>
                        )}
                      </Box>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        ))}
      <TraceAside traceId={traceId} onClose={() => setTraceId(undefined)} wide={false} placeholder="" />
      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this correction?"
        confirmLabel="Delete"
        destructive
        pending={actions.busy === "delete"}
        error={actions.error("delete")}
        errorTitle="The correction was not deleted"
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => {
          const annotation = deleting;
          if (!annotation) return;
          void actions
            .run("delete", async () => {
              await studio.deleteAnnotation(annotation.id);
              annotations.replace((annotations.data ?? []).filter((x) => x.id !== annotation.id));
              return "Correction deleted.";
            })
            .then((ok) => ok && setDeleting(undefined));
        }}
      >
        <Typography>
          The correction of “{cut(deleting?.question ?? "", 120)}” is deleted
          {deleting?.serveAsReply ? ": it is no longer served as the reply" : ""}. Its eval item stays in its
          dataset.
        </Typography>
      </ConfirmDialog>
    </Stack>
  );
}
