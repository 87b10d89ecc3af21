/**
 * The studio's data over the platform's REST API, as the signed-in person (see source.ts for the interface):
 * local mode's source, one section per area, each with its requests and the parsers of their answers.
 */
import type { StudioSource } from "../source";
import { restAdmin } from "./admin";
import { restAgents } from "./agents";
import { restAnalytics } from "./analytics";
import { restBilling } from "./billing";
import { restEnvironments } from "./environments";
import { restEvaluations } from "./evaluations";
import { restExperiments } from "./experiments";
import { restFeedback } from "./feedback";
import { restConversationHistory } from "./history";
import { restKnowledge } from "./knowledge";
import { restMonitor } from "./monitor";
import { restNarrative } from "./narrative";
import { restOperator } from "./operator";
import { restPrompts } from "./prompts";
import { restToolSetMcp } from "./toolSetMcp";
import { restToolSets } from "./toolSets";
import { restTuning } from "./tuning";
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
  ...restPrompts,
  ...restFeedback,
  ...restExperiments,
  ...restEvaluations,
  ...restTuning,
  ...restNarrative,
  ...restEnvironments,
  ...restOperator,
};
