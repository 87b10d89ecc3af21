/**
 * First start of local mode: a demo tenant with an owner API key, and the demo knowledge base and agent
 * described in `emulator-data/seed/seed.json`, ingested through the same API services and queues as any
 * upload. Runs once per data folder (recorded in `system/seed`); the credentials file is rewritten if lost.
 */
import fs from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { createAgent, publishAgent } from "../../agents/agents.js";
import { findAccount, hashPassword, writeNewAccount } from "../../identity/accounts.js";
import { writeMember } from "../../identity/members.js";
import { addDocument } from "../../knowledge/documents.js";
import { createKnowledgeBase } from "../../knowledge/knowledge-bases.js";
import type { Deps } from "../deps.js";
import { log } from "../log.js";
import { apiKeysPath, createApiKey, createTenant, hashApiKey, tenantPath } from "../tenancy.js";

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
    }),
  ),
});

export interface Credentials {
  readonly tenantId: string;
  readonly apiKey: string;
  readonly role: "owner";
  readonly createdAt: string;
  readonly demo?: { readonly knowledgeBaseIds: string[]; readonly agentIds: string[] };
  /** The demo owner's studio sign-in (local accounts); the password is generated on first start. */
  readonly account?: { readonly email: string; readonly password: string };
}

/** The demo workspace's owner account, for signing in to the studio. */
export const demoAccountEmail = "owner@demo.alchemist.local";

/**
 * Creates the demo owner account on first start, with a generated password kept in credentials.json.
 * If the account exists but the file lost its password, the account is left alone (reset it by
 * deleting the data folder) and no password is printed.
 */
async function ensureDemoAccount(
  deps: Deps,
  tenant: { readonly id: string; readonly name: string },
  saved: Credentials | null,
): Promise<Credentials["account"]> {
  const tenantId = tenant.id;
  const tenantName = tenant.name;
  if (await findAccount(deps, demoAccountEmail)) return saved?.account;
  const password = deps.ids.newSecret(12);
  const hash = await hashPassword(password);
  const accountId = deps.ids.newId();
  await deps.store.runTransaction(async (tx) => {
    await writeNewAccount(tx, deps, { accountId, email: demoAccountEmail, password: hash });
    writeMember(tx, deps, {
      tenantId,
      memberId: accountId,
      email: demoAccountEmail,
      role: "owner",
      tenantName,
    });
  });
  return { email: demoAccountEmail, password };
}

const credentialsFile = (deps: Deps) => path.join(deps.config.dataDir, "credentials.json");

async function readCredentials(deps: Deps): Promise<Credentials | null> {
  try {
    return JSON.parse(await fs.readFile(credentialsFile(deps), "utf8")) as Credentials;
  } catch {
    return null;
  }
}

async function writeCredentials(deps: Deps, credentials: Credentials): Promise<void> {
  await fs.mkdir(deps.config.dataDir, { recursive: true });
  // Owner-only: this file holds a live owner key for the local platform.
  await fs.writeFile(credentialsFile(deps), JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
}

async function keyExists(deps: Deps, tenantId: string, key: string): Promise<boolean> {
  const hits = await deps.store.query({
    collection: apiKeysPath(tenantId),
    where: [{ field: "hash", op: "==", value: hashApiKey(key) }],
    limit: 1,
  });
  return hits.length > 0;
}

/** Ensures the demo tenant and a working owner key; seeds the demo content on first start. */
export async function ensureDemoData(deps: Deps, seedDir: string): Promise<Credentials> {
  const seed = seedSchema.parse(JSON.parse(await fs.readFile(path.join(seedDir, "seed.json"), "utf8")));
  const tenantId = seed.tenant.id;
  if (!(await deps.store.get(tenantPath(tenantId)))) await createTenant(deps, tenantId, seed.tenant.name);

  const saved = await readCredentials(deps);
  let apiKey: string;
  const wanted = deps.config.bootstrapApiKey;
  if (wanted) {
    if (!(await keyExists(deps, tenantId, wanted)))
      await createApiKey(deps, tenantId, { name: "ALCHEMIST_API_KEY", role: "owner", key: wanted });
    apiKey = wanted;
  } else if (saved && saved.tenantId === tenantId && (await keyExists(deps, tenantId, saved.apiKey))) {
    apiKey = saved.apiKey;
  } else {
    apiKey = (await createApiKey(deps, tenantId, { name: "Local owner key", role: "owner" })).key;
  }

  const marker = await deps.store.get<{ knowledgeBaseIds: string[]; agentIds: string[] }>("system/seed");
  let demo = marker?.data;
  if (!demo) {
    demo = await seedContent(deps, tenantId, seed, seedDir);
    await deps.store.set("system/seed", { ...demo, seededAt: deps.clock.nowIso() });
  }
  const account = await ensureDemoAccount(deps, seed.tenant, saved);
  const credentials: Credentials = {
    tenantId,
    apiKey,
    ...(account ? { account } : {}),
    role: "owner",
    createdAt: saved?.createdAt ?? deps.clock.nowIso(),
    demo,
  };
  await writeCredentials(deps, credentials);
  return credentials;
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
    });
    // Published, so the REST and OpenAI-compatible APIs can talk to it straight away.
    await publishAgent(deps, tenantId, id, { note: "Demo agent" }, "seed");
    agentIds.push(id);
  }
  log.info("seeded the demo workspace", { tenantId, knowledgeBases: kbIds.size, agents: agentIds.length });
  return { knowledgeBaseIds: [...kbIds.values()], agentIds };
}
