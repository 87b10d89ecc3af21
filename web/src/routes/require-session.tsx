import { Fragment } from "react";
import { Navigate, Outlet, useLocation } from "react-router";
import { useSession } from "../data/session";

/** Where a page sent someone to sign in from, to go back there afterwards. */
export interface SignInRedirectState {
  readonly from: string;
}

/**
 * Layout route for every page that needs a session: without one (never signed in, signed out, or a 401
 * ended it), it sends to /sign-in and remembers where to come back to.
 */
export function RequireSession() {
  const { session } = useSession();
  const location = useLocation();
  if (!session) {
    const state: SignInRedirectState = { from: `${location.pathname}${location.search}${location.hash}` };
    return <Navigate to="/sign-in" replace state={state} />;
  }
  // Keyed by workspace: after a switch every page loads its data again instead of showing the other one's.
  return (
    <Fragment key={session.tenantId}>
      <Outlet />
    </Fragment>
  );
}

/** The page to open after signing in: where the person was sent from, or the agents. */
export function returnPathOf(state: unknown): string {
  const from =
    typeof state === "object" && state !== null && "from" in state
      ? (state as { from: unknown }).from
      : undefined;
  // Only paths inside the studio: never an absolute URL handed in through history state.
  return typeof from === "string" && from.startsWith("/") && !from.startsWith("//") ? from : "/agents";
}
