import { Outlet } from "react-router";
import { AppShell } from "../components/AppShell";
import { PageLoading } from "../components/PageLoading";

/** Layout route: every page renders inside the shell. */
export function RootLayout() {
  return (
    <AppShell>
      <Outlet />
    </AppShell>
  );
}

/** Shown when the first page opened is a lazy one, while its code downloads. */
export function RootHydrateFallback() {
  return (
    <AppShell>
      <PageLoading label="Loading page…" />
    </AppShell>
  );
}
