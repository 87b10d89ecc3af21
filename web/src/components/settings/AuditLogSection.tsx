import { Fragment, useId, useState } from "react";
import {
  Box,
  Button,
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
import type { AuditEntry, AuditLogPage } from "../../data/admin";
import { useApiKeys, useAuditLog, useMembers } from "../../data/hooks/admin";
import { asRequestError, type PlatformRequestError } from "../../data/platform";
import { useStudio } from "../../data/studio";
import { monospace } from "../../theme";
import { FormErrorAlert } from "../FormErrorAlert";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { SectionHeader } from "../shared/SectionHeader";
import { SectionLoadError } from "./SectionLoadError";
import { compactCells, visuallyHidden } from "../shared/tableStyles";

/** What the platform records, in words; an action not listed here is shown as the platform names it. */
const actionLabels: Readonly<Record<string, string>> = {
  "account.signUp": "Signed up",
  "tenant.create": "Created the workspace",
  "agent.create": "Created an agent",
  "agent.update": "Changed an agent's draft",
  "agent.publish": "Published an agent",
  "agent.rollback": "Rolled an agent back",
  "agent.pause": "Paused an agent",
  "agent.resume": "Resumed an agent",
  "agent.archive": "Archived an agent",
  "knowledgeBase.create": "Created a knowledge base",
  "knowledgeBase.delete": "Deleted a knowledge base",
  "document.create": "Added a document",
  "document.delete": "Deleted a document",
  "apikey.create": "Created an API key",
  "apikey.revoke": "Revoked an API key",
  "member.changeRole": "Changed a member's role",
  "member.remove": "Removed a member",
  "invitation.create": "Invited someone",
  "invitation.revoke": "Revoked an invitation",
  "invitation.accept": "Accepted an invitation",
  "settings.update": "Changed the settings",
  "retention.purge": "Deleted expired conversations",
  "privacy.export": "Exported an end user's data",
  "privacy.erase": "Erased an end user's data",
};

const targetLabels: Readonly<Record<string, string>> = {
  agent: "Agent",
  knowledgeBase: "Knowledge base",
  document: "Document",
  apiKey: "API key",
  member: "Member",
  invitation: "Invitation",
  tenant: "Workspace",
  endUser: "End user",
  account: "Account",
};

/** Columns that phones show inside the "What" cell instead. */
const wideOnly = { display: { xs: "none", sm: "table-cell" } } as const;

/** The platform's own jobs, which act as no person. */
const platformActors = new Set(["system", "seed", "scheduler"]);

/** More entries after the newest page, for the page they continue. */
interface OlderEntries {
  readonly after: AuditLogPage;
  readonly entries: readonly AuditEntry[];
  readonly nextCursor: string | null;
}

/** `/settings/audit-log`: who changed what in the workspace, newest first, page by page. */
export function AuditLogSection() {
  const headingId = useId();
  const studio = useStudio();
  const log = useAuditLog();
  // To name people and keys instead of showing their ids; the ids stay if these do not load.
  const members = useMembers();
  const keys = useApiKeys();
  const [older, setOlder] = useState<OlderEntries | undefined>(undefined);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const [olderError, setOlderError] = useState<PlatformRequestError | undefined>(undefined);

  const first = log.data;
  // Older pages belong to the newest page they continue: a refresh starts over from the top.
  const continued = older && older.after === first ? older : undefined;
  const entries = first ? [...first.entries, ...(continued?.entries ?? [])] : undefined;
  const cursor = continued ? continued.nextCursor : first?.nextCursor;

  const loadOlder = async () => {
    if (!first || !cursor || loadingOlder) return;
    setLoadingOlder(true);
    setOlderError(undefined);
    try {
      const page = await studio.listAuditLog({ before: cursor }, new AbortController().signal);
      setOlder({
        after: first,
        entries: [...(continued?.entries ?? []), ...page.entries],
        nextCursor: page.nextCursor,
      });
    } catch (e) {
      setOlderError(asRequestError(e));
    } finally {
      setLoadingOlder(false);
    }
  };

  const actorName = (actor: string): string => {
    if (platformActors.has(actor)) return "The platform";
    if (actor.startsWith("apikey:")) {
      const id = actor.slice("apikey:".length);
      const key = keys.data?.find((k) => k.id === id);
      return key ? `API key “${key.name}”` : `API key ${id}`;
    }
    return members.data?.find((m) => m.id === actor)?.email ?? actor;
  };

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <SectionHeader
        id={headingId}
        title="Audit log"
        description="Who changed what in this workspace, newest first. Entries are never changed or deleted."
        action={
          first ? (
            <Button variant="outlined" onClick={log.retry}>
              {log.pending ? "Refreshing…" : "Refresh"}
            </Button>
          ) : undefined
        }
      />
      {log.error && !first && (
        <SectionLoadError error={log.error} onRetry={log.retry} retrying={log.pending} />
      )}
      {log.error && first && <FormErrorAlert title="The log could not be refreshed" error={log.error} />}
      {!first && !log.error && <PageLoading label="Loading the audit log…" />}
      {entries && entries.length === 0 && (
        <Typography color="text.secondary">Nothing has been recorded in this workspace yet.</Typography>
      )}
      {entries && entries.length > 0 && <AuditTable entries={entries} actorName={actorName} />}
      {olderError && <FormErrorAlert title="Older entries could not be loaded" error={olderError} />}
      {entries && cursor && (
        <Box>
          <Button variant="outlined" onClick={() => void loadOlder()}>
            {loadingOlder ? "Loading older entries…" : "Show older entries"}
          </Button>
        </Box>
      )}
    </Stack>
  );
}

