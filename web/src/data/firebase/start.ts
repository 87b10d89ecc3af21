/**
 * Firebase mode's entry point, loaded by main.tsx with a dynamic import only when `detectStudioMode()` found
 * Firebase Hosting: it starts the SDK (and so is the only way the SDK gets into the page), installs Firebase
 * Auth as the session's sign-in, and answers the data source main.tsx hands to `App`.
 */
import { installAuthBackend } from "../session";
import type { StudioSource } from "../source";
import { firebaseAuthBackend, firestoreWorkspaceDirectory, followFirebaseSignIn } from "./auth";
import type { StudioMode } from "./mode";
import { connectFirebase } from "./sdk";
import { createFirebaseSource } from "./source";

export async function startFirebaseStudio(
  mode: Extract<StudioMode, { kind: "firebase" }>,
): Promise<StudioSource> {
  const services = connectFirebase(mode.config, mode.emulators);
  installAuthBackend(
    firebaseAuthBackend({
      auth: services.auth,
      callables: services.callables,
      directory: firestoreWorkspaceDirectory(services.firestore),
    }),
  );
  // The persisted sign-in is restored before the first page asks for data, so a stored session that
  // Firebase Auth no longer backs ends at once instead of on its first request.
  await services.auth.ready();
  followFirebaseSignIn(services.auth);
  return createFirebaseSource({ firestore: services.firestore, storage: services.storage });
}
