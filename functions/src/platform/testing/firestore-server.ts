/**
 * A Firestore for tests over firebase-admin and real gRPC: the official emulator when FIRESTORE_EMULATOR_HOST
 * is set, else `@firestore-emulator/server` started in-process on a free port (a small Node implementation of
 * Firestore's gRPC API; see platform/firebase/firestore-docstore.test.ts for what it lacks).
 */
import { createServer } from "node:net";
import { FirestoreServer } from "@firestore-emulator/server";
import { deleteApp, initializeApp } from "firebase-admin/app";
import { initializeFirestore, type Firestore } from "firebase-admin/firestore";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export async function openTestFirestore(
  projectId: string,
): Promise<{ db: Firestore; close: () => Promise<void> }> {
  let server: FirestoreServer | undefined;
  if (process.env.FIRESTORE_EMULATOR_HOST === undefined) {
    server = new FirestoreServer();
    const port = await freePort();
    await server.start(port);
    // firebase-admin reads this when the Firestore client is created, below.
    process.env.FIRESTORE_EMULATOR_HOST = `127.0.0.1:${port}`;
  }
  const app = initializeApp({ projectId }, `${projectId}-${process.pid}-${Date.now()}`);
  const db = initializeFirestore(app, { preferRest: false });
  return {
    db,
    close: async () => {
      await deleteApp(app);
      server?.stop();
      if (server !== undefined) delete process.env.FIRESTORE_EMULATOR_HOST;
    },
  };
}
