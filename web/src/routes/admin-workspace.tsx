import { useId, useState, type ReactNode } from "react";
import { Link as RouterLink, useParams } from "react-router";
import {
  Alert,
  AlertTitle,
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
import { ChangePlanDialog } from "../components/admin/ChangePlanDialog";
import { GrantCreditsDialog } from "../components/admin/GrantCreditsDialog";
import { adminAuditPath, adminRoot } from "../components/admin/sections";
import { SuspendWorkspaceDialog } from "../components/admin/SuspendWorkspaceDialog";
import { WorkspaceFlagsPanel } from "../components/admin/WorkspaceFlagsPanel";
import { WorkspaceStatusChip } from "../components/admin/WorkspaceStatusChip";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { PageLoading } from "../components/PageLoading";
import { RelativeTime } from "../components/RelativeTime";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { formatCount } from "../components/shared/format";
import { formatMoney } from "../components/shared/money";
import { compactCells } from "../components/shared/tableStyles";
import { usePageTitle } from "../components/usePageTitle";
import { useOperatedWorkspace } from "../data/hooks/operator";
import type { CreditGrantInput, WorkspaceDetail } from "../data/operator";
import { useStudio } from "../data/studio";
import { useMutation } from "../data/useMutation";
import { monospace } from "../theme";
import { OperatorGate } from "./admin-gate";

/** Loaded on demand (see routes/index.tsx). `/admin/workspaces/:tenantId`: one workspace, for operators. */
export function AdminWorkspacePage() {
  const { tenantId = "" } = useParams();
  return (
    <OperatorGate>
      <WorkspaceScreen key={tenantId} tenantId={tenantId} />
    </OperatorGate>
  );
}

type Change = "suspend" | "resume" | "plan" | "credits" | "flags" | "security";

function WorkspaceScreen({ tenantId }: { readonly tenantId: string }) {
  const studio = useStudio();
  const workspace = useOperatedWorkspace(tenantId);
  const changes = useMutation<Change>();
  const [suspendOpen, setSuspendOpen] = useState(false);
  const [resumeOpen, setResumeOpen] = useState(false);
  const [planOpen, setPlanOpen] = useState(false);
  const [planKey, setPlanKey] = useState(0);
  const [creditsOpen, setCreditsOpen] = useState(false);
  // A new key each time the dialog opens: a fresh form, and a fresh request id for its one grant.
  const [creditsKey, setCreditsKey] = useState(0);
  const { data, error } = workspace;
  usePageTitle(data ? `${data.name} · Admin` : "Workspace · Admin");

  if (!data) {
    return (
      <Stack spacing={3}>
        <WorkspaceHeader title="Workspace" />
        {error ? (
          <RequestErrorAlert error={error} onRetry={workspace.retry} retrying={workspace.pending} />
        ) : (
          <PageLoading label="Loading the workspace…" />
        )}
      </Stack>
    );
  }

  const apply = (
    action: Change,
    change: () => Promise<WorkspaceDetail>,
    said: (w: WorkspaceDetail) => string,
  ) =>
    changes.run(action, async () => {
      const next = await change();
      workspace.replace(next);
      return said(next);
    });

  const suspend = async (reason: string) => {
    if (
      await apply(
        "suspend",
        () => studio.suspendWorkspace(tenantId, reason),
        (w) => `${w.name} is suspended.`,
      )
    )
      setSuspendOpen(false);
  };
  const resume = async () => {
    if (
      await apply(
        "resume",
        () => studio.resumeWorkspace(tenantId),
        (w) => `${w.name} is active again.`,
      )
    )
      setResumeOpen(false);
  };
  const changePlan = async (plan: string) => {
    if (
      await apply(
        "plan",
        () => studio.changeWorkspacePlan(tenantId, plan),
        (w) => `${w.name} is now on the ${w.planName} plan.`,
      )
    )
      setPlanOpen(false);
  };
  const grant = async (input: CreditGrantInput) => {
    const granted = await changes.run("credits", async () => {
      const answer = await studio.grantWorkspaceCredits(tenantId, input);
      workspace.replace(answer.workspace);
      const balance = formatMoney(answer.balanceMicros, answer.workspace.currency);
      return answer.applied
        ? `Credits granted: the balance is ${balance}.`
        : `That grant had already been applied: the balance is ${balance}.`;
    });
    if (granted) setCreditsOpen(false);
  };
  const setFlag = (name: string, enabled: boolean) =>
    void apply(
      "flags",
      () => studio.setWorkspaceFlags(tenantId, { [name]: enabled }),
      () => `${name} is ${enabled ? "on" : "off"} for this workspace.`,
    );
  const setMfaRequired = (required: boolean) =>
    void apply(
      "security",
      () => studio.setWorkspaceMfaRequired(tenantId, required),
      () =>
        required
          ? "Admins and owners must now sign in with two steps."
          : "Two-step sign-in is no longer required.",
    );

  return (
    <Stack spacing={3}>
      <WorkspaceHeader title={data.name}>
        <Box sx={{ display: "flex", gap: 1.5, alignItems: "center", flexWrap: "wrap" }}>
          <WorkspaceStatusChip status={data.status} />
          <Typography color="text.secondary" sx={{ fontFamily: monospace, overflowWrap: "anywhere" }}>
            {data.id}
          </Typography>
        </Box>
      </WorkspaceHeader>
      {error && (
        <RequestErrorAlert
          error={error}
          onRetry={workspace.retry}
          retrying={workspace.pending}
          staleSince={workspace.updatedAt}
        />
      )}
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", alignItems: "center" }}>
        {data.status === "active" ? (
          <Button
            color="error"
            variant="outlined"
            onClick={() => {
              changes.dismiss("suspend");
              setSuspendOpen(true);
            }}
          >
            Suspend…
          </Button>
        ) : (
          <Button
            variant="contained"
            onClick={() => {
              changes.dismiss("resume");
              setResumeOpen(true);
            }}
          >
            Resume…
          </Button>
        )}
        <Button
          variant="outlined"
          onClick={() => {
            changes.dismiss("plan");
            setPlanKey((k) => k + 1);
            setPlanOpen(true);
          }}
        >
          Change plan…
        </Button>
        <Button
          variant="outlined"
          onClick={() => {
            changes.dismiss("credits");
            setCreditsKey((k) => k + 1);
            setCreditsOpen(true);
          }}
        >
          Grant credits…
        </Button>
        <Button component={RouterLink} to={adminAuditPath(data.id)}>
          Audit trail
        </Button>
        <Typography role="status" color="text.secondary" sx={{ ml: { sm: 1 } }}>
          {changes.announcement}
        </Typography>
      </Box>
      {data.status === "suspended" && data.suspension && (
        <Alert severity="warning">
          <AlertTitle>Suspended</AlertTitle>
          <Typography variant="body2" sx={{ overflowWrap: "anywhere" }}>
            Reason: {data.suspension.reason}
          </Typography>
          <Typography variant="body2">
            By {data.suspension.by}, <RelativeTime iso={data.suspension.at} />.
          </Typography>
        </Alert>
      )}
      <WorkspaceFacts workspace={data} />
      <Box
        sx={{
          display: "grid",
          gap: 3,
          gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "minmax(0, 3fr) minmax(0, 2fr)" },
          alignItems: "start",
        }}
      >
        <MembersTable workspace={data} />
        <WorkspaceFlagsPanel
          flags={data.flags}
          mfaRequired={data.mfaRequired}
          busy={changes.busy === "flags" || changes.busy === "security" ? changes.busy : undefined}
          flagsError={changes.error("flags")}
          securityError={changes.error("security")}
          onFlag={setFlag}
          onMfaRequired={setMfaRequired}
        />
      </Box>

      <SuspendWorkspaceDialog
        open={suspendOpen}
        workspaceName={data.name}
        pending={changes.busy === "suspend"}
        error={changes.error("suspend")}
        onSuspend={(reason) => void suspend(reason)}
        onCancel={() => setSuspendOpen(false)}
      />
      <ConfirmDialog
        open={resumeOpen}
        title={`Resume ${data.name}?`}
        confirmLabel="Resume workspace"
        pending={changes.busy === "resume"}
        error={changes.error("resume")}
        errorTitle="The workspace was not resumed"
        onConfirm={() => void resume()}
        onCancel={() => setResumeOpen(false)}
      >
        Its members can change it again and its agents answer on every channel from their next request.
      </ConfirmDialog>
      {planKey > 0 && (
        <ChangePlanDialog
          key={planKey}
          open={planOpen}
          workspaceName={data.name}
          plan={data.plan}
          pending={changes.busy === "plan"}
          error={changes.error("plan")}
          onChange={(plan) => void changePlan(plan)}
          onCancel={() => setPlanOpen(false)}
        />
      )}
      {creditsKey > 0 && (
        <GrantCreditsDialog
          key={creditsKey}
          open={creditsOpen}
          workspaceName={data.name}
          currency={data.currency}
          balanceMicros={data.balanceMicros}
          pending={changes.busy === "credits"}
          error={changes.error("credits")}
          onGrant={(input) => void grant(input)}
          onCancel={() => setCreditsOpen(false)}
        />
      )}
    </Stack>
  );
}

