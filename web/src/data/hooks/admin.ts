/** A workspace's administration as the settings pages read it: members, invitations, keys, settings, audit log. */
import { useCallback } from "react";
import type { ApiKey, AuditLogPage, Invitation, Member, WorkspaceSettings } from "../admin";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

export function useMembers(): RemoteData<Member[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listMembers(signal), [source]);
  return useRemoteData(load);
}

export function useInvitations(): RemoteData<Invitation[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listInvitations(signal), [source]);
  return useRemoteData(load);
}

export function useApiKeys(): RemoteData<ApiKey[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listApiKeys(signal), [source]);
  return useRemoteData(load);
}

export function useWorkspaceSettings(): RemoteData<WorkspaceSettings> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getWorkspaceSettings(signal), [source]);
  return useRemoteData(load);
}

/** The newest page of the audit log (older pages: `useStudio().listAuditLog({ before })`). */
export function useAuditLog(): RemoteData<AuditLogPage> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listAuditLog({}, signal), [source]);
  return useRemoteData(load);
}
