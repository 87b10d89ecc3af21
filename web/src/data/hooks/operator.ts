/** The operator console's reads: who operates, the installation's workspaces, users, audit, billing, deployments. */
import { useCallback } from "react";
import type {
  AuditQuery,
  Deployment,
  OperatorIdentity,
  PlanChoice,
  PlatformAuditPage,
  PlatformBilling,
  PlatformUserPage,
  UserQuery,
  WorkspaceDetail,
  WorkspacePage,
  WorkspaceQuery,
} from "../operator";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/**
 * `null` once the platform has said the person is not an operator, or without a session (nothing is asked).
 * `sessionKey` (the account and tenant signed in) changing asks again.
 */
export function useOperatorIdentity(sessionKey: string | undefined): RemoteData<OperatorIdentity | null> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) =>
      sessionKey === undefined ? Promise.resolve(null) : source.getOperatorIdentity(signal),
    [source, sessionKey],
  );
  return useRemoteData(load);
}

/** One page of workspaces; a new query (search, status, cursor) loads again. */
export function useOperatedWorkspaces(query: WorkspaceQuery): RemoteData<WorkspacePage> {
  const source = useStudio();
  const { q, status, cursor, limit } = query;
  const load = useCallback(
    (signal: AbortSignal) => source.listOperatedWorkspaces({ q, status, cursor, limit }, signal),
    [source, q, status, cursor, limit],
  );
  return useRemoteData(load);
}

export function useOperatedWorkspace(tenantId: string): RemoteData<WorkspaceDetail> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getOperatedWorkspace(tenantId, signal),
    [source, tenantId],
  );
  return useRemoteData(load);
}

export function useOperatorPlans(): RemoteData<PlanChoice[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listOperatorPlans(signal), [source]);
  return useRemoteData(load);
}

export function usePlatformUsers(query: UserQuery): RemoteData<PlatformUserPage> {
  const source = useStudio();
  const { q, cursor, limit } = query;
  const load = useCallback(
    (signal: AbortSignal) => source.listPlatformUsers({ q, cursor, limit }, signal),
    [source, q, cursor, limit],
  );
  return useRemoteData(load);
}

export function usePlatformAudit(query: AuditQuery): RemoteData<PlatformAuditPage> {
  const source = useStudio();
  const { tenantId, action, cursor, limit } = query;
  const load = useCallback(
    (signal: AbortSignal) => source.listPlatformAudit({ tenantId, action, cursor, limit }, signal),
    [source, tenantId, action, cursor, limit],
  );
  return useRemoteData(load);
}

export function usePlatformBilling(): RemoteData<PlatformBilling> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getPlatformBilling(signal), [source]);
  return useRemoteData(load);
}

export function useDeployments(): RemoteData<Deployment[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listDeployments(signal), [source]);
  return useRemoteData(load);
}
