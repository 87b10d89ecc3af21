/**
 * Dependency checks that services above the monitor contribute (a channel's credentials, say). The monitor's
 * tick runs the registered ones with its own; a channel's function wiring registers its check when it
 * loads, so the monitor never imports the channel (the arrows keep pointing down).
 */
import type { Deps } from "./deps.js";

export interface CheckOutcome {
  /**
   * Whose check it is: absent, the installation's (every workspace's Health page shows it); `_platform`, the
   * operator's alone; a workspace id, that workspace's alone (e.g. its WhatsApp numbers' tokens).
   */
  readonly scope?: string;
  readonly name: string;
  readonly status: "ok" | "degraded" | "down" | "unknown";
  readonly latencyMs: number | null;
  readonly detail: string | null;
}

/** Returns the outcomes of what it checked this time (nothing, when nothing was due). */
export type ContributedCheck = (deps: Deps) => Promise<CheckOutcome[]>;

const registered: ContributedCheck[] = [];

export function registerCheck(check: ContributedCheck): void {
  if (!registered.includes(check)) registered.push(check);
}

export function registeredChecks(): readonly ContributedCheck[] {
  return registered;
}
