/**
 * The monitor's check of the connected WhatsApp numbers: does Meta still accept each number's access token
 * (tokens expire, and are revoked when someone changes the Meta app). A number is checked at most every 15
 * minutes and at most 25 a minute, the longest unchecked first; its result is its workspace's alone. When it
 * was checked, and the name its result goes by, are kept in `tenants/{t}/whatsappTokenChecks/{connectionId}`
 * (the connection's own document is the studio's), so a number keeps one line on the Health page and a
 * disconnected number's line can be retired.
 */
import { z } from "zod";
import type { CheckOutcome as CheckResult, ContributedCheck as ExtraCheck } from "../../platform/checks.js";
import type { Deps } from "../../platform/deps.js";
import { log } from "../../platform/log.js";
import { openSecrets } from "./connections.js";
import { GraphError, whatsappGraph } from "./graph.js";
import { connectionSchema, secretsPath, secretsSchema } from "./schema.js";

/** A token is checked at most this often. */
export const tokenCheckSpacingMs = 15 * 60_000;
/** Numbers checked in one tick: each check may wait 10 s for Meta, and the tick has other work. */
const perTick = 25;
const concurrency = 5;

const stateGroup = "whatsappTokenChecks";
const statePath = (tenantId: string, connectionId: string) =>
  `tenants/${tenantId}/${stateGroup}/${connectionId}`;
const stateSchema = z.object({ name: z.string(), checkedAt: z.string() });
type State = z.infer<typeof stateSchema>;

const tenantChild = (group: string) => new RegExp(`^tenants/([^/]+)/${group}/([^/]+)$`);
const connectionPathPattern = tenantChild("whatsappConnections");
const statePathPattern = tenantChild(stateGroup);

interface Due {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly data: unknown;
  readonly prior: State | null;
}

/**
 * One result per number checked this tick (scoped to its workspace); a number not due returns nothing, so
 * its last stored result stands. Reading every connection each minute costs two reads per number (it and
 * its check time): the collection-group reads need no index.
 */
export const whatsappTokenChecks: ExtraCheck = async (deps) => {
  const [connections, states] = await Promise.all([
    deps.store.query({ collectionGroup: "whatsappConnections" }),
    deps.store.query({ collectionGroup: stateGroup }),
  ]);
  const stateOf = new Map<string, State | null>();
  for (const s of states) {
    const parsed = stateSchema.safeParse(s.data);
    stateOf.set(s.path, parsed.success ? parsed.data : null);
  }
  const dueBefore = new Date(deps.clock.now().getTime() - tokenCheckSpacingMs).toISOString();
  const due: Due[] = [];
  const connected = new Set<string>();
  for (const c of connections) {
    const m = connectionPathPattern.exec(c.path);
    if (!m) continue;
    const [, tenantId = "", connectionId = ""] = m;
    connected.add(statePath(tenantId, connectionId));
    const prior = stateOf.get(statePath(tenantId, connectionId)) ?? null;
    if (!prior || prior.checkedAt <= dueBefore) due.push({ tenantId, connectionId, data: c.data, prior });
  }
  // Never checked first, then the longest unchecked.
  due.sort(
    (a, b) =>
      (a.prior?.checkedAt ?? "").localeCompare(b.prior?.checkedAt ?? "") ||
      a.connectionId.localeCompare(b.connectionId),
  );

  const results: CheckResult[] = [];
  const queue = due.slice(0, perTick);
  await Promise.all(
    Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        results.push(await checkConnection(deps, next));
      }
    }),
  );
  for (const s of states.filter((s) => !connected.has(s.path)).slice(0, 100)) {
    results.push(...(await retire(deps, s.path, stateOf.get(s.path) ?? null)));
  }
  return results;
};

async function checkConnection(deps: Deps, due: Due): Promise<CheckResult> {
  const { tenantId, connectionId } = due;
  const checkedAt = deps.clock.nowIso();
  let displayName: string | null = null;
  let result: Omit<CheckResult, "name">;
  try {
    const connection = connectionSchema.parse(due.data);
    const { accessToken } = await tokenOf(deps, tenantId, connectionId);
    const started = performance.now();
    try {
      const { displayPhoneNumber } = await whatsappGraph(
        deps.config,
        connection.phoneNumberId,
        accessToken,
      ).checkToken();
      displayName = displayPhoneNumber;
      result = {
        scope: tenantId,
        status: "ok",
        latencyMs: elapsed(started),
        detail: `${connection.label}: Meta accepts the access token`,
      };
    } catch (e) {
      if (!(e instanceof GraphError)) throw e;
      // The graph keeps the token out of its messages; this is the last place it could slip through.
      const message = e.message.split(accessToken).join("[token]");
      result = {
        scope: tenantId,
        status: "down",
        latencyMs: e.status === 0 ? null : elapsed(started),
        detail: `${connection.label}: ${message}`,
      };
      log.warn("whatsapp: a number's token check failed", {
        tenantId,
        connectionId,
        status: e.status,
        code: e.code,
      });
    }
  } catch (e) {
    result = {
      scope: tenantId,
      status: "down",
      latencyMs: null,
      detail: "The number's stored settings could not be read: connect it again",
    };
    log.error("whatsapp: a number's token could not be checked", { err: e, tenantId, connectionId });
  }
  // The name is fixed at the first check: a number keeps one line on the Health page.
  const name = due.prior?.name ?? `WhatsApp ${displayName ?? connectionId}`;
  try {
    await deps.store.set(statePath(tenantId, connectionId), { name, checkedAt } satisfies State);
  } catch (e) {
    // Checked again next minute: no harm beyond one more call to Meta.
    log.error("whatsapp: a token check's time could not be kept", { err: e, tenantId, connectionId });
  }
  return { ...result, name };
}

async function tokenOf(deps: Deps, tenantId: string, connectionId: string) {
  const snap = await deps.store.get(secretsPath(connectionId));
  if (!snap) throw new Error(`connection ${connectionId} has no secrets`);
  const sealed = secretsSchema.parse(snap.data);
  if (sealed.tenantId !== tenantId)
    throw new Error(`connection ${connectionId}'s secrets name another tenant`);
  return openSecrets(deps, connectionId, sealed);
}

/** A disconnected number: its line says so (it no longer counts against the workspace's health), once. */
async function retire(deps: Deps, path: string, state: State | null): Promise<CheckResult[]> {
  const m = statePathPattern.exec(path);
  try {
    await deps.store.delete(path);
  } catch (e) {
    log.error("whatsapp: a disconnected number's check could not be retired", { err: e, path });
    return [];
  }
  if (!m || !state) return [];
  return [
    {
      scope: m[1] as string,
      name: state.name,
      status: "unknown",
      latencyMs: null,
      detail: "This number is no longer connected",
    },
  ];
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 10) / 10;
