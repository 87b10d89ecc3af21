import { useMemo } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import { Alert, Box, Button, Paper, Stack, Typography } from "@mui/material";
import { ConversationFilters, type HistoryFilterValues } from "../components/history/ConversationFilters";
import { ConversationTable } from "../components/history/ConversationTable";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { usePageTitle } from "../components/usePageTitle";
import type { Agent } from "../data/agents";
import { dayRange, isConversationChannel, startOfLocalDay, type ConversationFilter } from "../data/history";
import { useAgents } from "../data/hooks/agents";
import { useConversationList } from "../data/hooks/history";
import { roleAtLeast, useSession } from "../data/session";
import type { RemoteData } from "../data/useRemoteData";
import { PageHeader } from "../components/PageHeader";

/** The address's names for the filters: `?agent=…&channel=…&from=YYYY-MM-DD&to=YYYY-MM-DD`. */
const params = { agentId: "agent", channel: "channel", fromDay: "from", toDay: "to" } as const;

const validDay = (value: string | null) => (value && startOfLocalDay(value) ? value : undefined);

/** The filters as the address holds them; what it cannot hold (a channel that does not exist) is ignored. */
function filtersOf(search: URLSearchParams): HistoryFilterValues {
  const channel = search.get(params.channel);
  return {
    agentId: search.get(params.agentId) || undefined,
    channel: channel && isConversationChannel(channel) ? channel : undefined,
    fromDay: validDay(search.get(params.fromDay)),
    toDay: validDay(search.get(params.toDay)),
  };
}

/** Loaded on demand (see routes/index.tsx). Every conversation of the workspace, most recent activity first. */
export function ConversationsPage() {
  usePageTitle("Conversations");
  const { session } = useSession();
  const canRead = session !== undefined && roleAtLeast(session.role, "editor");
  const workspace = session?.workspaces.find((w) => w.tenantId === session.tenantId)?.name;

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Conversations"
        intro="What people asked your agents on every channel, and how each answer was decided. The list updates as conversations happen."
      />
      {canRead ? (
        <History />
      ) : (
        <Alert severity="info">
          Conversations hold what end users wrote, so only editors, admins and owners can read them. Ask an
          admin of {workspace ?? "this workspace"} if you need access.
        </Alert>
      )}
    </Stack>
  );
}

function History() {
  const [searchParams, setSearchParams] = useSearchParams();
  const values = filtersOf(searchParams);
  const agents = useAgents({ includeArchived: true });
  const rangeError =
    values.fromDay && values.toDay && values.fromDay > values.toDay
      ? "Pick a day on or after the From day."
      : undefined;

  const change = (change: Partial<HistoryFilterValues>) =>
    setSearchParams(
      (current) => {
        const next = new URLSearchParams(current);
        for (const [key, value] of Object.entries(change) as [
          keyof HistoryFilterValues,
          string | undefined,
        ][]) {
          if (value) next.set(params[key], value);
          else next.delete(params[key]);
        }
        return next;
      },
      { replace: true },
    );

  return (
    <>
      <ConversationFilters
        values={values}
        onChange={change}
        onClear={() => setSearchParams({}, { replace: true })}
        agents={agents}
        rangeError={rangeError}
      />
      {rangeError ? (
        <Alert severity="warning">
          The From day is after the To day, so no conversation can match. Change one of them.
        </Alert>
      ) : (
        <ConversationList
          values={values}
          agents={agents}
          listSearch={searchParams.toString()}
          onClearFilters={() => setSearchParams({}, { replace: true })}
        />
      )}
    </>
  );
}

function ConversationList({
  values,
  agents,
  listSearch,
  onClearFilters,
}: {
  readonly values: HistoryFilterValues;
  readonly agents: RemoteData<Agent[]>;
  readonly listSearch: string;
  readonly onClearFilters: () => void;
}) {
  const { agentId, channel, fromDay, toDay } = values;
  const filter = useMemo((): ConversationFilter => {
    const { from, to } = dayRange(fromDay, toDay);
    return { agentId, channel, from, to };
  }, [agentId, channel, fromDay, toDay]);
  const list = useConversationList(filter);
  const { first, conversations } = list;
  const filtered =
    agentId !== undefined || channel !== undefined || fromDay !== undefined || toDay !== undefined;

  if (!conversations) {
    return first.error ? (
      <RequestErrorAlert error={first.error} onRetry={first.retry} retrying={first.pending} />
    ) : (
      <PageLoading label="Loading conversations…" />
    );
  }
  return (
    <Stack spacing={2}>
      {first.error && (
        <RequestErrorAlert
          error={first.error}
          onRetry={first.retry}
          retrying={first.pending}
          staleSince={first.updatedAt}
        />
      )}
      {conversations.length === 0 ? (
        <NoConversations filtered={filtered} onClearFilters={onClearFilters} />
      ) : (
        <>
          <ConversationTable conversations={conversations} agents={agents.data} listSearch={listSearch} />
          {list.loadMoreError && (
            <Alert severity="error">
              More conversations could not be loaded.{" "}
              {list.loadMoreError.reason ?? list.loadMoreError.message}
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
                ? `Showing the ${conversations.length} most recent conversations.`
                : conversations.length === 1
                  ? "Showing 1 conversation."
                  : `Showing all ${conversations.length} conversations.`}
            </Typography>
            {list.hasMore && (
              // Never disabled while loading: a disabled button would drop the keyboard focus.
              <Button variant="outlined" onClick={list.loadMore}>
                {list.loadingMore ? "Loading more…" : list.loadMoreError ? "Try again" : "Load more"}
              </Button>
            )}
          </Box>
        </>
      )}
    </Stack>
  );
}

function NoConversations({
  filtered,
  onClearFilters,
}: {
  readonly filtered: boolean;
  readonly onClearFilters: () => void;
}) {
  const title = filtered ? "No conversations match these filters" : "No conversations yet";
  return (
    <Paper
      component="section"
      aria-labelledby="no-conversations-heading"
      sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}
    >
      <Typography variant="h2" id="no-conversations-heading" gutterBottom>
        {title}
      </Typography>
      <Typography color="text.secondary" sx={{ maxWidth: 520, mx: "auto", mb: 3 }}>
        {filtered
          ? "Try another agent, channel or days, or clear the filters to see every conversation."
          : "Conversations appear here as soon as someone talks to one of your agents: on a channel, or in an agent's playground."}
      </Typography>
      {filtered ? (
        <Button variant="contained" onClick={onClearFilters}>
          Clear filters
        </Button>
      ) : (
        <Button component={RouterLink} to="/agents" variant="contained">
          Go to agents
        </Button>
      )}
    </Paper>
  );
}
