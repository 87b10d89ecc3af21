/**
 * The DocStore contract over firebase-admin and real gRPC. With FIRESTORE_EMULATOR_HOST set (the official
 * emulator, `firebase emulators:exec`), the whole contract runs against it. Without it, the suite starts
 * `@firestore-emulator/server` in-process, a small Node implementation of Firestore's gRPC API, and skips
 * what that server does not implement.
 */
import { describe, expect, it } from "vitest";
import { AppError } from "../errors.js";
import { FieldOps, vector } from "../ports.js";
import { describeDocStoreContract, type DocStoreFeature } from "../testing/docstore-contract.js";
import { openTestFirestore } from "../testing/firestore-server.js";
import {
  firestoreDocStore,
  fromFirestoreError,
  fromFirestoreValue,
  toFirestoreData,
} from "./firestore-docstore.js";

const officialEmulator = process.env.FIRESTORE_EMULATOR_HOST;
if (officialEmulator === undefined && process.env.ALCHEMIST_REQUIRE_EMULATORS === "1")
  throw new Error(
    "ALCHEMIST_REQUIRE_EMULATORS=1 but FIRESTORE_EMULATOR_HOST is not set: the Firestore emulator is not running",
  );
const needsOfficial = "needs the official Firestore emulator (set FIRESTORE_EMULATOR_HOST)";

/**
 * What @firestore-emulator/server 0.3.15 lacks, found by running the whole contract against it (and
 * confirmed in its source): a set only overwrites the fields it names and a delete sentinel is ignored;
 * arrayUnion/arrayRemove fail on a missing field and stop the remaining transforms; dotted field paths
 * throw "Not implemented"; cursors (start_at) are ignored; documents keep insertion order and orderBy
 * keeps documents lacking the field; collection groups read only the top-level collection; findNearest
 * is ignored; transactions take no locks and a commit applies its writes one by one until one fails;
 * recursiveDelete needs ListCollectionIds/BatchWrite, which it does not implement.
 */
const smallServerGaps: Record<Exclude<DocStoreFeature, "notIn" | "count" | "subscribe">, string> = {
  fieldRemoval: needsOfficial,
  arrayTransforms: needsOfficial,
  nestedFieldQueries: needsOfficial,
  implicitOrder: needsOfficial,
  cursors: needsOfficial,
  collectionGroup: needsOfficial,
  findNearest: needsOfficial,
  transactionRetry: needsOfficial,
  atomicCommits: needsOfficial,
  deleteRecursive: needsOfficial,
};

async function openFirestore() {
  const { db, close } = await openTestFirestore("demo-alchemist-test");
  return { store: firestoreDocStore(db), close };
}

/**
 * The official emulator locks like production but resolves a deadlock between two transactions only when
 * its 30 s lock timeout fires (firebase/firebase-tools#2452, #6758): longer than a test may take.
 */
const officialEmulatorGaps: Partial<Record<DocStoreFeature, string>> = {
  transactionRetry:
    "the Firestore emulator resolves contending transactions only after its 30 s lock timeout",
};

describeDocStoreContract(
  officialEmulator === undefined
    ? "Firestore over @firestore-emulator/server"
    : `Firestore emulator at ${officialEmulator}`,
  openFirestore,
  { skip: officialEmulator === undefined ? smallServerGaps : officialEmulatorGaps },
);

describe.skipIf(officialEmulator !== undefined)("findNearest on a Firestore without vector search", () => {
  it("refuses hits that come back without their distance, instead of scoring them NaN", async () => {
    // @firestore-emulator/server runs a vector query as a plain query: the hits carry no distance.
    const { store, close } = await openFirestore();
    try {
      await store.set("vectors/a", { embedding: vector([1, 0]), tenant: "t" });
      const search = store.findNearest({
        collection: "vectors",
        vectorField: "embedding",
        queryVector: [1, 0],
        limit: 1,
        distanceMeasure: "COSINE",
      });
      await expect(search).rejects.toBeInstanceOf(AppError);
      await expect(search).rejects.toMatchObject({
        code: "internal",
        message: expect.stringContaining("without its distance; this Firestore does not run vector search"),
      });
    } finally {
      await close();
    }
  });
});

describe("firestore-docstore value and error mapping", () => {
  it("maps Firestore's gRPC status codes to AppError codes", () => {
    const grpc = (code: number) => Object.assign(new Error(`${code} STATUS: detail`), { code });
    const cases: [number, string][] = [
      [3, "invalid-argument"],
      [5, "not-found"],
      [6, "already-exists"],
      [7, "permission-denied"],
      [8, "resource-exhausted"],
      [9, "failed-precondition"],
      [10, "aborted"],
      [14, "unavailable"],
      [4, "deadline-exceeded"],
      [2, "internal"],
    ];
    for (const [code, expected] of cases) {
      const mapped = fromFirestoreError(grpc(code), `update "tenants/t1"`);
      expect(mapped).toBeInstanceOf(AppError);
      expect((mapped as AppError).code).toBe(expected);
    }
  });

  it("keeps Firestore's message for a failed precondition, which carries the index link", () => {
    const error = Object.assign(
      new Error("9 FAILED_PRECONDITION: The query requires an index. https://console/x"),
      { code: 9 },
    );
    expect((fromFirestoreError(error, "query") as AppError).message).toContain("https://console/x");
  });

  it("passes our own errors and errors without a gRPC code through unchanged", () => {
    const ours = new AppError("aborted", "stop");
    const plain = new Error("boom");
    expect(fromFirestoreError(ours, "transaction")).toBe(ours);
    expect(fromFirestoreError(plain, "transaction")).toBe(plain);
  });

  it("turns VectorValue and FieldOps into firebase-admin values and drops undefined fields", () => {
    const data = toFirestoreData({
      embedding: vector([1, 2]),
      n: FieldOps.increment(1),
      skip: undefined,
      meta: { v: vector([3]) },
    });
    expect(Object.keys(data).sort()).toEqual(["embedding", "meta", "n"]);
    const back = fromFirestoreValue({ embedding: data.embedding, meta: data.meta }) as {
      embedding: unknown;
      meta: { v: unknown };
    };
    expect(back.embedding).toEqual(vector([1, 2]));
    expect(back.meta.v).toEqual(vector([3]));
  });
});
