/**
 * First start of local mode: a demo tenant with an owner API key, and the demo knowledge base and agent
 * described in `emulator-data/seed/seed.json`, ingested through the same API services and queues as any
 * upload. Runs once per data folder (recorded in `system/seed`); the credentials file is rewritten if lost.
 */
import { changePlan } from "@alchemist/functions/billing/ledger";
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { createAgent, publishAgent } from "@alchemist/functions/agents/agents";
import { findAccount, hashPassword, writeNewAccount } from "@alchemist/functions/identity/accounts";
import { writeMember } from "@alchemist/functions/identity/members";
import { addDocument } from "@alchemist/functions/knowledge/documents";
import { createKnowledgeBase } from "@alchemist/functions/knowledge/knowledge-bases";
import type { Deps } from "@alchemist/functions/platform/deps";
import { log } from "@alchemist/functions/platform/log";
import { apiKeysPath, createApiKey, hashApiKey } from "@alchemist/functions/identity/api-keys";
import { createTenant } from "@alchemist/functions/identity/tenants";
import { tenantPath } from "@alchemist/functions/platform/caller";
import { privateDirMode } from "./adapters/private-files.js";
import type { LocalDeps } from "./adapters/deps.js";

const seedSchema = z.object({
  tenant: z.object({ id: z.string(), name: z.string() }),
  knowledgeBases: z.array(
    z.object({
      key: z.string(),
      name: z.string(),
      description: z.string().default(""),
      documents: z.array(z.string()),
    }),
  ),
  agents: z.array(
    z.object({
      name: z.string(),
      instructions: z.string(),
      knowledgeBases: z.array(z.string()),
      confidenceThreshold: z.number().optional(),
      /** Long-term memory (narrative/): the demo agent remembers its widget and WhatsApp users. */
      longTermMemory: z
        .object({ enabled: z.boolean(), retentionDays: z.number().int().optional() })
        .strict()
        .optional(),
    }),
  ),
});

export interface Credentials {
  readonly tenantId: string;
  readonly apiKey: string;
  readonly role: "owner";
  readonly createdAt: string;
  readonly demo?: { readonly knowledgeBaseIds: string[]; readonly agentIds: string[] };
  /**
   * The demo owner's studio sign-in (local accounts): the password generated on first start, which stays
   * here until the owner changes it in the studio (this file is then out of date, and says nothing else).
   */
  readonly account?: { readonly email: string; readonly password: string };
}

/** The demo workspace's owner account, for signing in to the studio. */
export const demoAccountEmail = "owner@demo.alchemist.local";

/** Creates the demo owner account (first start), with a generated password kept in credentials.json. */
async function createDemoAccount(
  deps: Deps,
  tenant: { readonly id: string; readonly name: string },
): Promise<Credentials["account"]> {
  const password = deps.ids.newSecret(12);
  const hash = await hashPassword(password);
  const accountId = deps.ids.newId();
  await deps.store.runTransaction(async (tx) => {
    await writeNewAccount(tx, deps, { accountId, email: demoAccountEmail, password: hash });
    writeMember(tx, deps, {
      tenantId: tenant.id,
      memberId: accountId,
      email: demoAccountEmail,
      role: "owner",
      tenantName: tenant.name,
    });
  });
  return { email: demoAccountEmail, password };
}

const credentialsFile = (deps: LocalDeps) => path.join(deps.config.local.dataDir, "credentials.json");

async function readCredentials(deps: LocalDeps): Promise<Credentials | null> {
  try {
    return JSON.parse(await fs.readFile(credentialsFile(deps), "utf8")) as Credentials;
  } catch {
    return null;
  }
}

