/**
 * Environments over HTTP: a version published to development answers only development's keys; promotion walks
 * it through staging to production (publishing it there); rollback per environment goes back along the
 * history; keys, widgets and conversations stay in their environment; hostile and cross-tenant input.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";
import { signUp } from "../identity/testing/people.js";

let platform: TestPlatform;
let agentId: string;
const keys: Record<string, string> = {};

async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

interface Environments {
  environments: { name: string; version: number | null; updatedBy: string | null }[];
  history: {
    environment: string;
    version: number;
    previousVersion: number | null;
    action: string;
    from: string | null;
  }[];
}

const servedIn = (view: Environments) =>
  Object.fromEntries(view.environments.map((e) => [e.name, e.version]));

async function newKey(environment?: string): Promise<string> {
  const res = await platform.fetch("/v1/api-keys", {
    method: "POST",
    json: {
      name: `key ${environment ?? "default"}`,
      role: "editor",
      ...(environment ? { environment } : {}),
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await json<{ key: string }>(res)).key;
}

/** The version that answers a conversation a key starts (from the answer's trace). */
async function answeringVersion(key: string, body: unknown = {}): Promise<number | string> {
  const started = await platform.fetch(`/v1/agents/${agentId}/conversations`, {
    method: "POST",
    key,
    json: body,
  });
  if (started.status !== 201)
    return `${started.status} ${(await json<{ error: { message: string } }>(started)).error.message}`;
  const { agentVersion } = await json<{ agentVersion: number }>(started);
  return agentVersion;
}

beforeAll(async () => {
  platform = await startTestPlatform({ RATE_LIMIT_PER_KEY: "0", RATE_LIMIT_PER_TENANT: "0" });
  agentId = (
    await json<{ id: string }>(
      await platform.fetch("/v1/agents", { method: "POST", json: { name: "Releases", instructions: "v1" } }),
    )
  ).id;
  keys.development = await newKey("development");
  keys.staging = await newKey("staging");
  keys.production = await newKey();
});
afterAll(async () => {
  await platform?.close();
});

