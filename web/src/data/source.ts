/**
 * The studio's data layer as one interface: everything pages read and change in a workspace, one section per
 * area, each declared in its area's module beside the types it speaks of. Two sources implement it: the REST
 * API (`rest/source.ts`, local mode: requests, and server-sent events for live data) and Firebase mode's
 * (`firebase/source.ts`: Firestore listeners for reads, the API for changes). The entry point chooses one and
 * hands it to the hooks through `StudioSourceContext` (studio.ts).
 */
import type { AdminSource } from "./admin";
import type { AgentsSource } from "./agents";
import type { AnalyticsSource } from "./analytics";
import type { BillingSource } from "./billing";
import type { EnvironmentsSource } from "./environments";
import type { EvaluationsSource } from "./evaluations";
import type { ExperimentsSource } from "./experiments";
import type { FeedbackSource } from "./feedback";
import type { ConversationHistorySource } from "./history";
import type { KnowledgeSource } from "./knowledge";
import type { MonitorSource } from "./monitor";
import type { NarrativeSource } from "./narrative";
import type { OperatorSource } from "./operator";
import type { PromptsSource } from "./prompts";
import type { ToolSetMcpSource } from "./toolSetMcp";
import type { ToolSetsSource } from "./toolSets";
import type { TuningSource } from "./tuning";
import type { WhatsAppSource } from "./whatsapp";
import type { WidgetsSource } from "./widgets";

export interface StudioSource
  extends
    AgentsSource,
    KnowledgeSource,
    ConversationHistorySource,
    AnalyticsSource,
    AdminSource,
    BillingSource,
    MonitorSource,
    WhatsAppSource,
    WidgetsSource,
    ToolSetsSource,
    ToolSetMcpSource,
    PromptsSource,
    FeedbackSource,
    ExperimentsSource,
    EvaluationsSource,
    TuningSource,
    NarrativeSource,
    EnvironmentsSource,
    OperatorSource {}
