import { useId } from "react";
import { Link as RouterLink } from "react-router";
import {
  Box,
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
import { usePlatformBilling } from "../../data/hooks/operator";
import type { PlatformBilling } from "../../data/operator";
import { PageLoading } from "../PageLoading";
import { RequestErrorAlert } from "../RequestErrorAlert";
import { formatCount } from "../shared/format";
import { formatMoney } from "../shared/money";
import { compactCells } from "../shared/tableStyles";
import { adminWorkspacePath } from "./sections";

/** `/admin/billing`: this period across the installation: plans, usage, who uses most, who owes. */
export function BillingTab() {
  const billing = usePlatformBilling();
  const { data, error } = billing;
  if (!data) {
    if (error) return <RequestErrorAlert error={error} onRetry={billing.retry} retrying={billing.pending} />;
    return <PageLoading label="Loading billing…" />;
  }
  return (
    <Stack spacing={3}>
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={billing.retry}
          retrying={billing.pending}
          staleSince={billing.updatedAt}
        />
      )}
      <Totals billing={data} />
      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "repeat(2, minmax(0, 1fr))" },
          alignItems: "start",
        }}
      >
        <WorkspaceMoneyTable
          title="Most usage"
          empty="No workspace has used credits this period."
          rows={data.topUsage.map((t) => ({
            tenantId: t.tenantId,
            name: t.name,
            cells: [formatMoney(t.creditsUsedMicros, data.currency), formatCount(t.turns)],
          }))}
          columns={["Credits used", "Turns"]}
        />
        <WorkspaceMoneyTable
          title="Negative balances"
          empty="No workspace owes credits."
          rows={data.negativeBalances.map((n) => ({
            tenantId: n.tenantId,
            name: n.name,
            cells: [formatMoney(n.balanceMicros, data.currency)],
          }))}
          columns={["Balance"]}
        />
      </Box>
    </Stack>
  );
}

function Totals({ billing }: { readonly billing: PlatformBilling }) {
  const headingId = useId();
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        {billing.period}
      </Typography>
      <Box
        component="dl"
        sx={{ display: "grid", gridTemplateColumns: "repeat(auto-fit, minmax(160px, 1fr))", gap: 2, m: 0 }}
      >
        {(
          [
            ["Workspaces", formatCount(billing.workspaces)],
            ["Credits used", formatMoney(billing.creditsUsedMicros, billing.currency)],
            ["Turns", formatCount(billing.turns)],
          ] as const
        ).map(([label, value]) => (
          <Box key={label}>
            <Typography component="dt" variant="body2" color="text.secondary">
              {label}
            </Typography>
            <Typography component="dd" sx={{ m: 0, fontWeight: 600, fontSize: "1.25rem" }}>
              {value}
            </Typography>
          </Box>
        ))}
      </Box>
      {billing.byPlan.length > 0 && (
        <Typography color="text.secondary" sx={{ mt: 2 }}>
          By plan: {billing.byPlan.map((p) => `${p.planName} ${formatCount(p.workspaces)}`).join(" · ")}
        </Typography>
      )}
    </Paper>
  );
}

interface WorkspaceMoneyTableProps {
  readonly title: string;
  readonly empty: string;
  readonly columns: readonly string[];
  readonly rows: readonly { tenantId: string; name: string; cells: readonly string[] }[];
}

function WorkspaceMoneyTable({ title, empty, columns, rows }: WorkspaceMoneyTableProps) {
  const headingId = useId();
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        {title}
      </Typography>
      {rows.length === 0 ? (
        <Typography color="text.secondary">{empty}</Typography>
      ) : (
        <TableContainer>
          <Table aria-label={title} size="small" sx={compactCells}>
            <TableHead>
              <TableRow>
                <TableCell>Workspace</TableCell>
                {columns.map((c) => (
                  <TableCell key={c} align="right">
                    {c}
                  </TableCell>
                ))}
              </TableRow>
            </TableHead>
            <TableBody>
              {rows.map((r) => (
                <TableRow key={r.tenantId}>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>
                    <Link component={RouterLink} to={adminWorkspacePath(r.tenantId)}>
                      {r.name}
                    </Link>
                  </TableCell>
                  {r.cells.map((cell, i) => (
                    <TableCell key={columns[i] ?? i} align="right" sx={{ whiteSpace: "nowrap" }}>
                      {cell}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
