import { useId, useState, type FormEvent } from "react";
import { Link as RouterLink, useSearchParams } from "react-router";
import {
  Box,
  Button,
  Chip,
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
import { usePlatformUsers } from "../../data/hooks/operator";
import { operatorPageSize, type PlatformUser } from "../../data/operator";
import { PageLoading } from "../PageLoading";
import { RelativeTime } from "../RelativeTime";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { compactCells } from "../shared/tableStyles";
import { CursorPager, useCursorPages } from "./CursorPager";
import { adminWorkspacePath } from "./sections";

/** `/admin/users`: the installation's accounts, their workspaces and roles, and whether they use two steps. */
export function UsersTab() {
  const headingId = useId();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const [typed, setTyped] = useState(q);

  const search = (event: FormEvent) => {
    event.preventDefault();
    const trimmed = typed.trim();
    setParams(trimmed ? { q: trimmed } : {}, { replace: true });
  };

  return (
    <Stack component="section" aria-labelledby={headingId} spacing={2}>
      <Typography variant="h2" id={headingId}>
        Users
      </Typography>
      <Box
        component="form"
        role="search"
        aria-label="Users"
        onSubmit={search}
        sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", alignItems: "flex-start" }}
      >
        <TextField
          label="Search by email"
          value={typed}
          onChange={(event) => setTyped(event.target.value)}
          size="small"
          sx={{ flex: "1 1 260px" }}
          slotProps={{ htmlInput: { maxLength: 200 } }}
        />
        <Button type="submit" variant="outlined">
          Search
        </Button>
      </Box>
      {/* Keyed: a new search starts from the first page. */}
      <UserResults key={q} q={q} />
    </Stack>
  );
}

function UserResults({ q }: { readonly q: string }) {
  const pages = useCursorPages();
  const users = usePlatformUsers({ q, cursor: pages.cursor, limit: operatorPageSize });
  const { data, error } = users;
  return (
    <>
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={users.retry}
          retrying={users.pending}
          staleSince={data ? users.updatedAt : undefined}
        />
      )}
      {!data && !error && <PageLoading label="Loading users…" />}
      {data && data.users.length === 0 && (
        <Paper sx={{ p: { xs: 3, sm: 5 }, textAlign: "center" }}>
          <Typography variant="h3" gutterBottom>
            No users found
          </Typography>
          <Typography color="text.secondary">
            {q ? "Nobody's email matches this search." : "Nobody has an account on this installation yet."}
          </Typography>
        </Paper>
      )}
      {data && data.users.length > 0 && <UserTable users={data.users} />}
      {data && (
        <CursorPager
          label="Users"
          page={pages.page}
          nextCursor={data.nextCursor}
          onNext={pages.next}
          onPrevious={pages.previous}
        />
      )}
    </>
  );
}

const mfaLabel = (enrolled: boolean | null) =>
  enrolled === null ? "Unknown" : enrolled ? "Two-step" : "Password only";

function UserTable({ users }: { readonly users: readonly PlatformUser[] }) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Users" sx={compactCells}>
        <TableHead>
          <TableRow>
            <TableCell>Email</TableCell>
            <TableCell>Workspaces</TableCell>
            <TableCell>Sign-in</TableCell>
            <TableCell sx={{ display: { xs: "none", md: "table-cell" } }}>Created</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {users.map((u) => (
            <TableRow key={u.id}>
              <TableCell sx={{ overflowWrap: "anywhere" }}>
                <Box sx={{ fontWeight: 600 }}>{u.email}</Box>
                {u.platformAdmin && <Chip label="Operator" size="small" color="primary" sx={{ mt: 0.5 }} />}
              </TableCell>
              <TableCell>
                {u.workspaces.length === 0 ? (
                  <Typography component="span" color="text.secondary">
                    None
                  </Typography>
                ) : (
                  <Box component="ul" sx={{ m: 0, p: 0, listStyle: "none" }}>
                    {u.workspaces.map((w) => (
                      <li key={w.tenantId}>
                        <Link component={RouterLink} to={adminWorkspacePath(w.tenantId)}>
                          {w.name}
                        </Link>{" "}
                        <Typography component="span" variant="body2" color="text.secondary">
                          ({w.role})
                        </Typography>
                      </li>
                    ))}
                  </Box>
                )}
              </TableCell>
              <TableCell sx={{ whiteSpace: "nowrap" }}>{mfaLabel(u.mfaEnrolled)}</TableCell>
              <TableCell sx={{ display: { xs: "none", md: "table-cell" }, whiteSpace: "nowrap" }}>
                {u.createdAt ? <RelativeTime iso={u.createdAt} /> : "—"}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
