import { useState, type ReactNode } from "react";
import { Link as RouterLink, useParams } from "react-router";
import { Alert, Box, Button, Link, Paper, Stack, Typography } from "@mui/material";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { FormErrorAlert } from "../components/FormErrorAlert";
import { ConsistencyFlags } from "../components/narrative/ConsistencyFlags";
import { EndUserConversations } from "../components/narrative/EndUserConversations";
import { MemoryDialog } from "../components/narrative/MemoryDialog";
import { MemoryList } from "../components/narrative/MemoryList";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { formatInstant, plural } from "../components/shared/format";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { useAgents } from "../data/hooks/agents";
import { useEndUser } from "../data/hooks/narrative";
import type { ConsistencyFlag, EndUserDetail, Memory, MemoryWithHistory } from "../data/narrative";
import { useSession } from "../data/session";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";

function Header({ title }: { readonly title: string }) {
  return (
    <Box component="header">
      <Link component={RouterLink} to="/end-users" variant="body2" sx={{ display: "inline-block", mb: 1 }}>
        ← End users
      </Link>
      <Typography variant="h1" sx={{ overflowWrap: "anywhere" }}>
        {title}
      </Typography>
    </Box>
  );
}

function Section({
  id,
  title,
  action,
  children,
}: {
  readonly id: string;
  readonly title: string;
  readonly action?: ReactNode;
  readonly children: ReactNode;
}) {
  const headingId = `end-user-${id}-heading`;
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "center", mb: 2 }}>
        <Typography variant="h2" id={headingId} sx={{ mr: "auto" }}>
          {title}
        </Typography>
        {action}
      </Box>
      {children}
    </Paper>
  );
}

/**
 * Loaded on demand (see routes/index.tsx). `/end-users/:endUserKey`: what the agents remember about one end
 * user (and what each memory replaced), their conversations, and the contradictions found in what they were
 * told. Editors add, correct and delete memories and review flags.
 */
export function EndUserPage() {
  const { endUserKey = "" } = useParams();
  const { session } = useSession();
  if (session === undefined || !hasPermission(session.role, "conversations.view")) {
    return (
      <Stack spacing={3}>
        <Header title="End user" />
        <Alert severity="info">
          What agents remember about end users is their personal data, so only editors, admins and owners can
          read it.
        </Alert>
      </Stack>
    );
  }
  return <EndUserReader key={endUserKey} endUserKey={endUserKey} />;
}

function EndUserReader({ endUserKey }: { readonly endUserKey: string }) {
  const endUser = useEndUser(endUserKey);
  const title = endUser.data ? `End user ${endUser.data.endUser.endUserRef}` : "End user";
  usePageTitle(title);
  return (
    <Stack spacing={3}>
      <Header title={title} />
      {endUser.data ? (
        <EndUserView detail={endUser.data} reload={endUser.retry} />
      ) : endUser.error?.status === 404 ? (
        <Alert severity="warning">
          This workspace has no end user with the key {endUserKey}. Their data may have been erased, or no
          agent with long-term memory has talked to them.
        </Alert>
      ) : endUser.error ? (
        <RequestErrorAlert error={endUser.error} onRetry={endUser.retry} retrying={endUser.pending} />
      ) : (
        <PageLoading label="Loading the end user…" />
      )}
    </Stack>
  );
}

type Action = "delete" | "review";