interface AuditTableProps {
  readonly entries: readonly AuditEntry[];
  readonly actorName: (actor: string) => string;
}

function AuditTable({ entries, actorName }: AuditTableProps) {
  const [expanded, setExpanded] = useState<string | undefined>(undefined);
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Audit log" size="small" sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell sx={wideOnly}>When</TableCell>
            <TableCell sx={wideOnly}>Who</TableCell>
            <TableCell>What</TableCell>
            <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Target</TableCell>
            <TableCell align="right">
              <span style={visuallyHidden}>Details</span>
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((entry) => {
            const open = expanded === entry.id;
            const detailsId = `audit-details-${entry.id}`;
            return (
              <Fragment key={entry.id}>
                <TableRow sx={open ? { "& > td": { borderBottom: "none" } } : undefined}>
                  <TableCell sx={{ ...wideOnly, whiteSpace: "nowrap" }}>
                    <RelativeTime iso={entry.at} />
                  </TableCell>
                  <TableCell sx={{ ...wideOnly, overflowWrap: "anywhere" }}>
                    {actorName(entry.actor)}
                  </TableCell>
                  <TableCell>
                    {actionLabels[entry.action] ?? (
                      <Box component="span" sx={{ fontFamily: monospace }}>
                        {entry.action}
                      </Box>
                    )}
                    {/* On phones, who and when go under what, instead of in columns of their own. */}
                    <Typography
                      variant="body2"
                      color="text.secondary"
                      sx={{ display: { xs: "block", sm: "none" }, overflowWrap: "anywhere" }}
                    >
                      {actorName(entry.actor)} · <RelativeTime iso={entry.at} />
                    </Typography>
                  </TableCell>
                  <TableCell sx={{ display: { xs: "none", md: "table-cell" }, overflowWrap: "anywhere" }}>
                    {targetLabels[entry.target.type] ?? entry.target.type}{" "}
                    <Box component="span" sx={{ fontFamily: monospace, fontSize: "0.8125rem" }}>
                      {entry.target.id}
                    </Box>
                  </TableCell>
                  <TableCell align="right">
                    <Button
                      size="small"
                      aria-expanded={open}
                      aria-controls={open ? detailsId : undefined}
                      aria-label={`${open ? "Hide" : "Show"} the details of “${actionLabels[entry.action] ?? entry.action}” ${new Date(entry.at).toLocaleString()}`}
                      onClick={() => setExpanded(open ? undefined : entry.id)}
                    >
                      {open ? "Hide" : "Details"}
                    </Button>
                  </TableCell>
                </TableRow>
                {open && (
                  <TableRow id={detailsId}>
                    <TableCell colSpan={5}>
                      <EntryDetails entry={entry} />
                    </TableCell>
                  </TableRow>
                )}
              </Fragment>
            );
          })}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function EntryDetails({ entry }: { readonly entry: AuditEntry }) {
  return (
    <Stack spacing={1.5} sx={{ pb: 1 }}>
      <Typography variant="body2" sx={{ display: { md: "none" }, overflowWrap: "anywhere" }}>
        {targetLabels[entry.target.type] ?? entry.target.type}{" "}
        <Box component="span" sx={{ fontFamily: monospace }}>
          {entry.target.id}
        </Box>
      </Typography>
      <Typography variant="body2" color="text.secondary">
        {new Date(entry.at).toLocaleString()} · <span style={{ fontFamily: monospace }}>{entry.action}</span>
      </Typography>
      <Box
        sx={{
          display: "grid",
          gap: 1.5,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
        }}
      >
        <Summary title="Before" value={entry.before} />
        <Summary title="After" value={entry.after} />
      </Box>
    </Stack>
  );
}

function Summary({ title, value }: { readonly title: string; readonly value: unknown }) {
  return (
    <Box sx={{ minWidth: 0 }}>
      <Typography variant="body2" sx={{ fontWeight: 600, mb: 0.5 }}>
        {title}
      </Typography>
      {value === null || value === undefined ? (
        <Typography variant="body2" color="text.secondary">
          Nothing recorded
        </Typography>
      ) : (
        <Box
          component="pre"
          tabIndex={0}
          sx={{
            m: 0,
            p: 1.5,
            bgcolor: "grey.100",
            borderRadius: 1,
            overflowX: "auto",
            fontFamily: monospace,
            fontSize: "0.75rem",
            maxHeight: 320,
          }}
        >
          {JSON.stringify(value, null, 2)}
        </Box>
      )}
    </Box>
  );
}
