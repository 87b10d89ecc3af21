/**
 * Firebase mode's data source: the REST source (every change still goes through the API: validated,
 * authorized, audited) with its reads replaced by Firestore reads under firestore.rules, in the signed-in
 * person's tenant. Live data (`Watch`) is a Firestore listener; one-shot reads are `getDoc`/`getDocs`. Each
 * read maps the documents to the body the REST API answers (documents.ts) and then runs the same parser
 * the REST source runs, so pages get exactly the same values in both modes.
 *
 * Not overridden, so still read through the API: analytics, billing and monitoring (computed by the
 * platform), the administration section (API keys and invitations are server-only in firestore.rules), the
 * web chat widgets (an admin's list, behind `channels.manage`), search, a cited passage with its document's
 * text and file (the text is read again from the stored file by a parse worker), the playground, the options
 * agents may be configured with (the operator's settings, not a document), and Tool Forge's tool sets and
 * credentials (firestore.rules lets no client read them); and end users' memories, consistency flags and
 * drift (narrative/: firestore.rules gives no client a read of them either); the workspace's profile and
 * environments, and the operator console (`/v1/admin/*`, platform-wide: no client reads other tenants).
 */
import type { AgentsSource } from "../agents";
import {
  conversationPageSize,
  type ConversationFilter,
  type ConversationHistorySource,
  type ConversationPage,
} from "../history";
import { maxUploadBytes, type KnowledgeSource, type UploadOutcome } from "../knowledge";
import { reconnectDelayMs, type Watch } from "../live";
import { asRequestError, PlatformRequestError } from "../platform";
import { parseAgent, parseAgentList, parseAgentVersions, parseKnowledgeBaseList } from "../rest/agents";
import { parseTrace } from "../rest/conversations";
import { parseConversation, parseConversationPage, parseTranscriptMessages } from "../rest/history";
import { parseDocument, parseDocuments, parseKnowledgeBase, parseKnowledgeBases } from "../rest/knowledge";
import { restSource } from "../rest/source";
import { asSignedIn, currentSessionState, sessionEndedNotice, signOut } from "../session";
import type { StudioSource } from "../source";
import {
  agentBody,
  agentListBody,
  agentVersionBody,
  conversationBody,
  conversationListItemBody,
  isListedDocument,
  knowledgeBaseBody,
  knowledgeBaseListBody,
  knowledgeDocumentBody,
  knowledgeDocumentListBody,
  messageBody,
  traceBody,
} from "./documents";
import { firebaseRequestError } from "./errors";
import {
  agentPath,
  agentsPath,
  agentVersionsPath,
  conversationPath,
  conversationsPath,
  documentPath,
  documentsPath,
  knowledgeBasePath,
  knowledgeBasesPath,
  messagesPath,
  tracePath,
  uploadPath,
} from "./paths";
import type { CollectionQuery, FirestoreDoc, FirestoreReader, StorageUploader } from "./ports";
import { chooseUploadRoute, notRegisteredError, registrationTimeoutMs } from "./upload";

export interface FirebaseSourceDeps {
  readonly firestore: FirestoreReader;
  readonly storage: StorageUploader;
}

// ----- reading as the signed-in person --------------------------------------------------------------------

const signedOut = (path: string) =>
  new PlatformRequestError("http", path, "You are signed out.", 401, {
    code: "unauthenticated",
    reason: "You are signed out.",
  });

const notFound = (path: string, reason: string) =>
  new PlatformRequestError("http", path, `${path}: ${reason}`, 404, { code: "not-found", reason });

/**
 * One read in the session's tenant. Through `asSignedIn`, as the REST source's requests: the ID token is
 * refreshed first (Firestore then uses the same user), and a refusal of the sign-in (401) ends the session.
 */
function readAsSignedIn<T>(what: string, read: (tenantId: string) => Promise<T>): Promise<T> {
  return asSignedIn(what, async () => {
    const tenantId = currentSessionState().session?.tenantId;
    if (tenantId === undefined) throw signedOut(what);
    try {
      return await read(tenantId);
    } catch (error) {
      throw firebaseRequestError(error, what);
    }
  });
}

