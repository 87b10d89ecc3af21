/** Test helpers: people who sign up, invite and join over the local platform's HTTP API. */
import { expect } from "vitest";
import type { TestPlatform } from "@alchemist/local/testing/platform";
import { changePlan } from "../../billing/ledger.js";
import type { Role } from "../../platform/caller.js";
import type { Deps } from "../../platform/deps.js";

export interface Person {
  readonly email: string;
  readonly password: string;
  readonly accountId: string;
  readonly tenantId: string;
  /** A session token for `tenantId`. */
  readonly token: string;
}

let counter = 0;
/** A fresh, realistic address per call (accounts are unique by email across the platform). */
export const newEmail = (name = "ada"): string => `${name}.${++counter}.${Date.now()}@example.com`;

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

/**
 * Signs up over HTTP. A workspace signed up for starts on the free plan; these tests exercise identity, not
 * plans, so the helper moves it to `enterprise` (no limits) unless `plan` says otherwise (billing tests).
 */
export async function signUp(
  platform: TestPlatform,
  options: { email?: string; password?: string; tenantName?: string; plan?: string } = {},
): Promise<Person> {
  const email = options.email ?? newEmail();
  const password = options.password ?? "correct horse battery staple";
  const res = await platform.fetch("/auth/signup", {
    method: "POST",
    key: null,
    json: { email, password, tenantName: options.tenantName ?? "Lovelace Analytics" },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const body = await json<{ token: string; tenantId: string; accountId: string }>(res);
  const plan = options.plan ?? "enterprise";
  if (plan !== "free") await changePlan(platform.deps as unknown as Deps, body.tenantId, plan);
  return { email: email.trim().toLowerCase(), password, ...body };
}

export async function invite(
  platform: TestPlatform,
  token: string,
  email: string,
  role: Role,
): Promise<{ id: string; token: string; acceptUrl: string; expiresAt: string }> {
  const res = await platform.fetch("/v1/invitations", { method: "POST", key: token, json: { email, role } });
  expect(res.status, await res.clone().text()).toBe(201);
  return json(res);
}

export async function accept(
  platform: TestPlatform,
  invitationToken: string,
  password?: string,
): Promise<Response> {
  return platform.fetch("/auth/accept-invitation", {
    method: "POST",
    key: null,
    json: { token: invitationToken, ...(password !== undefined ? { password } : {}) },
  });
}

/** A new person invited by `inviter` with `role`, who accepts by creating an account. */
export async function join(
  platform: TestPlatform,
  inviter: Person,
  role: Role,
  name?: string,
): Promise<Person> {
  const email = newEmail(name ?? role);
  const password = `${role} passphrase for tests`;
  const invitation = await invite(platform, inviter.token, email, role);
  const res = await accept(platform, invitation.token, password);
  expect(res.status, await res.clone().text()).toBe(200);
  const body = await json<{ token: string; tenantId: string; accountId: string }>(res);
  return { email, password, ...body };
}

export async function logIn(
  platform: TestPlatform,
  email: string,
  password: string,
  tenantId?: string,
): Promise<Response> {
  return platform.fetch("/auth/login", {
    method: "POST",
    key: null,
    json: { email, password, ...(tenantId ? { tenantId } : {}) },
  });
}