function EndUserView({ detail, reload }: { readonly detail: EndUserDetail; readonly reload: () => void }) {
  const source = useStudio();
  const agents = useAgents({ includeArchived: true });
  const agentName = (id: string) => agents.data?.find((agent) => agent.id === id)?.name ?? id;
  const { endUser, memories, conversations, flags } = detail;
  const key = endUser.endUserKey;
  const mutation = useMutation<Action>();
  // Keyed by each opening, so the dialog starts from its memory; kept while it closes.
  const [editing, setEditing] = useState<{
    readonly memory: Memory | undefined;
    readonly open: boolean;
    readonly key: number;
  }>();
  const [deleting, setDeleting] = useState<MemoryWithHistory>();
  const [reviewing, setReviewing] = useState<string>();
  const openDialog = (memory: Memory | undefined) =>
    setEditing((e) => ({ memory, open: true, key: (e?.key ?? 0) + 1 }));
  const active = memories.filter((m) => m.status === "active").length;
  const openFlags = flags.filter((f) => f.status === "open").length;
  const reviewError = mutation.error("review");

  const review = (flag: ConsistencyFlag, status: ConsistencyFlag["status"]) => {
    setReviewing(flag.id);
    void mutation
      .run("review", async () => {
        await source.reviewConsistencyFlag(key, flag.id, status);
        reload();
        return status === "reviewed" ? "The flag is marked reviewed." : "The flag is open again.";
      })
      .finally(() => setReviewing(undefined));
  };

  return (
    <>
      <Typography role="status" variant="body2" sx={{ minHeight: "1.5em" }}>
        {mutation.announcement}
      </Typography>
      <Paper component="section" aria-labelledby="end-user-details-heading" sx={{ p: { xs: 2, sm: 3 } }}>
        <Typography variant="h2" id="end-user-details-heading" gutterBottom>
          Details
        </Typography>
        <Box
          component="dl"
          sx={{
            m: 0,
            display: "grid",
            gridTemplateColumns: "max-content minmax(0, 1fr)",
            columnGap: 3,
            rowGap: 1,
          }}
        >
          <Typography component="dt" color="text.secondary">
            Reference
          </Typography>
          <Typography component="dd" sx={{ m: 0, overflowWrap: "anywhere" }}>
            {endUser.endUserRef}
          </Typography>
          <Typography component="dt" color="text.secondary">
            First seen
          </Typography>
          <Typography component="dd" sx={{ m: 0 }}>
            <time dateTime={endUser.firstSeenAt}>{formatInstant(endUser.firstSeenAt)}</time>
          </Typography>
          <Typography component="dt" color="text.secondary">
            Last seen
          </Typography>
          <Typography component="dd" sx={{ m: 0 }}>
            <time dateTime={endUser.lastSeenAt}>{formatInstant(endUser.lastSeenAt)}</time>
          </Typography>
          <Typography component="dt" color="text.secondary">
            Agents
          </Typography>
          <Typography component="dd" sx={{ m: 0, overflowWrap: "anywhere" }}>
            {endUser.agentIds.length === 0 ? "—" : endUser.agentIds.map(agentName).join(", ")}
          </Typography>
        </Box>
      </Paper>

      <Section
        id="memories"
        title={`Memories (${active})`}
        action={
          <Button variant="contained" onClick={() => openDialog(undefined)}>
            Add memory
          </Button>
        }
      >
        <MemoryList
          memories={memories}
          agentName={agentName}
          canEdit
          onEdit={(memory) => openDialog(memory)}
          onDelete={(entry) => {
            mutation.dismiss("delete");
            setDeleting(entry);
          }}
        />
      </Section>

      <Section id="flags" title={`Consistency flags (${openFlags} open)`}>
        {reviewError && (
          <Box sx={{ mb: 2 }}>
            <FormErrorAlert title="The flag was not changed" error={reviewError} />
          </Box>
        )}
        <ConsistencyFlags
          flags={flags}
          agentName={agentName}
          canReview
          reviewing={reviewing}
          onReview={review}
        />
      </Section>

      <Section id="conversations" title="Conversations">
        <EndUserConversations conversations={conversations} agentName={agentName} />
      </Section>

      {editing && (
        <MemoryDialog
          key={editing.key}
          open={editing.open}
          memory={editing.memory}
          agentIds={endUser.agentIds}
          agentName={agentName}
          onCreate={async (memory) => {
            await source.createMemory(key, memory);
            mutation.announce("The memory was added.");
            reload();
          }}
          onUpdate={async (memoryId, change) => {
            await source.updateMemory(key, memoryId, change);
            mutation.announce("The memory was saved.");
            reload();
          }}
          onClose={() => setEditing((e) => e && { ...e, open: false })}
        />
      )}

      <ConfirmDialog
        open={deleting !== undefined}
        title="Delete this memory?"
        confirmLabel="Delete memory"
        destructive
        pending={mutation.busy === "delete"}
        error={mutation.error("delete")}
        errorTitle="The memory was not deleted"
        onCancel={() => setDeleting(undefined)}
        onConfirm={() => {
          const entry = deleting;
          if (!entry) return;
          void mutation
            .run("delete", async () => {
              await source.deleteMemory(key, entry.memory.id);
              reload();
              return "The memory and its history were deleted.";
            })
            .then((done) => done && setDeleting(undefined));
        }}
      >
        <Typography>
          “{deleting?.memory.text}”: this deletes it and its history
          {deleting && deleting.history.length > 0
            ? ` (${plural(deleting.history.length, "earlier memory", "earlier memories")})`
            : ""}
          . No agent will recall it again. The conversations it came from are kept.
        </Typography>
      </ConfirmDialog>
    </>
  );
}
