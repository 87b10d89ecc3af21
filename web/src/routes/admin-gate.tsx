import type { ReactNode } from "react";
import { PageLoading } from "../components/PageLoading";
import { RequestErrorAlert } from "../components/RequestErrorAlert";
import { useOperatorIdentity } from "../data/hooks/operator";
import { useSession } from "../data/session";
import { NotFoundPage } from "./not-found";

/**
 * Shows the console only to platform operators. For anyone else the platform answers its routes with a 404,
 * and so does the studio: the page is not found, as if there were no console.
 */
export function OperatorGate({ children }: { readonly children: ReactNode }) {
  const { session } = useSession();
  const identity = useOperatorIdentity(session && `${session.accountId}@${session.tenantId}`);
  if (identity.data === undefined) {
    if (identity.error)
      return (
        <RequestErrorAlert error={identity.error} onRetry={identity.retry} retrying={identity.pending} />
      );
    return <PageLoading label="Loading…" />;
  }
  if (identity.data === null) return <NotFoundPage />;
  return <>{children}</>;
}
