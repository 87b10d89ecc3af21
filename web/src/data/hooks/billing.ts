/** A workspace's billing as the Billing settings read it: the overview, usage over a window, invoices. */
import { useCallback } from "react";
import {
  usageWindowOf,
  type BillingOverview,
  type BillingUsage,
  type Invoice,
  type UsageRange,
} from "../billing";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";

/** With `refreshMs`, read again that often (while a payment is on its way from Stripe). */
export function useBillingOverview(refreshMs?: number): RemoteData<BillingOverview> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.getBillingOverview(signal), [source]);
  return useRemoteData(load, refreshMs === undefined ? {} : { refreshMs });
}

/**
 * Usage of the last `days` UTC days, today included. The window is computed when the request goes out, so a
 * retry after midnight (UTC) asks for the new day.
 */
export function useBillingUsage(days: UsageRange): RemoteData<BillingUsage> {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => source.getBillingUsage(usageWindowOf(days, new Date()), signal),
    [source, days],
  );
  return useRemoteData(load);
}

/** The workspace's Stripe invoices; nothing is asked while `enabled` is false (billing not connected, not an owner). */
export function useInvoices(enabled: boolean): RemoteData<Invoice[]> | undefined {
  const source = useStudio();
  const load = useCallback(
    (signal: AbortSignal) => (enabled ? source.listInvoices(signal) : Promise.resolve([])),
    [source, enabled],
  );
  const invoices = useRemoteData(load);
  return enabled ? invoices : undefined;
}
