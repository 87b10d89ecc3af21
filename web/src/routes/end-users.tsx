import { useState, type FormEvent } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { Alert, Box, Button, Link, Paper, Stack, TextField, Typography } from "@mui/material";
import { EndUsersTable } from "../components/narrative/EndUsersTable";
import { PageHeader } from "../components/PageHeader";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { useAgents } from "../data/hooks/agents";
import { useEndUserList } from "../data/hooks/narrative";
import { useSession } from "../data/session";

const intro =
  "The people your agents with long-term memory have talked to: what each agent remembers about them, their conversations, and where an answer contradicted an earlier one.";

/**
 * Loaded on demand (see routes/index.tsx). `/end-users?q=…`: end users whose reference contains `q`, most
 * recently seen first; for editors and up (`conversations.view`: memories are end users' data).
 */
export function EndUsersPage() {
  usePageTitle("End users");
  const { session } = useSession();
  const canRead = session !== undefined && hasPermission(session.role, "conversations.view");
  return (
    <Stack spacing={3}>
      <PageHeader title="End users" intro={intro} />
      {canRead ? (
        <EndUsers />
      ) : (
        <Alert severity="info">
          What agents remember about end users is their personal data, so only editors, admins and owners can
          read it.
        </Alert>
      )}
    </Stack>
  );
}

function EndUsers() {
  const [searchParams, setSearchParams] = useSearchParams();
  const q = searchParams.get("q")?.trim() ?? "";
  const [typed, setTyped] = useState(q);
  const list = useEndUserList(q);
  const agents = useAgents({ includeArchived: true });
  const agentName = (id: string) => agents.data?.find((agent) => agent.id === id)?.name ?? id;

  const search = (event: FormEvent) => {
    event.preventDefault();
    const next = typed.trim();
    setSearchParams(next ? { q: next } : {}, { replace: true });
  };
  const { first, items } = list;

  return (
    <>
      <Box
        component="form"
        role="search"
        aria-label="End users"
        onSubmit={search}
        sx={{ display: "flex", gap: 1, alignItems: "flex-start", flexWrap: "wrap" }}
      >
        <TextField
          label="End user reference contains"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          size="small"
          placeholder="whatsapp:+49…, widget:…, a user id"
          sx={{ flex: "1 1 280px", maxWidth: 480 }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <Button type="submit" variant="contained">
          Search
        </Button>
        {q && (
          <Button
            onClick={() => {
              setTyped("");
              setSearchParams({}, { replace: true });
            }}
          >
            Show everyone
          </Button>
        )}
      </Box>
      {!items ? (
        first.error ? (
          <RequestErrorAlert error={first.error} onRetry={first.retry} retrying={first.pending} />
        ) : (
          <PageLoading label="Loading end users…" />
        )
      ) : items.length === 0 ? (
        <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
          <Typography variant="h2" gutterBottom>
            {q ? "No end user matches" : "No end users yet"}
          </Typography>
          <Typography color="text.secondary" sx={{ maxWidth: 560, mx: "auto" }}>
            {q ? (
              `No end user's reference contains “${q}”. References are what channels record: a WhatsApp number, a widget visitor, the user an API client names.`
            ) : (
              <>
                End users appear here once they talk to an agent with long-term memory. Turn it on in an
                agent&apos;s builder, under Long-term memory.{" "}
                <Link component={RouterLink} to="/agents">
                  Go to agents
                </Link>
              </>
            )}
          </Typography>
        </Paper>
      ) : (
        <Stack spacing={2}>
          {first.error && (
            <RequestErrorAlert
              error={first.error}
              onRetry={first.retry}
              retrying={first.pending}
              staleSince={first.updatedAt}
            />
          )}
          <EndUsersTable endUsers={items} agentName={agentName} />
          {list.loadMoreError && (
            <Alert severity="error">
              More end users could not be loaded. {list.loadMoreError.reason ?? list.loadMoreError.message}
            </Alert>
          )}
          <Box
            sx={{
              display: "flex",
              flexWrap: "wrap",
              gap: 2,
              alignItems: "center",
              justifyContent: "space-between",
            }}
          >
            <Typography variant="body2" color="text.secondary" role="status">
              {list.hasMore
                ? `Showing the ${items.length} most recently seen end users.`
                : items.length === 1
                  ? "Showing 1 end user."
                  : `Showing all ${items.length} end users.`}
            </Typography>
            {list.hasMore && (
              // Never disabled while loading: a disabled button would drop the keyboard focus.
              <Button variant="outlined" onClick={list.loadMore}>
                {list.loadingMore ? "Loading more…" : list.loadMoreError ? "Try again" : "Load more"}
              </Button>
            )}
          </Box>
        </Stack>
      )}
    </>
  );
}
