/** Knowledge over the platform's REST API: live listings over server-sent events, uploads with progress. */
import {
  documentPath,
  documentsPath,
  knowledgeBasePath,
  parseCreatedKnowledgeBase,
  parseDocument,
  parseDocuments,
  parseKnowledgeBase,
  parseKnowledgeBases,
  parseSearchResults,
  parseUploadedDocument,
  type KnowledgeSource,
  type UploadProgress,
} from "../knowledge";
import { knowledgeBasesPath } from "../knowledgeBases";
import { watchOverRest } from "../live";
import { PlatformRequestError, platformErrorEnvelope } from "../platform";
import { asSignedIn, requestAsSignedIn } from "../session";

/** How many passages "try a search" shows. */
const searchResultCount = 8;

export const restKnowledge: KnowledgeSource = {
  watchKnowledgeBases: () =>
    watchOverRest(knowledgeBasesPath, (body) => parseKnowledgeBases(body, knowledgeBasesPath)),
  async getKnowledgeBase(kbId, signal) {
    const path = knowledgeBasePath(kbId);
    return parseKnowledgeBase(await requestAsSignedIn(path, { signal }), path);
  },
  async createKnowledgeBase(input) {
    const path = knowledgeBasesPath;
    return parseCreatedKnowledgeBase(await requestAsSignedIn(path, { method: "POST", body: input }), path);
  },
  watchDocuments(kbId) {
    const path = documentsPath(kbId);
    return watchOverRest(path, (body) => parseDocuments(body, path));
  },
  async uploadDocument(kbId, file, onProgress, signal) {
    const path = documentsPath(kbId);
    const body = await asSignedIn(path, (token) => sendFile(path, file, token, onProgress, signal));
    return parseUploadedDocument(body, path);
  },
  async deleteDocument(kbId, docId) {
    await requestAsSignedIn(documentPath(kbId, docId), { method: "DELETE" });
  },
  async restoreDocumentVersion(kbId, docId, version) {
    const path = `${documentPath(kbId, docId)}/restore`;
    const answer = await requestAsSignedIn(path, { method: "POST", body: { version } });
    return parseDocument(answer, `POST ${path}`, path);
  },
  async searchKnowledgeBase(kbId, query, signal) {
    const path = `${knowledgeBasePath(kbId)}/search`;
    const answer = await requestAsSignedIn(path, {
      method: "POST",
      body: { query, k: searchResultCount },
      signal,
    });
    return parseSearchResults(answer, path);
  },
};

/**
 * Posts one file as the multipart field `file`. XMLHttpRequest rather than `fetch`: only it reports the bytes
 * sent as they go. Failures are the same `PlatformRequestError`s `sendPlatformRequest` answers; a cancelled
 * upload rejects with the `AbortError` fetch would.
 */
function sendFile(
  path: string,
  file: File,
  token: string,
  onProgress: (progress: UploadProgress) => void,
  signal: AbortSignal,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const aborted = () => new DOMException("The upload was cancelled.", "AbortError");
    if (signal.aborted) {
      reject(aborted());
      return;
    }
    const xhr = new XMLHttpRequest();
    const cancel = () => xhr.abort();
    signal.addEventListener("abort", cancel, { once: true });
    const settle = () => signal.removeEventListener("abort", cancel);

    xhr.open("POST", path);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("Authorization", `Bearer ${token}`);
    xhr.upload.onprogress = (event) => {
      // The request is a little larger than the file (the multipart framing): report the file's share.
      const share = event.lengthComputable && event.total > 0 ? event.loaded / event.total : 0;
      onProgress({ sent: Math.min(file.size, Math.round(share * file.size)), total: file.size });
    };
    xhr.onload = () => {
      settle();
      const body = readJson(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        if (body === undefined) {
          reject(
            new PlatformRequestError("invalid-response", path, `POST ${path} did not answer with JSON.`),
          );
        } else {
          resolve(body);
        }
        return;
      }
      const envelope = platformErrorEnvelope(body);
      if (!envelope.reason && (xhr.status === 502 || xhr.status === 504)) {
        reject(
          new PlatformRequestError(
            "network",
            path,
            `POST ${path} got no response from the platform (the proxy answered HTTP ${xhr.status}).`,
            xhr.status,
          ),
        );
        return;
      }
      reject(
        new PlatformRequestError(
          "http",
          path,
          `POST ${path} answered HTTP ${xhr.status}${envelope.reason ? `: ${envelope.reason}` : "."}`,
          xhr.status,
          envelope,
        ),
      );
    };
    xhr.onerror = () => {
      settle();
      reject(new PlatformRequestError("network", path, `POST ${path} got no response.`));
    };
    xhr.onabort = () => {
      settle();
      reject(aborted());
    };

    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

function readJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
