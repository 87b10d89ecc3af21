import { createContext, useContext, useMemo, type ReactNode } from "react";
import type { WorkspaceProfile } from "../data/environments";
import { useWorkspaceProfile } from "../data/hooks/environments";
import { useOperatorIdentity } from "../data/hooks/operator";
import type { OperatorIdentity } from "../data/operator";
import { useSession } from "../data/session";

/** What the shell shows about the session beyond its token: the workspace's status, and operator rights. */
export interface SessionFacts {
  /** `undefined` until known, or when it could not be read. */
  readonly workspace: WorkspaceProfile | undefined;
  /** `null` when the platform says the person is not an operator (or has not answered yet). */
  readonly operator: OperatorIdentity | null;
}

const SessionFactsContext = createContext<SessionFacts>({ workspace: undefined, operator: null });

/**
 * Asks the platform once per session (account and workspace), above the router: the app shell is mounted
 * again around each lazily loaded page, and would otherwise ask again each time.
 */
export function SessionFactsProvider({ children }: { readonly children: ReactNode }) {
  const { session } = useSession();
  const sessionKey = session && `${session.accountId}@${session.tenantId}`;
  const workspace = useWorkspaceProfile(sessionKey).data ?? undefined;
  // Only operators are asked who they are: everyone else never calls the console's routes.
  const operator = useOperatorIdentity(workspace?.operator ? sessionKey : undefined).data ?? null;
  const facts = useMemo(() => ({ operator, workspace }), [operator, workspace]);
  return <SessionFactsContext.Provider value={facts}>{children}</SessionFactsContext.Provider>;
}

export function useSessionFacts(): SessionFacts {
  return useContext(SessionFactsContext);
}
