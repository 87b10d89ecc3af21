import { useId, useState, type FormEvent } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import {
  Box,
  Button,
  Link,
  MenuItem,
  Paper,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableRow,
  TextField,
  Typography,
} from "@mui/material";
import { useOperatedWorkspaces } from "../../data/hooks/operator";
import {
  operatorPageSize,
  workspaceStatuses,
  type WorkspaceRow,
  type WorkspaceStatus,
} from "../../data/operator";
import { monospace } from "../../theme";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { formatCount } from "../shared/format";
import { formatMoney } from "../shared/money";
import { compactCells } from "../shared/tableStyles";
import { CursorPager, useCursorPages } from "./CursorPager";
import { adminWorkspacePath } from "./sections";
import { WorkspaceStatusChip } from "./WorkspaceStatusChip";

const isStatus = (v: string | null): v is WorkspaceStatus =>
  v !== null && (workspaceStatuses as readonly string[]).includes(v);

/** `/admin`: every workspace of the installation, searched by name or id and filtered by status. */
export function WorkspacesTab() {
  const headingId = useId();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const statusParam = params.get("status");
  const status = isStatus(statusParam) ? statusParam : undefined;
  const [typed, setTyped] = useState(q);

  const setFilter = (next: { q?: string; status?: WorkspaceStatus | undefined }) => {
    const merged = { q, status, ...next };
    const query = new URLSearchParams();
    if (merged.q) query.set("q", merged.q);
    if (merged.status) query.set("status", merged.status);
    setParams(query, { replace: true });
  };

  const search = (event: FormEvent) => {
    event.preventDefault();
    setFilter({ q: typed.trim() });
  };

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <Typography variant="h2" id={headingId}>
        Workspaces
      </Typography>
      <Box
        component="form"
        role="search"
        aria-label="Workspaces"
        onSubmit={search}
        sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", alignItems: "flex-start" }}
      >
        <TextField
          label="Search by name or id"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          size="small"
          sx={{ flex: "1 1 260px" }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <Button type="submit" variant="outlined">
          Search
        </Button>
        <TextField
          select
          label="Status"
          value={status ?? "all"}
          onChange={(event) =>
            setFilter({ status: isStatus(event.target.value) ? event.target.value : undefined })
          }
          size="small"
          sx={{ minWidth: 160 }}
        >
          <MenuItem value="all">Any status</MenuItem>
          <MenuItem value="active">Active</MenuItem>
          <MenuItem value="suspended">Suspended</MenuItem>
        </TextField>
      </Box>
      {/* Keyed: a new search or filter starts from the first page. */}
      <WorkspaceResults key={`${q}|${status ?? ""}`} q={q} status={status} />
    </Stack>
  );
}

function WorkspaceResults({
  q,
  status,
}: {
  readonly q: string;
  readonly status: WorkspaceStatus | undefined;
}) {
  const pages = useCursorPages();
  const workspaces = useOperatedWorkspaces({ q, status, cursor: pages.cursor, limit: operatorPageSize });
  const { data, error } = workspaces;
  return (
    <>
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={workspaces.retry}
          retrying={workspaces.pending}
          staleSince={data ? workspaces.updatedAt : undefined}
        />
      )}
      {!data && !error && <PageLoading label="Loading workspaces…" />}
      {data && data.workspaces.length === 0 && (
        <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
          <Typography variant="h3" gutterBottom>
            No workspaces found
          </Typography>
          <Typography color="text.secondary">
            {q || status
              ? "No workspace matches this search and filter. Try another name, or any status."
              : "Nobody has created a workspace on this installation yet."}
          </Typography>
        </Paper>
      )}
      {data && data.workspaces.length > 0 && <WorkspaceTable workspaces={data.workspaces} />}
      {data && (
        <CursorPager
          label="Workspaces"
          page={pages.page}
          nextCursor={data.nextCursor}
          onNext={pages.next}
          onPrevious={pages.previous}
        />
      )}
    </>
  );
}

function WorkspaceTable({ workspaces }: { readonly workspaces: readonly WorkspaceRow[] }) {
  const period = workspaces[0]?.usage.period;
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Workspaces" sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>Name</TableCell>
            <TableCell>Plan</TableCell>
            <TableCell>Status</TableCell>
            <TableCell align="right" sx={{ display: { xs: "none", md: "table-cell" } }}>
              Members
            </TableCell>
            <TableCell align="right" sx={{ display: { xs: "none", md: "table-cell" } }}>
              Agents
            </TableCell>
            <TableCell align="right" sx={{ display: { xs: "none", sm: "table-cell" } }}>
              Usage{period ? ` (${period})` : " this period"}
            </TableCell>
            <TableCell align="right">Balance</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {workspaces.map((w) => (
            <TableRow key={w.id}>
              <TableCell sx={{ overflowWrap: "anywhere" }}>
                <Link component={RouterLink} to={adminWorkspacePath(w.id)} sx={{ fontWeight: 600 }}>
                  {w.name}
                </Link>
                <Typography variant="body2" color="text.secondary" sx={{ fontFamily: monospace }}>
                  {w.id}
                </Typography>
              </TableCell>
              <TableCell>{w.planName}</TableCell>
              <TableCell>
                <WorkspaceStatusChip status={w.status} />
              </TableCell>
              <TableCell align="right" sx={{ display: { xs: "none", md: "table-cell" } }}>
                {formatCount(w.members)}
              </TableCell>
              <TableCell align="right" sx={{ display: { xs: "none", md: "table-cell" } }}>
                {formatCount(w.agents)}
              </TableCell>
              <TableCell
                align="right"
                sx={{ display: { xs: "none", sm: "table-cell" }, whiteSpace: "nowrap" }}
              >
                {formatMoney(w.usage.creditsUsedMicros, w.currency)}
                <Typography variant="body2" color="text.secondary">
                  {formatCount(w.usage.turns)} turns
                </Typography>
              </TableCell>
              <TableCell
                align="right"
                sx={{ whiteSpace: "nowrap", color: w.balanceMicros < 0 ? "error.main" : undefined }}
              >
                {formatMoney(w.balanceMicros, w.currency)}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
