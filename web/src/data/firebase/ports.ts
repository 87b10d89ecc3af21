/**
 * The little of the Firebase web SDK that Firebase mode uses, as interfaces: sdk.ts implements them over
 * the SDK (the only module that imports it); the mappers, the source and the auth backend depend on these
 * alone, so their tests run on fakes here and on the real SDK against emulators where those exist.
 */

/** A Firestore document as read: its id and its fields (Timestamps still as the SDK gives them). */
export interface FirestoreDoc {
  readonly id: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export type WhereOp = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "array-contains";

/** A collection query, spelled as data so fakes can answer it. */
export interface CollectionQuery {
  /** Slash-separated, e.g. `tenants/acme/agents`. */
  readonly path: string;
  readonly where?: readonly (readonly [field: string, op: WhereOp, value: unknown])[];
  readonly orderBy?: readonly (readonly [field: string, direction: "asc" | "desc"])[];
  readonly limit?: number;
}

/** Reads under firestore.rules; errors are the SDK's (`{ code, message }`). */
export interface FirestoreReader {
  getDocument(path: string): Promise<FirestoreDoc | undefined>;
  getCollection(query: CollectionQuery): Promise<FirestoreDoc[]>;
  /** `onSnapshot` of one document: `undefined` while it does not exist. Answers the unsubscribe. */
  watchDocument(
    path: string,
    next: (doc: FirestoreDoc | undefined) => void,
    error: (error: unknown) => void,
  ): () => void;
  /** `onSnapshot` of a query: the whole result after every change. Answers the unsubscribe. */
  watchCollection(
    query: CollectionQuery,
    next: (docs: FirestoreDoc[]) => void,
    error: (error: unknown) => void,
  ): () => void;
}

/** Cloud Storage uploads (`uploadBytesResumable`). */
export interface StorageUploader {
  /** Resolves once the object is stored; `onProgress` gets the bytes sent so far. Aborting cancels it. */
  upload(
    path: string,
    file: Blob,
    contentType: string,
    onProgress: (sent: number, total: number) => void,
    signal: AbortSignal,
  ): Promise<void>;
}

/** Callable functions (`httpsCallable`), by deployed name (`identity-createTenant`). */
export interface Callables {
  call(name: string, data: unknown): Promise<unknown>;
}

export interface AuthUser {
  readonly uid: string;
  readonly email: string | null;
  readonly emailVerified: boolean;
}

export interface IdToken {
  readonly token: string;
  /** ISO date-time. */
  readonly expiresAt: string;
  /** Every claim of the token, custom ones (`tenantId`, `role`) included. */
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * What `signIn` throws for a user with a second factor (`auth/multi-factor-auth-required`): the SDK's error,
 * with a way to finish the sign-in with a TOTP code when one of the user's factors is TOTP.
 */
export interface SecondFactorError {
  readonly code: "auth/multi-factor-auth-required";
  readonly resolveWithTotp?: (code: string) => Promise<AuthUser>;
}

/** A TOTP secret Firebase Auth made for the current user, until `enroll` confirms it with a code. */
export interface TotpEnrolment {
  readonly secret: string;
  readonly otpauthUri: string;
  enroll(code: string): Promise<void>;
}

/** Firebase Auth, email and password, with TOTP as a second factor (Identity Platform). */
export interface FirebaseAuthPort {
  /** Resolves once the persisted sign-in (if any) is restored. */
  ready(): Promise<void>;
  currentUser(): AuthUser | undefined;
  /** Throws a `SecondFactorError` for a user with a second factor. */
  signIn(email: string, password: string): Promise<AuthUser>;
  /** Whether the current user has a TOTP second factor. */
  totpEnrolled(): boolean;
  /** A new TOTP secret for the current user (needs a recent sign-in and a verified email). */
  startTotpEnrolment(accountName: string, issuer: string): Promise<TotpEnrolment>;
  /** Removes the current user's TOTP factor (after `reauthenticate`). */
  unenrollTotp(): Promise<void>;
  signUp(email: string, password: string): Promise<AuthUser>;
  /** Checks the current user's password again (before a sensitive step); a `SecondFactorError` if it has one. */
  reauthenticate(password: string): Promise<void>;
  /** Sets the current user's password (after `reauthenticate`); Firebase Auth revokes their other sessions. */
  updatePassword(newPassword: string): Promise<void>;
  /** The current user's ID token; cached by the SDK until about five minutes before it expires. */
  idToken(forceRefresh: boolean): Promise<IdToken>;
  /** Called with the user after every sign-in, sign-out and token refresh. Answers the unsubscribe. */
  onIdTokenChanged(listener: (user: AuthUser | undefined) => void): () => void;
  sendEmailVerification(): Promise<void>;
  deleteCurrentUser(): Promise<void>;
  signOut(): Promise<void>;
}

/** Everything Firebase mode uses, connected to one project (or its emulators). */
export interface FirebaseServices {
  readonly auth: FirebaseAuthPort;
  readonly firestore: FirestoreReader;
  readonly storage: StorageUploader;
  readonly callables: Callables;
}
