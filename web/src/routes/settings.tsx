import type { ReactNode } from "react";
import { Link as RouterLink, Navigate, useParams } from "react-router";
import { Alert, Box, Link, Stack, Typography } from "@mui/material";
import { ApiKeysSection } from "../components/settings/ApiKeysSection";
import { AuditLogSection } from "../components/settings/AuditLogSection";
import { BillingSection } from "../components/settings/billing/BillingSection";
import { ChannelsSection } from "../components/settings/ChannelsSection";
import { roleWithArticle } from "../components/settings/roleDescriptions";
import { MembersSection } from "../components/settings/MembersSection";
import { PrivacySection } from "../components/settings/PrivacySection";
import {
  settingsPath,
  settingsSections,
  type SettingsSection,
  type SettingsSectionId,
} from "../components/settingsSections";
import { SettingsNav } from "../components/settings/SettingsNav";
import { WorkspaceSection } from "../components/settings/WorkspaceSection";
import { usePageTitle } from "../components/usePageTitle";
import { hasPermission } from "../data/admin";
import { roleLabels, useSession, type Session } from "../data/session";
import { PageHeader } from "../components/PageHeader";

/**
 * Loaded on demand (see routes/index.tsx). `/settings/:section`: the workspace's members, API keys,
 * channels, settings, billing, audit log and privacy requests. People see the sections their role may use
 * (the platform's permission table, mirrored in data/admin.ts); the platform still refuses the rest.
 */
export function SettingsPage() {
  const { section } = useParams();
  const { session } = useSession();
  const current = settingsSections.find((s) => s.id === section);
  usePageTitle(current ? `${current.label} · Settings` : "Settings");
  // RequireSession renders this page only with a session.
  if (!session) return null;

  const visible = settingsSections.filter((s) => hasPermission(session.role, s.permission));
  const [first] = visible;
  if (section === undefined && first) return <Navigate to={settingsPath(first.id)} replace />;
  const limited = visible.length < settingsSections.length;
  const workspaceName =
    session.workspaces.find((w) => w.tenantId === session.tenantId)?.name ?? "this workspace";

  return (
    <Stack spacing={3}>
      <PageHeader
        title="Settings"
        intro={
          limited
            ? `You are ${roleWithArticle(session.role)} in ${workspaceName}.`
            : `Everything about ${workspaceName}: its people, keys, channels, billing and data.`
        }
      />
      {limited && (
        <Alert severity="info">
          Members, API keys, workspace settings, billing, the audit log and privacy requests are managed by
          the workspace&apos;s admins and owners. Ask one of them if you need a change or an API key.
        </Alert>
      )}
      <Box
        sx={{
          display: "grid",
          gap: { xs: 2, md: 4 },
          gridTemplateColumns: { xs: "minmax(0, 1fr)", md: "220px minmax(0, 1fr)" },
          alignItems: "start",
        }}
      >
        <Box sx={{ position: { md: "sticky" }, top: { md: 88 } }}>
          <SettingsNav sections={visible} />
        </Box>
        <Box sx={{ minWidth: 0 }}>
          <SectionContent section={current} requested={section} session={session} first={first} />
        </Box>
      </Box>
    </Stack>
  );
}

interface SectionContentProps {
  readonly section: SettingsSection | undefined;
  /** The URL's section, which may name none. */
  readonly requested: string | undefined;
  readonly session: Session;
  readonly first: SettingsSection | undefined;
}

function SectionContent({ section, requested, session, first }: SectionContentProps) {
  const back = first && (
    <Link component={RouterLink} to={settingsPath(first.id)}>
      Go to {first.label}
    </Link>
  );
  if (!section) {
    return (
      <Alert severity="warning">
        There is no settings section called “{requested}”. {back}
      </Alert>
    );
  }
  if (!hasPermission(session.role, section.permission)) {
    return (
      <Stack spacing={2}>
        <Typography variant="h2">{section.label}</Typography>
        <Alert severity="info">
          Only admins and owners manage {section.label.toLowerCase()}. Your role is {roleLabels[session.role]}
          . {back}
        </Alert>
      </Stack>
    );
  }
  // Keyed: each section starts fresh (its forms and dialogs) when someone comes back to it.
  const views: Record<SettingsSectionId, () => ReactNode> = {
    members: () => <MembersSection session={session} />,
    "api-keys": () => <ApiKeysSection session={session} />,
    channels: () => <ChannelsSection session={session} />,
    workspace: () => <WorkspaceSection session={session} />,
    billing: () => <BillingSection session={session} />,
    "audit-log": () => <AuditLogSection />,
    privacy: () => <PrivacySection />,
  };
  return <Box key={section.id}>{views[section.id]()}</Box>;
}
