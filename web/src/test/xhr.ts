/**
 * A stand-in for the browser's XMLHttpRequest (what uploads use, for their progress): each request the
 * studio sends is recorded, and the test decides what happens to it, when: bytes sent, the platform's
 * answer, a dropped connection. jsdom's own would try the network.
 */
import { act } from "@testing-library/react";
import { vi } from "vitest";

type Handler = ((event: ProgressEvent) => void) | null;

/** One request the studio sent, for the test to drive. */
export interface SentRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The multipart field `file`, when the body is a form with one file. */
  readonly file: File | undefined;
  /** The multipart fields `files`, in order, when the body is a form of several files. */
  readonly files: readonly File[];
  readonly aborted: boolean;
  /** Reports `loaded` of the body's bytes sent (the whole body is the files' sizes together, here). */
  progress(loaded: number): void;
  /** The platform answers with this status, JSON body and headers (`Retry-After`…). */
  respond(status: number, body: unknown, headers?: Readonly<Record<string, string>>): void;
  /** The connection drops: no answer at all. */
  fail(): void;
}

class FakeUploadTarget {
  onprogress: Handler = null;
}

export function stubXhr() {
  const requests: SentRequest[] = [];

  class FakeXMLHttpRequest {
    readonly upload = new FakeUploadTarget();
    onload: Handler = null;
    onerror: Handler = null;
    onabort: Handler = null;
    status = 0;
    responseText = "";
    responseHeaders: Readonly<Record<string, string>> = {};
    method = "GET";
    url = "";
    readonly headers: Record<string, string> = {};
    done = false;
    abortedByCaller = false;

    open(method: string, url: string) {
      this.method = method.toUpperCase();
      this.url = url;
    }

    setRequestHeader(name: string, value: string) {
      this.headers[name.toLowerCase()] = value;
    }

    getResponseHeader(name: string): string | null {
      const found = Object.entries(this.responseHeaders).find(
        ([key]) => key.toLowerCase() === name.toLowerCase(),
      );
      return found ? found[1] : null;
    }

    send(body?: unknown) {
      const form = body instanceof FormData ? body : undefined;
      const file = form?.get("file");
      const files = (form?.getAll("files") ?? []).filter((f): f is File => f instanceof File);
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const xhr = this;
      const total = (file instanceof File ? file.size : 0) + files.reduce((n, f) => n + f.size, 0);
      const request: SentRequest = {
        method: this.method,
        url: this.url,
        headers: { ...this.headers },
        file: file instanceof File ? file : undefined,
        files,
        get aborted() {
          return xhr.abortedByCaller;
        },
        progress(loaded) {
          if (xhr.done) return;
          act(() => {
            xhr.upload.onprogress?.(new ProgressEvent("progress", { lengthComputable: true, loaded, total }));
          });
        },
        respond(status, responseBody, headers = {}) {
          if (xhr.done) throw new Error(`${xhr.url} was already answered or cancelled`);
          xhr.done = true;
          xhr.status = status;
          xhr.responseText = JSON.stringify(responseBody);
          xhr.responseHeaders = headers;
          xhr.onload?.(new ProgressEvent("load"));
        },
        fail() {
          if (xhr.done) throw new Error(`${xhr.url} was already answered or cancelled`);
          xhr.done = true;
          xhr.onerror?.(new ProgressEvent("error"));
        },
      };
      requests.push(request);
    }

    abort() {
      if (this.done) return;
      this.done = true;
      this.abortedByCaller = true;
      this.onabort?.(new ProgressEvent("abort"));
    }
  }

  vi.stubGlobal("XMLHttpRequest", FakeXMLHttpRequest);

  const namesIn = (r: SentRequest) => [...(r.file ? [r.file] : []), ...r.files].map((f) => f.name);
  /** The request that sent the file of this name, alone or with others (the latest, when sent again). */
  const uploadOf = (fileName: string): SentRequest => {
    const found = requests.filter((r) => namesIn(r).includes(fileName)).at(-1);
    if (!found) throw new Error(`No upload of ${fileName} was sent`);
    return found;
  };
  /** Names of the files sent so far, in order, whichever requests carried them. */
  const sentFiles = () => requests.flatMap(namesIn);
  /** The names each request carried, one list per request, in the order they were sent. */
  const sentRequests = () => requests.map(namesIn);
  return { requests, uploadOf, sentFiles, sentRequests };
}
