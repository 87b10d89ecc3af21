/**
 * The studio's data over the platform's REST API, as the signed-in person (see source.ts for the interface):
 * local mode's source, one section per area, each with its requests and the parsers of their answers.
 */
import type { StudioSource } from "../source";
import { restAdmin } from "./admin";
import { restAgents } from "./agents";
import { restAnalytics } from "./analytics";
import { restBilling } from "./billing";
import { restConversationHistory } from "./history";
import { restKnowledge } from "./knowledge";
import { restMonitor } from "./monitor";
import { restToolSetMcp } from "./toolSetMcp";
import { restToolSets } from "./toolSets";
import { restWhatsApp } from "./whatsapp";
import { restWidgets } from "./widgets";

export const restSource: StudioSource = {
  ...restAgents,
  ...restKnowledge,
  ...restConversationHistory,
  ...restAnalytics,
  ...restAdmin,
  ...restBilling,
  ...restMonitor,
  ...restWhatsApp,
  ...restWidgets,
  ...restToolSets,
  ...restToolSetMcp,
};