/**
 * A live value over Firestore listeners. `open` subscribes in the session's tenant and calls `emit` with
 * each new value (or throws from its mapping, reported as an error). Firestore ends a listener after an
 * error: a refusal (a 4xx, e.g. the rules deny it) stays an error, as the REST watch does; anything else
 * subscribes again with backoff. A 401 ends the session, as `asSignedIn` does.
 */
export function watchFirestore<T>(
  what: string,
  open: (tenantId: string, emit: (value: () => T) => void, fail: (error: unknown) => void) => () => void,
): Watch<T> {
  return (listener) => {
    let stopped = false;
    let unsubscribe: (() => void) | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;

    const start = () => {
      if (stopped) return;
      const tenantId = currentSessionState().session?.tenantId;
      if (tenantId === undefined) {
        listener.error(signedOut(what));
        return;
      }
      let failed = false;
      const fail = (error: unknown) => {
        if (stopped || failed) return;
        failed = true;
        unsubscribe?.();
        unsubscribe = undefined;
        const failure = firebaseRequestError(error, what);
        listener.error(failure);
        if (failure.status === 401) {
          signOut(sessionEndedNotice);
          return;
        }
        if (failure.status !== undefined && failure.status < 500) return;
        timer = setTimeout(start, reconnectDelayMs(++failures));
      };
      const emit = (value: () => T) => {
        if (stopped || failed) return;
        let next: T;
        try {
          next = value();
        } catch (error) {
          listener.error(asRequestError(error));
          return;
        }
        failures = 0;
        listener.next(next);
      };
      unsubscribe = open(tenantId, emit, fail);
      if (failed) unsubscribe();
    };

    start();
    return () => {
      stopped = true;
      clearTimeout(timer);
      unsubscribe?.();
    };
  };
}

/**
 * Watches a document and a query together, emitting once both have answered and after every change of
 * either: a listing whose parent must exist (documents of a knowledge base, as `GET …/documents` is a 404
 * for an unknown knowledge base).
 */
function watchWithParent(
  reader: FirestoreReader,
  parent: string,
  children: CollectionQuery,
  next: (parent: FirestoreDoc | undefined, children: FirestoreDoc[]) => void,
  fail: (error: unknown) => void,
): () => void {
  let parentDoc: FirestoreDoc | undefined | null = null;
  let childDocs: FirestoreDoc[] | null = null;
  const update = () => {
    if (parentDoc !== null && childDocs !== null) next(parentDoc, childDocs);
  };
  const stopParent = reader.watchDocument(
    parent,
    (doc) => {
      parentDoc = doc;
      update();
    },
    fail,
  );
  const stopChildren = reader.watchCollection(
    children,
    (docs) => {
      childDocs = docs;
      update();
    },
    fail,
  );
  return () => {
    stopParent();
    stopChildren();
  };
}

// ----- agents ---------------------------------------------------------------------------------------------

function firebaseAgents(
  reader: FirestoreReader,
): Pick<AgentsSource, "listAgents" | "getAgent" | "listAgentVersions" | "listKnowledgeBases" | "getTrace"> {
  const loadAgent = async (tenantId: string, agentId: string) => {
    const path = agentPath(tenantId, agentId);
    const doc = await reader.getDocument(path);
    if (!doc) throw notFound(path, `Agent ${agentId} not found`);
    return { path, doc };
  };
  return {
    listAgents: ({ includeArchived }) =>
      readAsSignedIn("agents", async (tenantId) => {
        const path = agentsPath(tenantId);
        const docs = await reader.getCollection({ path });
        return parseAgentList(agentListBody(docs, includeArchived), path);
      }),
    getAgent: (agentId) =>
      readAsSignedIn("agent", async (tenantId) => {
        const { path, doc } = await loadAgent(tenantId, agentId);
        return parseAgent(agentBody(doc), `GET ${path}`, path);
      }),
    listAgentVersions: (agentId) =>
      readAsSignedIn("agent versions", async (tenantId) => {
        await loadAgent(tenantId, agentId);
        const path = agentVersionsPath(tenantId, agentId);
        const docs = await reader.getCollection({ path, orderBy: [["version", "desc"]] });
        return parseAgentVersions({ versions: docs.map(agentVersionBody) }, path);
      }),
    listKnowledgeBases: () =>
      readAsSignedIn("knowledge bases", async (tenantId) => {
        const docs = await reader.getCollection({ path: knowledgeBasesPath(tenantId) });
        return parseKnowledgeBaseList(knowledgeBaseListBody(docs));
      }),
    getTrace: (traceId) =>
      readAsSignedIn("trace", async (tenantId) => {
        const path = tracePath(tenantId, traceId);
        const doc = await reader.getDocument(path);
        if (!doc) throw notFound(path, `Trace ${traceId} not found`);
        return parseTrace(traceBody(doc), path);
      }),
  };
}

