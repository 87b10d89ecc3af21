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
  /** The multipart field `file`, when the body is a form. */
  readonly file: File | undefined;
  readonly aborted: boolean;
  /** Reports `loaded` of the body's bytes sent (the whole body is the file's size, here). */
  progress(loaded: number): void;
  /** The platform answers with this status and JSON body. */
  respond(status: number, body: unknown): void;
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

    send(body?: unknown) {
      const file = body instanceof FormData ? body.get("file") : null;
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const xhr = this;
      const total = file instanceof File ? file.size : 0;
      const request: SentRequest = {
        method: this.method,
        url: this.url,
        headers: { ...this.headers },
        file: file instanceof File ? file : undefined,
        get aborted() {
          return xhr.abortedByCaller;
        },
        progress(loaded) {
          if (xhr.done) return;
          act(() => {
            xhr.upload.onprogress?.(new ProgressEvent("progress", { lengthComputable: true, loaded, total }));
          });
        },
        respond(status, responseBody) {
          if (xhr.done) throw new Error(`${xhr.url} was already answered or cancelled`);
          xhr.done = true;
          xhr.status = status;
          xhr.responseText = JSON.stringify(responseBody);
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

  /** The request that sent the file of this name (the latest, when it was sent again). */
  const uploadOf = (fileName: string): SentRequest => {
    const found = requests.filter((r) => r.file?.name === fileName).at(-1);
    if (!found) throw new Error(`No upload of ${fileName} was sent`);
    return found;
  };
  /** Names of the files sent so far, in order. */
  const sentFiles = () => requests.map((r) => r.file?.name);
  return { requests, uploadOf, sentFiles };
}
