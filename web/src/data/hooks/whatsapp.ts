/** The WhatsApp numbers connected to the workspace, as the Channels page reads them (admins only). */
import { useCallback } from "react";
import { useStudio } from "../studio";
import { useRemoteData, type RemoteData } from "../useRemoteData";
import type { WhatsAppConnection } from "../whatsapp";

/** Refreshed every minute, so a connection's last activity and last error follow Meta's deliveries. */
export function useWhatsAppConnections(): RemoteData<WhatsAppConnection[]> {
  const source = useStudio();
  const load = useCallback((signal: AbortSignal) => source.listWhatsAppConnections(signal), [source]);
  return useRemoteData(load, { refreshMs: 60_000 });
}