async function writeCredentials(deps: LocalDeps, credentials: Credentials): Promise<void> {
  await fs.mkdir(deps.config.local.dataDir, { recursive: true, mode: privateDirMode });
  // Owner-only: this file holds a live owner key for the local platform.
  await fs.writeFile(credentialsFile(deps), JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
}

/** Whether a key is on record for the tenant, and whether it still works. */
async function keyState(
  deps: Deps,
  tenantId: string,
  key: string,
): Promise<"active" | "revoked" | "missing"> {
  const [hit] = await deps.store.query({
    collection: apiKeysPath(tenantId),
    where: [{ field: "hash", op: "==", value: hashApiKey(key) }],
    limit: 1,
  });
  if (!hit) return "missing";
  return (hit.data as { revokedAt?: string | null }).revokedAt ? "revoked" : "active";
}

/** What `npm start` found or made, so the banner shows a secret only the one time it is created. */
export interface DemoData {
  readonly credentials: Credentials;
  /** The owner key was created by this start (and is printed once). */
  readonly keyCreated: boolean;
  /** The owner key on record was revoked: it is not printed, and not replaced behind the owner's back. */
  readonly keyRevoked: boolean;
  /** The demo account was created by this start (its password is printed once). */
  readonly accountCreated: boolean;
}

/**
 * Ensures the demo tenant and its owner credentials; seeds the demo content on first start. A revoked owner
 * key stays revoked (a new one is made only when none was ever saved), so revoking it in the studio is final.
 */
export async function ensureDemoData(deps: LocalDeps, seedDir: string): Promise<DemoData> {
  const seed = seedSchema.parse(JSON.parse(await fs.readFile(path.join(seedDir, "seed.json"), "utf8")));
  const tenantId = seed.tenant.id;
  if (!(await deps.store.get(tenantPath(tenantId)))) await createTenant(deps, tenantId, seed.tenant.name);

  const saved = await readCredentials(deps);
  const wanted = deps.config.bootstrapApiKey;
  const candidate = wanted ?? (saved?.tenantId === tenantId ? saved.apiKey : undefined);
  const state = candidate ? await keyState(deps, tenantId, candidate) : "missing";
  let apiKey: string;
  let keyCreated = false;
  if (candidate && state !== "missing") {
    apiKey = candidate;
  } else if (wanted) {
    await createApiKey(deps, tenantId, { name: "ALCHEMIST_API_KEY", role: "owner", key: wanted });
    apiKey = wanted;
    keyCreated = true;
  } else {
    apiKey = (await createApiKey(deps, tenantId, { name: "Local owner key", role: "owner" })).key;
    keyCreated = true;
  }

  const marker = await deps.store.get<{ knowledgeBaseIds: string[]; agentIds: string[] }>("system/seed");
  let demo = marker?.data;
  if (!demo) {
    // The demo workspace is on the pro plan, so trying the platform is not cut short by the free plan's
    // limits; workspaces people sign up for start on free (see README: Billing).
    await changePlan(deps, tenantId, "pro");
    demo = await seedContent(deps, tenantId, seed, seedDir);
    await deps.store.set("system/seed", { ...demo, seededAt: deps.clock.nowIso() });
  }
  const existing = await findAccount(deps, demoAccountEmail);
  const account = existing ? saved?.account : await createDemoAccount(deps, seed.tenant);
  const credentials: Credentials = {
    tenantId,
    apiKey,
    ...(account ? { account } : {}),
    role: "owner",
    createdAt: saved?.createdAt ?? deps.clock.nowIso(),
    demo,
  };
  await writeCredentials(deps, credentials);
  return { credentials, keyCreated, keyRevoked: state === "revoked", accountCreated: !existing };
}

async function seedContent(
  deps: Deps,
  tenantId: string,
  seed: z.infer<typeof seedSchema>,
  seedDir: string,
): Promise<{ knowledgeBaseIds: string[]; agentIds: string[] }> {
  const kbIds = new Map<string, string>();
  for (const kb of seed.knowledgeBases) {
    const { id } = await createKnowledgeBase(deps, tenantId, { name: kb.name, description: kb.description });
    kbIds.set(kb.key, id);
    for (const file of kb.documents) {
      const bytes = await fs.readFile(path.join(seedDir, file));
      await addDocument(deps, tenantId, id, { fileName: path.basename(file), bytes });
    }
  }
  const agentIds: string[] = [];
  for (const agent of seed.agents) {
    const { id } = await createAgent(deps, tenantId, {
      name: agent.name,
      instructions: agent.instructions,
      knowledgeBaseIds: agent.knowledgeBases.map((k) => {
        const kbId = kbIds.get(k);
        if (!kbId) throw new Error(`seed.json: agent "${agent.name}" names unknown knowledge base "${k}"`);
        return kbId;
      }),
      confidenceThreshold: agent.confidenceThreshold,
      memoryWindow: 6,
      ...(agent.longTermMemory
        ? { longTermMemory: { scope: "agent", retentionDays: 365, ...agent.longTermMemory } }
        : {}),
    });
    // Published, so the REST and OpenAI-compatible APIs can talk to it straight away.
    await publishAgent(deps, tenantId, id, { note: "Demo agent" }, "seed");
    agentIds.push(id);
  }
  log.info("seeded the demo workspace", { tenantId, knowledgeBases: kbIds.size, agents: agentIds.length });
  return { knowledgeBaseIds: [...kbIds.values()], agentIds };
}
