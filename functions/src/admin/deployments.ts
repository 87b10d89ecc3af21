/**
 * Deploy records: `npm run deploy` (scripts/deploy) posts what it deployed, the checks it ran after and the
 * outcome to the installation it deployed, with the operator token, so the admin console shows the history
 * next to the health it affected. The deploy script's own `.deployment/` folder stays the source it plans from;
 * this copy is for people. A record is immutable: posting the same id again answers the stored one.
 *
 *   deployments/{id}   project, commit, startedAt, finishedAt, by, targets, fingerprints, outcome, checks, rollback
 */
import { isDeepStrictEqual } from "node:util";
import { z } from "zod";
import type { Deps } from "../platform/deps.js";
import { AppError } from "../platform/errors.js";

export const deploymentsCollection = "deployments";
const deploymentPath = (id: string): string => `${deploymentsCollection}/${id}`;

const shortText = (max: number) => z.string().trim().min(1).max(max);
/** A check's words (an error page's text can be long): kept, cut to `max` characters. */
const cutText = (max: number) =>
  z.string().transform((s) => (s.length > max ? `${s.slice(0, max - 1)}…` : s));

const commitSchema = z.string().regex(/^[0-9a-f]{7,40}$/, "must be a git commit id");
const digestSchema = z.string().regex(/^[0-9a-f]{8,64}$/, "must be a sha256 hex digest");

/** What `npm run deploy` posts: one line of its `.deployment/history.jsonl` (docs/deploy.md). */
export const deploymentInputSchema = z
  .object({
    /** Chosen by the deploy script (a retried post is the same record). */
    id: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, "must be 8-64 letters, digits, - or _"),
    project: shortText(100),
    commit: commitSchema,
    /** Deployed from a working tree with uncommitted changes (`--allow-dirty`). */
    dirty: z.boolean(),
    by: shortText(200),
    startedAt: z.iso.datetime({ offset: true }),
    finishedAt: z.iso.datetime({ offset: true }),
    /** What was deployed: `functions:agents`, `hosting`, `firestore:rules`... */
    targets: z
      .array(z.string().regex(/^[a-z]+(:[A-Za-z0-9_-]+)?$/, "must be a firebase deploy target"))
      .max(50),
    /** Each target's fingerprint (sha256 of a group's compiled closure). */
    fingerprints: z.record(z.string().max(100), digestSchema).default({}),
    previousCommit: commitSchema.nullable(),
    /** The build kept to redeploy if a later deploy fails its checks. */
    artifact: digestSchema.nullable(),
    outcome: z.enum(["succeeded", "failed", "rolled-back", "rollback-failed"]),
    checks: z
      .array(
        z.object({
          name: shortText(100),
          status: z.enum(["passed", "failed", "skipped"]),
          detail: cutText(2000).default(""),
        }),
      )
      .max(20)
      .default([]),
    rollback: z
      .object({
        targets: z.array(z.string().max(100)).max(50),
        artifacts: z.array(digestSchema).max(50),
        ok: z.boolean(),
        detail: cutText(2000),
      })
      .nullable(),
    error: cutText(4000).nullable(),
  })
  .strict();
export type Deployment = z.infer<typeof deploymentInputSchema>;

export async function recordDeployment(
  deps: Deps,
  input: Deployment,
): Promise<{ deployment: Deployment; created: boolean }> {
  const path = deploymentPath(input.id);
  return deps.store.runTransaction(async (tx) => {
    const existing = await tx.get(path);
    if (existing) {
      const stored = deploymentInputSchema.parse({ ...existing.data, id: input.id });
      // Compared as values: Firestore may hand a map's keys back in another order.
      if (!isDeepStrictEqual(stored, input)) {
        throw new AppError("already-exists", `Deployment ${input.id} is already recorded with other content`);
      }
      return { deployment: stored, created: false };
    }
    const { id: _id, ...data } = input;
    tx.create(path, data);
    return { deployment: input, created: true };
  });
}

export async function listDeployments(deps: Deps, limit: number): Promise<{ deployments: Deployment[] }> {
  const snaps = await deps.store.query({
    collection: deploymentsCollection,
    orderBy: [{ field: "startedAt", direction: "desc" }],
    limit,
  });
  return {
    deployments: snaps.flatMap((s) => {
      const parsed = deploymentInputSchema.safeParse({ ...s.data, id: s.id });
      return parsed.success ? [parsed.data] : [];
    }),
  };
}
