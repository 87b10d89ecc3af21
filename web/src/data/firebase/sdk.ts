/**
 * The Firebase web SDK (modular API) behind the small interfaces of ports.ts. This is the only module of the
 * studio that imports `firebase/*`, and it is loaded only in Firebase mode (start.ts is a dynamic import), so
 * local mode never downloads the SDK. Kept thin on purpose: what it does is what the SDK does, and everything
 * with a decision in it (mapping documents, sessions, uploads) lives in modules tested without it.
 */
import { initializeApp, type FirebaseApp } from "firebase/app";
import {
  connectAuthEmulator,
  createUserWithEmailAndPassword,
  deleteUser,
  EmailAuthProvider,
  getAuth,
  getIdTokenResult,
  getMultiFactorResolver,
  multiFactor,
  onIdTokenChanged,
  reauthenticateWithCredential,
  sendEmailVerification,
  signInWithEmailAndPassword,
  signOut,
  TotpMultiFactorGenerator,
  updatePassword,
  type Auth,
  type MultiFactorError,
  type User,
} from "firebase/auth";
import {
  collection,
  connectFirestoreEmulator,
  doc,
  getDoc,
  getDocs,
  getFirestore,
  limit,
  onSnapshot,
  orderBy,
  query,
  where,
  type DocumentSnapshot,
  type Firestore,
  type QueryConstraint,
} from "firebase/firestore";
import { connectFunctionsEmulator, getFunctions, httpsCallable, type Functions } from "firebase/functions";
import {
  connectStorageEmulator,
  getStorage,
  ref,
  uploadBytesResumable,
  type FirebaseStorage,
} from "firebase/storage";
import type { EmulatorHosts, FirebaseWebConfig } from "./mode";
import type {
  AuthUser,
  Callables,
  CollectionQuery,
  FirebaseAuthPort,
  FirebaseServices,
  FirestoreDoc,
  FirestoreReader,
  StorageUploader,
} from "./ports";

/** Starts the SDK for the project (and its emulators, when given) and wraps each product. */
export function connectFirebase(
  config: FirebaseWebConfig,
  emulators: EmulatorHosts | undefined,
): FirebaseServices {
  const app = initializeApp(config);
  return {
    auth: firebaseAuthPort(connectAuth(app, emulators)),
    firestore: firestoreReader(connectFirestore(app, emulators)),
    storage: storageUploader(connectStorage(app, emulators)),
    callables: callables(connectFunctions(app, emulators)),
  };
}

export function connectAuth(app: FirebaseApp, emulators: EmulatorHosts | undefined): Auth {
  const auth = getAuth(app);
  if (emulators) {
    const { host, port } = emulators.auth;
    connectAuthEmulator(auth, `http://${host}:${port}`, { disableWarnings: true });
  }
  return auth;
}

function connectFirestore(app: FirebaseApp, emulators: EmulatorHosts | undefined): Firestore {
  const db = getFirestore(app);
  if (emulators) connectFirestoreEmulator(db, emulators.firestore.host, emulators.firestore.port);
  return db;
}

function connectStorage(app: FirebaseApp, emulators: EmulatorHosts | undefined): FirebaseStorage {
  const storage = getStorage(app);
  if (emulators) connectStorageEmulator(storage, emulators.storage.host, emulators.storage.port);
  return storage;
}

function connectFunctions(app: FirebaseApp, emulators: EmulatorHosts | undefined): Functions {
  // The default region, us-central1, is where functions/src/platform/params.ts deploys every function.
  const functions = getFunctions(app);
  if (emulators) connectFunctionsEmulator(functions, emulators.functions.host, emulators.functions.port);
  return functions;
}

// ----- Auth ---------------------------------------------------------------------------------------------

const authUser = (user: User): AuthUser => ({
  uid: user.uid,
  email: user.email,
  emailVerified: user.emailVerified,
});

/**
 * A sign-in (or reauthentication) that needs the second factor: the SDK's error, with a function that
 * finishes it with a TOTP code (https://firebase.google.com/docs/auth/web/totp-mfa). Other errors as they are.
 */
function withTotpResolver(auth: Auth, error: unknown): unknown {
  if ((error as { code?: unknown } | null)?.code !== "auth/multi-factor-auth-required") return error;
  const resolver = getMultiFactorResolver(auth, error as MultiFactorError);
  const totp = resolver.hints.find((h) => h.factorId === TotpMultiFactorGenerator.FACTOR_ID);
  return Object.assign(error as object, {
    resolveWithTotp: totp
      ? async (code: string) =>
          authUser(
            (await resolver.resolveSignIn(TotpMultiFactorGenerator.assertionForSignIn(totp.uid, code))).user,
          )
      : undefined,
  });
}

