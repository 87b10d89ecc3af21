/** The Agent Engine's own REST routes (added to the API's route table in channels/api/routes.ts). */
import { z } from "zod";
import { route, type Route } from "../platform/http/router.js";
import { agentOptions } from "./agents.js";

const bounds = z.object({ min: z.number().int(), max: z.number().int(), default: z.number().int() });

const agentOptionsResponse = z.object({
  models: z.object({
    default: z.object({ model: z.string(), label: z.string(), provider: z.string() }),
    allowed: z.array(z.string()),
  }),
  maxOutputTokens: bounds,
  contextBudgetTokens: bounds,
  toolHosts: z.array(z.string()).nullable(),
});

export const agentRoutes: Route<unknown, unknown>[] = [
  route({
    method: "GET",
    path: "/v1/agent-options",
    summary:
      "What agents may be configured with on this platform: the chat models an agent may name (model.name; " +
      "null uses models.default), the largest maxOutputTokens and contextBudgetTokens, and the hosts HTTP " +
      "tools may call (null: any public host). Saving an agent outside these is refused",
    tag: "Agents",
    permission: "workspace.read",
    response: agentOptionsResponse,
    handle: async ({ deps }) => agentOptions(deps),
  }),
];
