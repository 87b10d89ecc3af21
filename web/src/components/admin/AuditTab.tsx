import { useId, useState, type FormEvent } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
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
  TextField,
  Typography,
} from "@mui/material";
import { usePlatformAudit } from "../../data/hooks/operator";
import { operatorPageSize, type PlatformAuditEntry } from "../../data/operator";
import { monospace } from "../../theme";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { compactCells } from "../shared/tableStyles";
import { CursorPager, useCursorPages } from "./CursorPager";
import { adminWorkspacePath } from "./sections";

/** `/admin/audit`: what was changed, by whom, in every workspace; filtered by workspace and action. */
export function AuditTab() {
  const headingId = useId();
  const [params, setParams] = useSearchParams();
  const tenantId = params.get("tenantId") ?? "";
  const action = params.get("action") ?? "";
  const [typedTenant, setTypedTenant] = useState(tenantId);
  const [typedAction, setTypedAction] = useState(action);

  const filter = (event: FormEvent) => {
    event.preventDefault();
    const query = new URLSearchParams();
    if (typedTenant.trim()) query.set("tenantId", typedTenant.trim());
    if (typedAction.trim()) query.set("action", typedAction.trim());
    setParams(query, { replace: true });
  };

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <Typography variant="h2" id={headingId}>
        Audit trail
      </Typography>
      <Box
        component="form"
        role="search"
        aria-label="Audit trail"
        onSubmit={filter}
        sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", alignItems: "flex-start" }}
      >
        <TextField
          label="Workspace id"
          value={typedTenant}
          onChange={(event) => setTypedTenant(event.target.value)}
          size="small"
          sx={{ flex: "1 1 200px" }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <TextField
          label="Action"
          value={typedAction}
          onChange={(event) => setTypedAction(event.target.value)}
          helperText="Such as workspace.suspend or agent.publish"
          size="small"
          sx={{ flex: "1 1 200px" }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <Button type="submit" variant="outlined">
          Filter
        </Button>
      </Box>
      <AuditResults key={`${tenantId}|${action}`} tenantId={tenantId} action={action} />
    </Stack>
  );
}

function AuditResults({ tenantId, action }: { readonly tenantId: string; readonly action: string }) {
  const pages = useCursorPages();
  const audit = usePlatformAudit({ tenantId, action, cursor: pages.cursor, limit: operatorPageSize });
  const { data, error } = audit;
  return (
    <>
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={audit.retry}
          retrying={audit.pending}
          staleSince={data ? audit.updatedAt : undefined}
        />
      )}
      {!data && !error && <PageLoading label="Loading the audit trail…" />}
      {data && data.entries.length === 0 && (
        <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
          <Typography variant="h3" gutterBottom>
            No entries
          </Typography>
          <Typography color="text.secondary">
            {tenantId || action ? "Nothing recorded matches this filter." : "Nothing has been recorded yet."}
          </Typography>
        </Paper>
      )}
      {data && data.entries.length > 0 && <AuditTable entries={data.entries} />}
      {data && (
        <CursorPager
          label="Audit trail"
          page={pages.page}
          nextCursor={data.nextCursor}
          onNext={pages.next}
          onPrevious={pages.previous}
        />
      )}
    </>
  );
}

function AuditTable({ entries }: { readonly entries: readonly PlatformAuditEntry[] }) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Audit trail" sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>When</TableCell>
            <TableCell>Action</TableCell>
            <TableCell>Workspace</TableCell>
            <TableCell>Who</TableCell>
            <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Target</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {entries.map((e) => (
            <TableRow key={e.id}>
              <TableCell sx={{ whiteSpace: "nowrap" }}>
                <RelativeTime iso={e.at} />
              </TableCell>
              <TableCell sx={{ fontFamily: monospace }}>{e.action}</TableCell>
              <TableCell sx={{ overflowWrap: "anywhere" }}>
                <Link component={RouterLink} to={adminWorkspacePath(e.tenantId)}>
                  {e.tenantId}
                </Link>
              </TableCell>
              <TableCell sx={{ overflowWrap: "anywhere" }}>{e.actor}</TableCell>
              <TableCell sx={{ display: { xs: "none", md: "table-cell" }, overflowWrap: "anywhere" }}>
                {e.target.type} {e.target.id}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
