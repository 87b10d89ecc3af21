/**
 * Firebase mode's adapters: Firestore, Cloud Storage (default bucket), Cloud Tasks and Firebase Auth,
 * all through firebase-admin, loaded lazily so a cold start pays only for what it opens.
 */
import { closeMetrics } from "../metrics/recorder.js";
import { systemClock } from "../clock.js";
import type { Config } from "../config.js";
import type { Deps } from "../deps.js";
import { nodeEgress } from "../egress/node-egress.js";
import { firebaseClaimsSetter } from "./claims-setter.js";
import { randomIds } from "../ids.js";
import { chooseChatModel, chooseEmbedder, chooseFineTuning, chooseSpeechToText } from "../models/index.js";
import { choosePayments } from "../payments/index.js";

export async function openFirebaseDeps(config: Config): Promise<Deps> {
  const [{ getApps, initializeApp }, { getFirestore }, { getStorage }, { getFunctions }, { getAuth }] =
    await Promise.all([
      import("firebase-admin/app"),
      import("firebase-admin/firestore"),
      import("firebase-admin/storage"),
      import("firebase-admin/functions"),
      import("firebase-admin/auth"),
    ]);
  const [{ firestoreDocStore }, { docStoreKeywordIndex }, { cloudStorageBlobStore }, { cloudTasksQueue }] =
    await Promise.all([
      import("./firestore-docstore.js"),
      import("../docstore-keyword-index.js"),
      import("./storage-blobstore.js"),
      import("./cloudtasks-queue.js"),
    ]);
  const app = getApps()[0] ?? initializeApp();
  const db = getFirestore(app);
  // Optional fields are left out of documents rather than rejected, as in the local store.
  db.settings({ ignoreUndefinedProperties: true });
  const auth = getAuth(app);
  const [chat, embedder, speech, payments, fineTuning] = await Promise.all([
    chooseChatModel(config),
    chooseEmbedder(config),
    chooseSpeechToText(config),
    choosePayments(config),
    chooseFineTuning(config),
  ]);
  const store = firestoreDocStore(db);
  const deps: Deps = {
    config,
    store,
    keywords: docStoreKeywordIndex(store),
    blobs: cloudStorageBlobStore(getStorage(app).bucket()),
    tasks: cloudTasksQueue(getFunctions(app), config.region),
    chat,
    embedder,
    ...(speech ? { speech } : {}),
    ...(payments ? { payments } : {}),
    ...(fineTuning ? { fineTuning } : {}),
    egress: nodeEgress({ policy: config.egress }),
    clock: systemClock,
    ids: randomIds,
    claims: firebaseClaimsSetter(auth),
    idTokens: {
      async verify(token) {
        // checkRevoked: a disabled user or revoked session stops working at once.
        const decoded = await auth.verifyIdToken(token, true);
        return { uid: decoded.uid, claims: decoded as unknown as Record<string, unknown> };
      },
    },
  };
  // Cloud Run sends SIGTERM and allows 10 s before stopping an instance: the metrics measured since the last
  // flush are written in that time (platform/metrics/recorder.ts).
  process.once("SIGTERM", () => {
    closeMetrics(deps).catch(() => undefined);
  });
  return deps;
}