describe("environments", () => {
  it("lists the workspace's environments, production last", async () => {
    const { environments } = await json<{ environments: { name: string }[] }>(
      await platform.fetch("/v1/environments"),
    );
    expect(environments.map((e) => e.name)).toEqual(["development", "staging", "production"]);
  });

  it("serves a version published to development to development's keys only", async () => {
    const res = await platform.fetch(`/v1/agents/${agentId}/publish`, {
      method: "POST",
      json: { note: "first cut", environment: "development" },
    });
    expect(res.status).toBe(200);
    const agent = await json<{ status: string; publishedVersion: number | null; latestVersion: number }>(res);
    expect(agent).toMatchObject({ status: "draft", publishedVersion: null, latestVersion: 1 });

    expect(await answeringVersion(keys.development as string)).toBe(1);
    expect(await answeringVersion(keys.staging as string)).toMatch(/^400 .*serves no version in staging/);
    expect(await answeringVersion(keys.production as string)).toMatch(/^400 .*no published version/);
    // A key cannot reach another environment by asking.
    expect(
      await answeringVersion(keys.development as string, { version: { environment: "production" } }),
    ).toMatch(/^403 .*bound to the development environment/);
    expect(await answeringVersion(keys.development as string, { version: "published" })).toMatch(/^403 /);
    // Every API key is bound (an owner's too: production); people in the studio may pick any environment.
    expect(await answeringVersion(platform.keys.owner, { version: { environment: "development" } })).toMatch(
      /^403 /,
    );
    const person = await signUp(platform, { tenantName: "Studio people" });
    const own = await json<{ id: string }>(
      await platform.fetch("/v1/agents", { method: "POST", key: person.token, json: { name: "Mine" } }),
    );
    await platform.fetch(`/v1/agents/${own.id}/publish`, {
      method: "POST",
      key: person.token,
      json: { environment: "staging" },
    });
    const started = await platform.fetch(`/v1/agents/${own.id}/conversations`, {
      method: "POST",
      key: person.token,
      json: { version: { environment: "staging" } },
    });
    expect(started.status).toBe(201);
    expect((await json<{ agentVersion: number }>(started)).agentVersion).toBe(1);
  });

  it("promotes development → staging → production, where it is published", async () => {
    let view = await json<Environments>(
      await platform.fetch(`/v1/agents/${agentId}/environments/staging/promote`, {
        method: "POST",
        json: {},
      }),
    );
    expect(servedIn(view)).toEqual({ development: 1, staging: 1, production: null });
    expect(await answeringVersion(keys.staging as string)).toBe(1);

    view = await json<Environments>(
      await platform.fetch(`/v1/agents/${agentId}/environments/production/promote`, {
        method: "POST",
        json: {},
      }),
    );
    expect(servedIn(view)).toEqual({ development: 1, staging: 1, production: 1 });
    const agent = await json<{ status: string; publishedVersion: number }>(
      await platform.fetch(`/v1/agents/${agentId}`),
    );
    expect(agent).toMatchObject({ status: "published", publishedVersion: 1 });
    expect(await answeringVersion(keys.production as string)).toBe(1);

    // Promoting what is already served is refused, not recorded twice.
    const again = await platform.fetch(`/v1/agents/${agentId}/environments/production/promote`, {
      method: "POST",
      json: {},
    });
    expect(again.status).toBe(400);
    expect(view.history.map((r) => [r.environment, r.action, r.from])).toEqual([
      ["production", "promote", "staging"],
      ["staging", "promote", "development"],
      ["development", "publish", null],
    ]);
  });

  it("rolls one environment back along its history, leaving the others", async () => {
    await platform.fetch(`/v1/agents/${agentId}`, { method: "PATCH", json: { instructions: "v2" } });
    await platform.fetch(`/v1/agents/${agentId}/publish`, {
      method: "POST",
      json: { environment: "development" },
    });
    await platform.fetch(`/v1/agents/${agentId}/environments/staging/promote`, { method: "POST", json: {} });
    let view = await json<Environments>(await platform.fetch(`/v1/agents/${agentId}/environments`));
    expect(servedIn(view)).toEqual({ development: 2, staging: 2, production: 1 });

    view = await json<Environments>(
      await platform.fetch(`/v1/agents/${agentId}/environments/staging/rollback`, {
        method: "POST",
        json: {},
      }),
    );
    expect(servedIn(view)).toEqual({ development: 2, staging: 1, production: 1 });
    expect(view.history[0]).toMatchObject({
      environment: "staging",
      action: "rollback",
      version: 1,
      previousVersion: 2,
    });
    expect(await answeringVersion(keys.staging as string)).toBe(1);

    // Production rolls back only where it has been before.
    const nothingBefore = await platform.fetch(`/v1/agents/${agentId}/environments/production/rollback`, {
      method: "POST",
      json: {},
    });
    expect(nothingBefore.status).toBe(400);
    // A named version, and the classic rollback route, are both recorded as production releases.
    await platform.fetch(`/v1/agents/${agentId}/environments/production/promote`, {
      method: "POST",
      json: { version: 2 },
    });
    await platform.fetch(`/v1/agents/${agentId}/rollback`, { method: "POST", json: { version: 1 } });
    view = await json<Environments>(await platform.fetch(`/v1/agents/${agentId}/environments`));
    expect(
      view.history.slice(0, 2).map((r) => [r.environment, r.action, r.version, r.previousVersion]),
    ).toEqual([
      ["production", "rollback", 1, 2],
      ["production", "promote", 2, 1],
    ]);
  });

  it("refuses malformed, unknown and foreign input", async () => {
    const post = (path: string, body: unknown, key?: string) =>
      platform.fetch(`/v1/agents/${agentId}/environments/${path}`, {
        method: "POST",
        json: body,
        ...(key ? { key } : {}),
      });
    expect((await post("qa/promote", {})).status).toBe(404);
    expect((await post("Staging!/promote", {})).status).toBe(400);
    expect((await post("staging/promote", { version: 99 })).status).toBe(404);
    expect((await post("staging/promote", { version: 1, from: "development" })).status).toBe(400);
    expect((await post("staging/promote", { from: "staging" })).status).toBe(400);
    expect((await post("staging/promote", { extra: 1 })).status).toBe(400);
    expect((await post("development/promote", {})).status).toBe(400);
    expect((await post("staging/rollback", { version: "one" })).status).toBe(400);
    // A viewer may look, not promote; another workspace cannot see the agent at all.
    expect((await post("staging/promote", {}, platform.keys.viewer)).status).toBe(403);
    expect(
      (await platform.fetch(`/v1/agents/${agentId}/environments`, { key: platform.keys.viewer })).status,
    ).toBe(200);
    expect(
      (await platform.fetch(`/v1/agents/${agentId}/environments`, { key: platform.keys.otherTenantOwner }))
        .status,
    ).toBe(404);
    expect((await post("staging/promote", {}, platform.keys.otherTenantOwner)).status).toBe(404);
    // Keys name an environment of the workspace.
    const badKey = await platform.fetch("/v1/api-keys", {
      method: "POST",
      json: { name: "k", role: "viewer", environment: "qa" },
    });
    expect(badKey.status).toBe(400);
    expect((await json<{ error: { message: string } }>(badKey)).error.message).toContain(
      "development, staging, production",
    );
  });

  it("changes the workspace's environments, but never strands a key", async () => {
    const put = (environments: unknown) =>
      platform.fetch("/v1/environments", { method: "PUT", json: { environments } });
    const dropStaging = [
      { name: "development", label: "Dev" },
      { name: "production", label: "Prod" },
    ];
    const stranded = await put(dropStaging);
    expect(stranded.status).toBe(400);
    expect((await json<{ error: { message: string } }>(stranded)).error.message).toContain("in staging");
    for (const bad of [
      [{ name: "production", label: "Prod" }],
      [
        { name: "production", label: "Prod" },
        { name: "development", label: "Dev" },
      ],
      [
        { name: "qa", label: "QA" },
        { name: "qa", label: "QA again" },
        { name: "production", label: "Prod" },
      ],
      Array.from({ length: 7 }, (_, i) => ({ name: i === 6 ? "production" : `env-${i}`, label: `E${i}` })),
    ]) {
      expect((await put(bad)).status).toBe(400);
    }
    const withQa = [
      { name: "development", label: "Dev" },
      { name: "qa", label: "QA" },
      { name: "staging", label: "Staging" },
      { name: "production", label: "Prod" },
    ];
    expect(
      (
        await platform.fetch("/v1/environments", {
          method: "PUT",
          key: platform.keys.editor,
          json: { environments: withQa },
        })
      ).status,
    ).toBe(403);
    expect((await put(withQa)).status).toBe(200);
    const view = await json<Environments>(
      await platform.fetch(`/v1/agents/${agentId}/environments/qa/promote`, { method: "POST", json: {} }),
    );
    expect(servedIn(view)).toMatchObject({ development: 2, qa: 2 });
    // Another workspace keeps the defaults.
    const globex = await json<{ environments: { name: string }[] }>(
      await platform.fetch("/v1/environments", { key: platform.keys.otherTenantOwner }),
    );
    expect(globex.environments.map((e) => e.name)).toEqual(["development", "staging", "production"]);
  });
});