// ----- knowledge ------------------------------------------------------------------------------------------

function firebaseKnowledge(
  reader: FirestoreReader,
  uploader: StorageUploader,
): Pick<
  KnowledgeSource,
  | "watchKnowledgeBases"
  | "getKnowledgeBase"
  | "watchDocuments"
  | "uploadDocument"
  | "uploadBatching"
  | "uploadDocuments"
> {
  /** Resolves with the document once the storage trigger has created it. */
  const registered = (path: string, name: string, signal: AbortSignal) =>
    new Promise<FirestoreDoc>((resolve, reject) => {
      let stop: () => void = () => undefined;
      const finish = (settle: () => void) => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
        stop();
        settle();
      };
      const timer = setTimeout(
        () => finish(() => reject(notRegisteredError(path, name))),
        registrationTimeoutMs,
      );
      const onAbort = () => finish(() => reject(new DOMException("The upload was cancelled.", "AbortError")));
      signal.addEventListener("abort", onAbort, { once: true });
      stop = reader.watchDocument(
        path,
        (doc) => {
          if (doc && isListedDocument(doc)) finish(() => resolve(doc));
        },
        (error) => finish(() => reject(firebaseRequestError(error, path))),
      );
    });

  const uploadDocument: KnowledgeSource["uploadDocument"] = async (kbId, file, onProgress, signal) => {
    const tenantId = currentSessionState().session?.tenantId;
    const route =
      tenantId === undefined
        ? ({ via: "api" } as const)
        : await chooseUploadRoute(file, (docId) =>
            readAsSignedIn(
              "document",
              async () => (await reader.getDocument(documentPath(tenantId, kbId, docId))) !== undefined,
            ),
          );
    if (route.via === "api" || tenantId === undefined) {
      return restSource.uploadDocument(kbId, file, onProgress, signal);
    }
    const objectPath = uploadPath(tenantId, kbId, route.docId, 1, route.name);
    await asSignedIn(objectPath, async () => {
      try {
        await uploader.upload(
          objectPath,
          file,
          route.contentType,
          (sent, total) => onProgress({ sent, total }),
          signal,
        );
      } catch (error) {
        if (error instanceof DOMException && error.name === "AbortError") throw error;
        throw firebaseRequestError(error, objectPath);
      }
    });
    const path = documentPath(tenantId, kbId, route.docId);
    const doc = await registered(path, route.name, signal);
    // A new document: its first version, never a duplicate of an earlier one.
    return { ...parseDocument(knowledgeDocumentBody(doc), `GET ${path}`, path), duplicate: false };
  };

  return {
    watchKnowledgeBases: () =>
      watchFirestore("knowledge bases", (tenantId, emit, fail) => {
        const path = knowledgeBasesPath(tenantId);
        return reader.watchCollection(
          { path },
          (docs) => emit(() => parseKnowledgeBases(knowledgeBaseListBody(docs), path)),
          fail,
        );
      }),
    getKnowledgeBase: (kbId) =>
      readAsSignedIn("knowledge base", async (tenantId) => {
        const path = knowledgeBasePath(tenantId, kbId);
        const doc = await reader.getDocument(path);
        if (!doc) throw notFound(path, `Knowledge base ${kbId} not found`);
        return parseKnowledgeBase(knowledgeBaseBody(doc), path);
      }),
    watchDocuments: (kbId) =>
      watchFirestore("documents", (tenantId, emit, fail) => {
        const kbPath = knowledgeBasePath(tenantId, kbId);
        const path = documentsPath(tenantId, kbId);
        return watchWithParent(
          reader,
          kbPath,
          { path, orderBy: [["name", "asc"]] },
          (kb, docs) =>
            emit(() => {
              if (!kb) throw notFound(kbPath, `Knowledge base ${kbId} not found`);
              return parseDocuments(knowledgeDocumentListBody(docs), path);
            }),
          fail,
        );
      }),
    uploadDocument,
    /**
     * No batching here: a new document goes straight to Cloud Storage, one object per file (storage.rules
     * and the trigger that registers it work per object, and Storage has no multi-file request), so the
     * queue sends each file alone. New versions go through the API one by one for the same reason.
     */
    uploadBatching: { maxFiles: 1, maxBytes: maxUploadBytes },
    async uploadDocuments(kbId, files, onProgress, signal) {
      const outcomes: UploadOutcome[] = [];
      for (const [index, file] of files.entries()) {
        try {
          const document = await uploadDocument(kbId, file, (p) => onProgress(index, p), signal);
          outcomes.push({ ok: true, document });
        } catch (error) {
          // A cancel stops the whole call, as it would a request; anything else is this file's outcome (a
          // spent upload budget too: the queue sends that file again later, not the ones already sent).
          if (signal.aborted) throw error;
          outcomes.push({ ok: false, error: asRequestError(error) });
        }
      }
      return outcomes;
    },
  };
}

