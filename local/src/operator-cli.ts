/**
 * `npm run operator -- grant|revoke <email>`: who operates the platform (the admin console, `/v1/admin/...`).
 *
 * In Firebase mode (ALCHEMIST_MODE=firebase, application default credentials) it sets or removes the
 * `platformAdmin` custom claim of the Firebase Auth user with that email; the user signs in again (or their ID
 * token refreshes within the hour) to get it, and a revocation ends their sessions at once. In local mode
 * operators are the accounts `PLATFORM_ADMINS` lists (comma-separated emails; `npm start` makes the demo owner
 * one): this command says so instead of pretending to change anything.
 */
import { loadConfig } from "@alchemist/functions/platform/config";
import type { Deps } from "@alchemist/functions/platform/deps";
import { AppError } from "@alchemist/functions/platform/errors";
import { getDeps } from "@alchemist/functions/platform/process-deps";

const usage = "usage: npm run operator -- grant <email> | revoke <email>";

export async function runOperatorCommand(
  deps: Pick<Deps, "claims" | "config">,
  args: readonly string[],
): Promise<string> {
  const [command, email, ...extra] = args;
  if ((command !== "grant" && command !== "revoke") || !email || extra.length > 0 || !email.includes("@")) {
    throw new AppError("invalid-argument", usage);
  }
  if (!deps.claims) {
    const listed = deps.config.platformAdmins.length > 0 ? deps.config.platformAdmins.join(", ") : "nobody";
    throw new AppError(
      "failed-precondition",
      `Local mode's operators are the accounts PLATFORM_ADMINS lists (now: ${listed}). ` +
        `Set PLATFORM_ADMINS="${email}" (comma-separated for several) and restart npm start`,
    );
  }
  const uid = await deps.claims.setPlatformAdmin(email.trim().toLowerCase(), command === "grant");
  return command === "grant"
    ? `${email} (${uid}) is a platform operator; their next ID token carries the claim (sign in again)`
    : `${email} (${uid}) is no longer a platform operator; their sessions were revoked`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const firebase = process.env.ALCHEMIST_MODE === "firebase";
    const deps = firebase
      ? await getDeps()
      : { config: loadConfig({ ...process.env, ALCHEMIST_MODE: "local" }) };
    console.log(await runOperatorCommand(deps, process.argv.slice(2)));
  } catch (e) {
    console.error(e instanceof AppError ? e.message : e);
    process.exitCode = 1;
  }
}
