/** Reading decision traces. Traces are written once, with their turn, and never changed. */
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";
import { tracePath, traceSchema, type Trace } from "./schema.js";

export async function getTrace(
  deps: Deps,
  tenantId: string,
  traceId: string,
): Promise<Trace & { id: string }> {
  const snap = await deps.store.get(tracePath(tenantId, traceId));
  if (!snap) throw new AppError("not-found", `Trace ${traceId} not found`);
  return { id: snap.id, ...traceSchema.parse(snap.data) };
}
