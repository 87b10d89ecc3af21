/**
 * Who a request acts for, as every service sees it: a tenant and a role, resolved from the credential by
 * identity (identity/authenticate.ts). Every tenant-owned path is built from `tenantPath`, so isolation is
 * a property of the path.
 */
import { z } from "zod";
import { AppError } from "./errors.js";
import { idPattern } from "./ids.js";

export const roles = ["viewer", "editor", "admin", "owner"] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

export interface Caller {
  readonly tenantId: string;
  readonly role: Role;
  /** `apikey:<keyId>` for API keys, the Firebase uid for ID tokens, the account id for local sessions. */
  readonly uid: string;
  readonly via: "api-key" | "id-token" | "session";
  /** Set for an API key scoped to one agent: the key may only talk to it (see permissions.ts). */
  readonly agentId?: string;
  /**
   * Set for an API key bound to an environment other than production: the conversations it starts get the
   * versions that environment serves (identity/environments.ts).
   */
  readonly environment?: string;
  /**
   * A platform operator (Firebase custom claim `platformAdmin`, or an account `PLATFORM_ADMINS` lists in local
   * mode): may use the operator routes (`/v1/admin/...`), which answer 404 to everyone else.
   */
  readonly platformAdmin?: true;
  /** The person signed in with a second factor (a TOTP code or a recovery code). */
  readonly mfa?: boolean;
}

/** Validates an id taken from a request before it becomes a path segment. */
export function checkId(id: string, what = "id"): string {
  if (!idPattern.test(id)) throw new AppError("invalid-argument", `Invalid ${what}: "${id.slice(0, 80)}"`);
  return id;
}

export const tenantPath = (tenantId: string): string => `tenants/${checkId(tenantId, "tenant id")}`;
