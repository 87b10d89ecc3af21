/**
 * `npm run billing -- <command>`: the operator's billing commands, until the admin console exists.
 *
 *   grant <tenant> <amount> [note]      add credits (amount in the catalog's currency, e.g. 10 or 2.50)
 *   adjust <tenant> <amount> [note]     a signed correction (e.g. -1.25)
 *   plan <tenant> <planId>              move a workspace to a plan now
 *   account <tenant>                    the account and its latest ledger entries
 *   catalog show                        the price book and plans in force
 *   catalog set <file.json> [--from <ISO date-time>]
 *                                       publish a new catalog version (applies from --from, default now)
 *
 * In local mode it opens the data folder (ALCHEMIST_DATA_DIR, as `npm start` does); with
 * ALCHEMIST_MODE=firebase it uses the project's Firestore through firebase-admin (application default
 * credentials). A running local server sees a new catalog within a minute (each process caches it).
 */
import fs from "node:fs";
import { catalogAt, publishCatalog } from "@alchemist/functions/billing/catalog";
import { addCredits, changePlan, loadAccount } from "@alchemist/functions/billing/ledger";
import { creditEntriesPath, creditEntrySchema } from "@alchemist/functions/billing/schema";
import { loadConfig } from "@alchemist/functions/platform/config";
import type { Deps } from "@alchemist/functions/platform/deps";
import { AppError } from "@alchemist/functions/platform/errors";
import { getDeps } from "@alchemist/functions/platform/process-deps";

/** "10", "2.5", "-1.25" in currency units to integer micros, without floating point. */
export function parseAmount(text: string): number {
  const m = /^(-)?(\d{1,12})(?:\.(\d{1,6}))?$/.exec(text.trim());
  if (!m)
    throw new AppError(
      "invalid-argument",
      `"${text}" is not an amount such as 10 or 2.50 (at most 6 decimals)`,
    );
  const micros = Number(m[2]) * 1_000_000 + Number((m[3] ?? "").padEnd(6, "0"));
  return m[1] ? -micros : micros;
}

const usage = `usage: npm run billing -- grant|adjust <tenant> <amount> [note]
       npm run billing -- plan <tenant> <planId>
       npm run billing -- account <tenant>
       npm run billing -- catalog show | catalog set <file.json> [--from <ISO date-time>]`;

/** Runs one command; answers what to print. */
export async function runBillingCommand(deps: Deps, args: readonly string[]): Promise<string> {
  const [command, ...rest] = args;
  const operator = `operator:${process.env.USER ?? "cli"}`;
  switch (command) {
    case "grant":
    case "adjust": {
      const [tenantId, amount, ...note] = rest;
      if (!tenantId || !amount) throw new AppError("invalid-argument", usage);
      const micros = parseAmount(amount);
      if (command === "grant" && micros <= 0)
        throw new AppError("invalid-argument", "A grant must be positive; use adjust to subtract");
      const { account } = await addCredits(deps, tenantId, {
        id: `op_${deps.ids.newId()}`,
        kind: command === "grant" ? "grant" : "adjustment",
        amountMicros: micros,
        ref: operator,
        note: note.join(" "),
      });
      return `${tenantId}: ${command === "grant" ? "granted" : "adjusted by"} ${micros} micros; balance ${account.balanceMicros} micros`;
    }
    case "plan": {
      const [tenantId, planId] = rest;
      if (!tenantId || !planId) throw new AppError("invalid-argument", usage);
      const account = await changePlan(deps, tenantId, planId);
      return `${tenantId}: plan ${account.planId}; balance ${account.balanceMicros} micros`;
    }
    case "account": {
      const [tenantId] = rest;
      if (!tenantId) throw new AppError("invalid-argument", usage);
      const account = await loadAccount(deps, tenantId);
      const entries = await deps.store.query({
        collection: creditEntriesPath(tenantId),
        orderBy: [{ field: "at", direction: "desc" }],
        limit: 20,
      });
      return JSON.stringify(
        { account, latestEntries: entries.map((e) => ({ id: e.id, ...creditEntrySchema.parse(e.data) })) },
        null,
        2,
      );
    }
    case "catalog": {
      const [sub, file, flag, from] = rest;
      if (sub === "show") return JSON.stringify(await catalogAt(deps, deps.clock.nowIso()), null, 2);
      if (sub === "set" && file) {
        let input: Record<string, unknown>;
        try {
          input = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, unknown>;
        } catch (e) {
          throw new AppError("invalid-argument", `Cannot read ${file} as JSON: ${(e as Error).message}`);
        }
        const effectiveFrom = flag === "--from" && from ? from : (input.effectiveFrom ?? deps.clock.nowIso());
        const catalog = await publishCatalog(deps, { ...input, effectiveFrom }, operator);
        return `catalog version ${catalog.version} published; it applies from ${catalog.effectiveFrom}`;
      }
      throw new AppError("invalid-argument", usage);
    }
    default:
      throw new AppError("invalid-argument", usage);
  }
}

async function openDeps(): Promise<{ deps: Deps; close: () => void }> {
  if ((process.env.ALCHEMIST_MODE ?? "local") === "firebase")
    return { deps: await getDeps(), close: () => undefined };
  const { openLocalDeps } = await import("./adapters/deps.js");
  const deps = await openLocalDeps(loadConfig({ ...process.env, ALCHEMIST_MODE: "local" }));
  return { deps, close: () => deps.local.close() };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { deps, close } = await openDeps();
  try {
    console.log(await runBillingCommand(deps, process.argv.slice(2)));
  } catch (e) {
    console.error(e instanceof AppError ? e.message : e);
    process.exitCode = 1;
  } finally {
    close();
  }
}