function WorkspaceHeader({ title, children }: { readonly title: string; readonly children?: ReactNode }) {
  return (
    <Box component="header">
      <Link component={RouterLink} to={adminRoot} variant="body2" sx={{ display: "inline-block", mb: 1 }}>
        ← Workspaces
      </Link>
      <Typography variant="h1" gutterBottom={children !== undefined} sx={{ overflowWrap: "anywhere" }}>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

/** The figures an operator looks at first: plan, money, size and usage this period. */
function WorkspaceFacts({ workspace: w }: { readonly workspace: WorkspaceDetail }) {
  const headingId = useId();
  const facts: [string, ReactNode][] = [
    ["Plan", w.planName],
    ["Balance", formatMoney(w.balanceMicros, w.currency)],
    [`Credits used (${w.usage.period})`, formatMoney(w.usage.creditsUsedMicros, w.currency)],
    ["Turns this period", formatCount(w.usage.turns)],
    ["Conversations this period", formatCount(w.usage.conversations)],
    ["Members", formatCount(w.members)],
    ["Agents", formatCount(w.agents)],
    ["Created", <RelativeTime key="created" iso={w.createdAt} />],
  ];
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        Overview
      </Typography>
      <Box
        component="dl"
        sx={{
          display: "grid",
          gridTemplateColumns: { xs: "repeat(2, minmax(0, 1fr))", sm: "repeat(4, minmax(0, 1fr))" },
          gap: 2,
          m: 0,
        }}
      >
        {facts.map(([label, value]) => (
          <Box key={label}>
            <Typography component="dt" variant="body2" color="text.secondary">
              {label}
            </Typography>
            <Typography component="dd" sx={{ m: 0, fontWeight: 600 }}>
              {value}
            </Typography>
          </Box>
        ))}
      </Box>
    </Paper>
  );
}

function MembersTable({ workspace }: { readonly workspace: WorkspaceDetail }) {
  const headingId = useId();
  return (
    <Paper component="section" aria-labelledby={headingId} sx={{ p: { xs: 2, sm: 3 } }}>
      <Typography variant="h2" id={headingId} gutterBottom>
        Members
      </Typography>
      {workspace.memberList.length === 0 ? (
        <Typography color="text.secondary">This workspace has no members.</Typography>
      ) : (
        <TableContainer>
          <Table aria-label="Members" size="small" sx={compactCells}>
            <TableHead>
              <TableRow>
                <TableCell>Email</TableCell>
                <TableCell>Role</TableCell>
                <TableCell sx={{ display: { xs: "none", sm: "table-cell" } }}>Joined</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {workspace.memberList.map((m) => (
                <TableRow key={m.id}>
                  <TableCell sx={{ overflowWrap: "anywhere" }}>{m.email}</TableCell>
                  <TableCell sx={{ textTransform: "capitalize" }}>{m.role}</TableCell>
                  <TableCell sx={{ display: { xs: "none", sm: "table-cell" }, whiteSpace: "nowrap" }}>
                    <RelativeTime iso={m.createdAt} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Paper>
  );
}
