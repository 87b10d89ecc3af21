/** Listing knowledge bases over real HTTP against the in-process local platform. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";

let platform: TestPlatform;

beforeAll(async () => {
  platform = await startTestPlatform();
});
afterAll(async () => {
  await platform?.close();
});

async function createKb(name: string, key?: string): Promise<string> {
  const res = await platform.fetch("/v1/knowledge-bases", {
    method: "POST",
    json: { name, description: `${name} documents` },
    key,
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

interface Listed {
  knowledgeBases: Record<string, unknown>[];
}

async function list(key?: string): Promise<Listed["knowledgeBases"]> {
  const res = await platform.fetch("/v1/knowledge-bases", { key });
  expect(res.status).toBe(200);
  return ((await res.json()) as Listed).knowledgeBases;
}

describe("GET /v1/knowledge-bases", () => {
  it("lists the tenant's own bases, most recently changed first, with their document counts", async () => {
    const handbook = await createKb("Handbook");
    const contracts = await createKb("Contracts");
    const secrets = await createKb("Globex secrets", platform.keys.otherTenantOwner);
    // A document becoming searchable changes its base: the handbook is now the most recent change.
    const upload = await platform.fetch(`/v1/knowledge-bases/${handbook}/documents`, {
      method: "POST",
      json: { name: "leave.md", text: "Full-time employees receive 25 vacation days per calendar year." },
    });
    expect(upload.status).toBe(202);
    await platform.host.runner.idle();

    const listed = await list(platform.keys.viewer);
    expect(listed.map((kb) => [kb.id, kb.name, kb.documentCount])).toEqual([
      [handbook, "Handbook", 1],
      [contracts, "Contracts", 0],
    ]);
    expect(listed[1]).toEqual({
      id: contracts,
      name: "Contracts",
      description: "Contracts documents",
      documentCount: 0,
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    expect(JSON.stringify(listed)).not.toContain("active");

    const theirs = await list(platform.keys.otherTenantOwner);
    expect(theirs.map((kb) => kb.id)).toEqual([secrets]);
  });
});