export function firebaseAuthPort(auth: Auth): FirebaseAuthPort {
  const signedInUser = (): User => {
    if (!auth.currentUser)
      throw Object.assign(new Error("Nobody is signed in."), { code: "auth/no-current-user" });
    return auth.currentUser;
  };
  return {
    ready: () => auth.authStateReady(),
    currentUser: () => (auth.currentUser ? authUser(auth.currentUser) : undefined),
    async signIn(email, password) {
      try {
        return authUser((await signInWithEmailAndPassword(auth, email, password)).user);
      } catch (error) {
        throw withTotpResolver(auth, error);
      }
    },
    totpEnrolled: () =>
      auth.currentUser !== null &&
      multiFactor(auth.currentUser).enrolledFactors.some(
        (f) => f.factorId === TotpMultiFactorGenerator.FACTOR_ID,
      ),
    async startTotpEnrolment(accountName, issuer) {
      const user = signedInUser();
      const secret = await TotpMultiFactorGenerator.generateSecret(await multiFactor(user).getSession());
      return {
        secret: secret.secretKey,
        otpauthUri: secret.generateQrCodeUrl(accountName, issuer),
        enroll: (code) =>
          multiFactor(user).enroll(
            TotpMultiFactorGenerator.assertionForEnrollment(secret, code),
            "Authenticator app",
          ),
      };
    },
    async unenrollTotp() {
      const user = multiFactor(signedInUser());
      const totp = user.enrolledFactors.find((f) => f.factorId === TotpMultiFactorGenerator.FACTOR_ID);
      if (totp) await user.unenroll(totp);
    },
    async signUp(email, password) {
      return authUser((await createUserWithEmailAndPassword(auth, email, password)).user);
    },
    async reauthenticate(password) {
      const user = signedInUser();
      try {
        await reauthenticateWithCredential(user, EmailAuthProvider.credential(user.email ?? "", password));
      } catch (error) {
        throw withTotpResolver(auth, error);
      }
    },
    updatePassword: (newPassword) => updatePassword(signedInUser(), newPassword),
    async idToken(forceRefresh) {
      const result = await getIdTokenResult(signedInUser(), forceRefresh);
      return {
        token: result.token,
        expiresAt: new Date(result.expirationTime).toISOString(),
        claims: result.claims,
      };
    },
    onIdTokenChanged: (listener) =>
      onIdTokenChanged(auth, (user) => listener(user ? authUser(user) : undefined)),
    sendEmailVerification: () => sendEmailVerification(signedInUser()),
    deleteCurrentUser: () => deleteUser(signedInUser()),
    signOut: () => signOut(auth),
  };
}

// ----- Firestore ----------------------------------------------------------------------------------------

const firestoreDoc = (snapshot: DocumentSnapshot): FirestoreDoc | undefined => {
  const data = snapshot.data();
  return data === undefined ? undefined : { id: snapshot.id, data };
};

function firestoreReader(db: Firestore): FirestoreReader {
  const toQuery = (spec: CollectionQuery) => {
    const constraints: QueryConstraint[] = [
      ...(spec.where ?? []).map(([field, op, value]) => where(field, op, value)),
      ...(spec.orderBy ?? []).map(([field, direction]) => orderBy(field, direction)),
      ...(spec.limit !== undefined ? [limit(spec.limit)] : []),
    ];
    return query(collection(db, spec.path), ...constraints);
  };
  return {
    async getDocument(path) {
      return firestoreDoc(await getDoc(doc(db, path)));
    },
    async getCollection(spec) {
      return (await getDocs(toQuery(spec))).docs.map((d) => ({ id: d.id, data: d.data() }));
    },
    watchDocument: (path, next, error) =>
      onSnapshot(doc(db, path), (snapshot) => next(firestoreDoc(snapshot)), error),
    watchCollection: (spec, next, error) =>
      onSnapshot(
        toQuery(spec),
        (snapshot) => next(snapshot.docs.map((d) => ({ id: d.id, data: d.data() }))),
        error,
      ),
  };
}

// ----- Storage ------------------------------------------------------------------------------------------

function storageUploader(storage: FirebaseStorage): StorageUploader {
  return {
    upload: (path, file, contentType, onProgress, signal) =>
      new Promise<void>((resolve, reject) => {
        const aborted = () => new DOMException("The upload was cancelled.", "AbortError");
        if (signal.aborted) {
          reject(aborted());
          return;
        }
        const task = uploadBytesResumable(ref(storage, path), file, { contentType });
        const cancel = () => task.cancel();
        signal.addEventListener("abort", cancel, { once: true });
        task.on(
          "state_changed",
          (snapshot) => onProgress(snapshot.bytesTransferred, snapshot.totalBytes),
          (error) => {
            signal.removeEventListener("abort", cancel);
            reject(signal.aborted ? aborted() : error);
          },
          () => {
            signal.removeEventListener("abort", cancel);
            resolve();
          },
        );
      }),
  };
}

// ----- Functions ----------------------------------------------------------------------------------------

function callables(functions: Functions): Callables {
  return {
    async call(name, data) {
      return (await httpsCallable(functions, name)(data)).data;
    },
  };
}
