import type { RouteObject } from "react-router";
import { NotFoundPage } from "./not-found";
import { OverviewPage } from "./overview";
import { RequireSession } from "./require-session";
import { RootHydrateFallback, RootLayout } from "./root";
import { RouteErrorPage } from "./route-error";

/**
 * Every page of the studio: read it as the table of contents. Used by the browser router (main.tsx) and
 * by tests (a memory router). Route-level code splitting: a lazy page downloads the first time someone
 * opens it, so the first screen loads only the shell and the Overview.
 */
export const appRoutes: RouteObject[] = [
  {
    path: "/",
    Component: RootLayout,
    HydrateFallback: RootHydrateFallback,
    ErrorBoundary: RouteErrorPage,
    children: [
      // Public: the ways in.
      { path: "sign-in", lazy: async () => ({ Component: (await import("./sign-in")).SignInPage }) },
      { path: "sign-up", lazy: async () => ({ Component: (await import("./sign-up")).SignUpPage }) },
      {
        path: "accept-invitation",
        lazy: async () => ({ Component: (await import("./accept-invitation")).AcceptInvitationPage }),
      },
      // Everything else needs a session.
      {
        Component: RequireSession,
        children: [
          { index: true, Component: OverviewPage },
          {
            path: "account/two-step",
            lazy: async () => ({ Component: (await import("./account-two-step")).TwoStepPage }),
          },
          { path: "agents", lazy: async () => ({ Component: (await import("./agents")).AgentsPage }) },
          {
            path: "agents/new",
            lazy: async () => ({ Component: (await import("./agent-builder")).AgentBuilderPage }),
          },
          {
            path: "agents/:agentId",
            lazy: async () => ({ Component: (await import("./agent-builder")).AgentBuilderPage }),
          },
          {
            path: "agents/:agentId/playground",
            lazy: async () => ({ Component: (await import("./playground")).PlaygroundPage }),
          },
          {
            path: "knowledge",
            lazy: async () => ({ Component: (await import("./knowledge")).KnowledgePage }),
          },
          {
            path: "knowledge/:kbId",
            lazy: async () => ({ Component: (await import("./knowledge-base")).KnowledgeBasePage }),
          },
          {
            path: "knowledge/:kbId/documents/:docId",
            lazy: async () => ({ Component: (await import("./document")).DocumentPage }),
          },
          { path: "tools", lazy: async () => ({ Component: (await import("./tools")).ToolsPage }) },
          {
            path: "tools/:toolSetId",
            lazy: async () => ({ Component: (await import("./tool-set")).ToolSetPage }),
          },
          {
            path: "conversations",
            lazy: async () => ({ Component: (await import("./conversations")).ConversationsPage }),
          },
          {
            path: "conversations/:conversationId",
            lazy: async () => ({ Component: (await import("./conversation")).ConversationPage }),
          },
          {
            path: "end-users",
            lazy: async () => ({ Component: (await import("./end-users")).EndUsersPage }),
          },
          {
            path: "end-users/:endUserKey",
            lazy: async () => ({ Component: (await import("./end-user")).EndUserPage }),
          },
          {
            path: "analytics/:tab?",
            lazy: async () => ({ Component: (await import("./analytics")).AnalyticsPage }),
          },
          { path: "prompts", lazy: async () => ({ Component: (await import("./prompts")).PromptsPage }) },
          {
            path: "prompts/:promptId",
            lazy: async () => ({ Component: (await import("./prompt")).PromptPage }),
          },
          {
            path: "experiments",
            lazy: async () => ({ Component: (await import("./experiments")).ExperimentsPage }),
          },
          {
            path: "experiments/new",
            lazy: async () => ({ Component: (await import("./experiments")).NewExperimentPage }),
          },
          {
            path: "experiments/:experimentId",
            lazy: async () => ({ Component: (await import("./experiment")).ExperimentPage }),
          },
          {
            path: "evaluations/compare",
            lazy: async () => ({ Component: (await import("./eval-compare")).EvalComparePage }),
          },
          {
            path: "evaluations/datasets/:datasetId",
            lazy: async () => ({ Component: (await import("./eval-dataset")).EvalDatasetPage }),
          },
          {
            path: "evaluations/runs/:runId",
            lazy: async () => ({ Component: (await import("./eval-run")).EvalRunPage }),
          },
          {
            path: "evaluations/:tab?",
            lazy: async () => ({ Component: (await import("./evaluations")).EvaluationsPage }),
          },
          {
            path: "monitor/sla/print",
            lazy: async () => ({ Component: (await import("./health-sla-print")).SlaPrintPage }),
          },
          {
            path: "monitor/:tab?",
            lazy: async () => ({ Component: (await import("./health")).HealthPage }),
          },
          {
            path: "settings/:section?",
            lazy: async () => ({ Component: (await import("./settings")).SettingsPage }),
          },
          {
            path: "api",
            lazy: async () => ({ Component: (await import("./api-reference")).ApiReferencePage }),
          },
          // The operator console: not found for anyone but the platform's operators.
          {
            path: "admin/workspaces/:tenantId",
            lazy: async () => ({ Component: (await import("./admin-workspace")).AdminWorkspacePage }),
          },
          { path: "admin/:tab?", lazy: async () => ({ Component: (await import("./admin")).AdminPage }) },
        ],
      },
      { path: "*", Component: NotFoundPage },
    ],
  },
];