// ----- conversation history -------------------------------------------------------------------------------

interface ListCursor {
  readonly updatedAt: string;
  readonly seen: readonly string[];
}

/** The REST API's cursor (base64url JSON, functions/src/agents/conversations.ts), so both modes page alike. */
export function encodeListCursor(cursor: ListCursor): string {
  return btoa(JSON.stringify(cursor)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

export function decodeListCursor(token: string, path: string): ListCursor {
  try {
    const value = JSON.parse(atob(token.replace(/-/g, "+").replace(/_/g, "/"))) as unknown;
    if (
      typeof value === "object" &&
      value !== null &&
      typeof (value as ListCursor).updatedAt === "string" &&
      Array.isArray((value as ListCursor).seen) &&
      (value as ListCursor).seen.every((id) => typeof id === "string")
    ) {
      return value as ListCursor;
    }
  } catch {
    // Reported below.
  }
  const reason = "Invalid query parameter: cursor: must be the nextCursor of a previous page";
  throw new PlatformRequestError("http", path, `${path}: ${reason}`, 400, {
    code: "invalid-argument",
    reason,
  });
}

/** An instant of the filter as the API reads it (`new Date(from).toISOString()`), or a 400 like its. */
function instant(value: string, name: string, path: string): string {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    const reason = `Invalid query parameter: ${name}: must be an ISO date (2024-05-01) or date-time with an offset (2024-05-01T09:30:00Z)`;
    throw new PlatformRequestError("http", path, `${path}: ${reason}`, 400, {
      code: "invalid-argument",
      reason,
    });
  }
  return date.toISOString();
}

/**
 * `planListing` of functions/src/agents/conversations.ts: the same filters, order and limit, so the same
 * composite indexes (firestore.indexes.json) serve the studio's listener.
 */
export function conversationListQuery(
  tenantId: string,
  filter: ConversationFilter,
  cursor: ListCursor | undefined,
): CollectionQuery {
  const path = conversationsPath(tenantId);
  const where: [string, "==" | ">=" | "<" | "<=", unknown][] = [];
  if (filter.agentId !== undefined) where.push(["agentId", "==", filter.agentId]);
  if (filter.channel !== undefined) where.push(["channel", "==", filter.channel]);
  const from = filter.from === undefined ? undefined : instant(filter.from, "from", path);
  const to = filter.to === undefined ? undefined : instant(filter.to, "to", path);
  if (from !== undefined && to !== undefined && from >= to) {
    const reason = `Invalid query parameter: from (${from}) must be before to (${to})`;
    throw new PlatformRequestError("http", path, `${path}: ${reason}`, 400, {
      code: "invalid-argument",
      reason,
    });
  }
  if (from !== undefined) where.push(["updatedAt", ">=", from]);
  if (to !== undefined) where.push(["updatedAt", "<", to]);
  if (cursor) where.push(["updatedAt", "<=", cursor.updatedAt]);
  return {
    path,
    where,
    orderBy: [["updatedAt", "desc"]],
    limit: conversationPageSize + 1 + (cursor?.seen.length ?? 0),
  };
}

/** `listConversations`: a page of rows and the cursor after it (rows already seen at the cursor skipped). */
export function conversationPageBody(docs: readonly FirestoreDoc[], cursor: ListCursor | undefined) {
  const seen = new Set(cursor?.seen);
  const rows = docs
    .map(conversationListItemBody)
    .filter((c) => !(cursor && c.updatedAt === cursor.updatedAt && seen.has(String(c.id))));
  const page = rows.slice(0, conversationPageSize);
  const last = page.at(-1);
  if (rows.length <= conversationPageSize || !last) return { conversations: page, nextCursor: null };
  const seenAtLast = page.filter((c) => c.updatedAt === last.updatedAt).map((c) => String(c.id));
  if (cursor && cursor.updatedAt === last.updatedAt) seenAtLast.push(...cursor.seen);
  return {
    conversations: page,
    nextCursor: encodeListCursor({ updatedAt: String(last.updatedAt), seen: seenAtLast }),
  };
}

function firebaseHistory(reader: FirestoreReader): ConversationHistorySource {
  const loadConversation = async (tenantId: string, conversationId: string) => {
    const path = conversationPath(tenantId, conversationId);
    const doc = await reader.getDocument(path);
    if (!doc) throw notFound(path, `Conversation ${conversationId} not found`);
    return { path, doc };
  };
  return {
    watchConversationList: (filter) =>
      watchFirestore<ConversationPage>("conversations", (tenantId, emit, fail) => {
        let spec: CollectionQuery;
        try {
          spec = conversationListQuery(tenantId, filter, undefined);
        } catch (error) {
          fail(error);
          return () => undefined;
        }
        return reader.watchCollection(
          spec,
          (docs) => emit(() => parseConversationPage(conversationPageBody(docs, undefined), spec.path)),
          fail,
        );
      }),
    listConversationPage: (filter, cursorToken) =>
      readAsSignedIn("conversations", async (tenantId) => {
        const path = conversationsPath(tenantId);
        const cursor = decodeListCursor(cursorToken, path);
        const docs = await reader.getCollection(conversationListQuery(tenantId, filter, cursor));
        return parseConversationPage(conversationPageBody(docs, cursor), path);
      }),
    getConversation: (conversationId) =>
      readAsSignedIn("conversation", async (tenantId) => {
        const { path, doc } = await loadConversation(tenantId, conversationId);
        return parseConversation(conversationBody(doc), path);
      }),
    listConversationMessages: (conversationId) =>
      readAsSignedIn("messages", async (tenantId) => {
        await loadConversation(tenantId, conversationId);
        const path = messagesPath(tenantId, conversationId);
        const docs = await reader.getCollection({ path, orderBy: [["seq", "asc"]] });
        return parseTranscriptMessages({ messages: docs.map(messageBody) }, path);
      }),
  };
}

// ----- the source -----------------------------------------------------------------------------------------

export function createFirebaseSource(deps: FirebaseSourceDeps): StudioSource {
  return {
    ...restSource,
    ...firebaseAgents(deps.firestore),
    ...firebaseKnowledge(deps.firestore, deps.storage),
    ...firebaseHistory(deps.firestore),
  };
}
