/**
 * Acme Corp's web chat widgets in the shapes `/v1/widgets` answers (contract/widget-api.md): the help
 * center's widget talks to the HR assistant and was last used a few minutes ago; the intranet's verifies
 * signed-in employees and once failed.
 */
import { jsonResponse, type PlatformRoute } from "./platformFetch";

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

export const helpCenterWidget = {
  id: "wgt_help",
  name: "Help center",
  agentId: "agt_hr",
  environment: "production",
  key: "wk_Q2hhdFdpZGdldEtleUhlbHBDZW50ZXIw",
  allowedOrigins: ["https://help.acme.example", "http://localhost:5173"],
  theme: {
    color: "#1f6feb",
    title: "Acme HR assistant",
    greeting: "Hi! Ask me anything about our documentation.",
    suggestedQuestions: ["How many vacation days do I get?"],
    position: "bottom-right",
  },
  identityVerification: false,
  createdAt: minutesAgo(3 * 24 * 60),
  updatedAt: minutesAgo(2 * 24 * 60),
  lastActivityAt: minutesAgo(5),
  lastError: null,
};

export const intranetWidget = {
  id: "wgt_intranet",
  name: "Intranet",
  agentId: "agt_hr",
  environment: "production",
  key: "wk_SW50cmFuZXRXaWRnZXRLZXlBY21lQ28x",
  allowedOrigins: ["https://intranet.acme.example"],
  theme: {
    color: "#b3541e",
    title: "Ask HR",
    greeting: "",
    suggestedQuestions: [],
    position: "bottom-left",
  },
  identityVerification: true,
  createdAt: minutesAgo(20 * 24 * 60),
  updatedAt: minutesAgo(20 * 24 * 60),
  lastActivityAt: null,
  lastError: {
    at: minutesAgo(60),
    code: "failed-precondition",
    message: "Agent agt_hr's published version is not enabled on the widget channel",
  },
};

/** A secret as the platform makes it: shown in this answer only. */
export const identitySecret = "wis_4uG1d2xkQm9vS2V5U2VjcmV0Rm9ySW50cmFuZXQ";

/** `GET /v1/widgets`: oldest first. */
export function widgetRoutes(
  widgets: readonly unknown[] = [helpCenterWidget],
): Record<string, PlatformRoute> {
  return { "GET /v1/widgets": () => jsonResponse({ widgets }) };
}
