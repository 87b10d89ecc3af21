/** The workspace's monitoring as the Health page reads it: status, metrics, incidents, rules, channels, SLA. */
import { useCallback, useEffect, useState } from "react";
import {
  seriesRequestOf,
  type AlertRule,
  type AlertRuleInput,
  type InboxNotification,
  type Incident,
  type IncidentFilter,
  type MetricsWindowId,
  type MonitorOverview,
  type MonitorSeries,
  type NotificationChannel,
  type OutboxEmail,
  type Probe,
  type RulePreview,
  type SeriesKind,
  type SlaReport,
  type SlaRequest,
} from "../monitor";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/** How often the Status tab reads the overview again: the checks run about every minute. */
export const overviewRefreshMs = 30_000;

export function useMonitorOverview(): RemoteData<MonitorOverview> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getMonitorOverview(signal), [source]);
  return useRemoteData(load, { refreshMs: overviewRefreshMs });
}

/**
 * The metrics of the last `windowId`, for turns (of one agent, or all) or API requests. The window is
 * computed when the request goes out, so a retry asks for the latest minutes.
 */
export function useMonitorSeries(
  windowId: MetricsWindowId,
  kind: SeriesKind,
  agentId: string | undefined,
): RemoteData<MonitorSeries> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) =>
      source.getMonitorSeries(seriesRequestOf(windowId, { kind, agentId }, new Date()), signal),
    [source, windowId, kind, agentId],
  );
  return useRemoteData(load);
}

export function useIncidents(filter: IncidentFilter | undefined): RemoteData<Incident[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listIncidents(filter, signal), [source, filter]);
  return useRemoteData(load);
}

export function useAlertRules(): RemoteData<AlertRule[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listAlertRules(signal), [source]);
  return useRemoteData(load);
}

export function useProbes(): RemoteData<Probe[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listProbes(signal), [source]);
  return useRemoteData(load);
}

export function useNotificationChannels(): RemoteData<NotificationChannel[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listNotificationChannels(signal), [source]);
  return useRemoteData(load);
}

export function useOutbox(): RemoteData<OutboxEmail[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listOutbox(signal), [source]);
  return useRemoteData(load);
}

export function useInbox(): RemoteData<InboxNotification[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listInbox(signal), [source]);
  return useRemoteData(load);
}

export function useSlaReport({ month, targetPercent }: SlaRequest): RemoteData<SlaReport> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getSlaReport({ month, targetPercent }, signal),
    [source, month, targetPercent],
  );
  return useRemoteData(load);
}

/** How long the rule editor waits after the last change before it asks for a preview. */
export const rulePreviewDelayMs = 600;

export interface RulePreviewState {
  /** The preview of the rule as it was `rulePreviewDelayMs` ago; `undefined` while no valid rule is typed. */
  readonly preview: RemoteData<RulePreview | null> | undefined;
  /** The rule changed since the preview on screen was asked for. */
  readonly outdated: boolean;
}

/**
 * How often `input` would have fired over the last 7 days, asked once typing pauses: each change restarts
 * the wait, and a preview still on its way for an older rule is cancelled. Nothing is asked for `undefined`
 * (a rule the form cannot send yet).
 */
export function useRulePreview(input: AlertRuleInput | undefined): RulePreviewState {
  const source = useStudio();
  const key = input === undefined ? undefined : JSON.stringify(input);
  const [asked, setAsked] = useState(key);
  useEffect(() => {
    const timer = setTimeout(() => setAsked(key), rulePreviewDelayMs);
    return () => clearTimeout(timer);
  }, [key]);
  const load = useCallback(
    (signal: AbortSignal) =>
      asked === undefined
        ? Promise.resolve(null)
        : source.previewAlertRule(JSON.parse(asked) as AlertRuleInput, signal),
    [source, asked],
  );
  const preview = useRemoteData(load);
  return { preview: asked === undefined ? undefined : preview, outdated: asked !== key };
}
