import type { RouteObject } from "react-router";
import { NotFoundPage } from "./not-found";
import { OverviewPage } from "./overview";
import { RootHydrateFallback, RootLayout } from "./root";
import { RouteErrorPage } from "./route-error";

/**
 * Every page of the studio: read it as the table of contents. Used by the browser router (main.tsx) and
 * by tests (a memory router).
 */
export const appRoutes: RouteObject[] = [
  {
    path: "/",
    Component: RootLayout,
    HydrateFallback: RootHydrateFallback,
    ErrorBoundary: RouteErrorPage,
    children: [
      { index: true, Component: OverviewPage },
      {
        path: "api",
        // Route-level code splitting: the reference page downloads the first time someone opens it.
        lazy: async () => ({ Component: (await import("./api-reference")).ApiReferencePage }),
      },
      { path: "*", Component: NotFoundPage },
    ],
  },
];
