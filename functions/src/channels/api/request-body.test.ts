/**
 * How the API reads request bodies, over real HTTP and raw sockets against the in-process local platform:
 * a body is read only after routing and authentication, never past the route's limit, and every way a body
 * can be malformed or cut off is a clear 4xx, never a crash. Multi-file uploads and the upload byte budget.
 */
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestPlatform, type TestPlatform } from "@alchemist/local/testing/platform";

let platform: TestPlatform;
let kbId: string;

beforeAll(async () => {
  platform = await startTestPlatform({
    RATE_LIMIT_PER_KEY: "0",
    RATE_LIMIT_PER_TENANT: "0",
    MAX_UPLOAD_FILES: "50",
    MAX_UPLOAD_BYTES: String(4 * 1024 * 1024),
  });
  const res = await platform.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Bodies" } });
  kbId = ((await res.json()) as { id: string }).id;
});
afterAll(async () => {
  await platform?.close();
});

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** Milliseconds from the first byte sent to the status line. */
  readonly ms: number;
}

/**
 * Sends `head` and then `body` over a raw socket and resolves with the response as soon as its headers and
 * body have arrived (or the server closes). `keepOpen` leaves the socket open after sending, as a client
 * still "uploading" would: the answer must come without the rest of the body.
 */
function rawRequest(
  head: string,
  body: Buffer | string = "",
  options: { keepOpen?: boolean } = {},
): Promise<RawAnswer> {
  const url = new URL(platform.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(url.port), url.hostname);
    const started = performance.now();
    let received = "";
    let answered = false;
    const answer = () => {
      if (answered) return;
      const end = received.indexOf("\r\n\r\n");
      if (end < 0) return;
      const headText = received.slice(0, end);
      const length = /content-length:\s*(\d+)/i.exec(headText)?.[1];
      const bodyText = received.slice(end + 4);
      if (length !== undefined && Buffer.byteLength(bodyText) < Number(length)) return;
      answered = true;
      socket.destroy();
      resolve({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(headText)?.[1]),
        head: headText,
        body: bodyText,
        ms: performance.now() - started,
      });
    };
    socket.on("data", (d: Buffer) => {
      received += d.toString("utf8");
      answer();
    });
    socket.on("end", answer);
    socket.on("error", (e) => (answered ? undefined : reject(e)));
    socket.write(head);
    socket.write(body, () => {
      if (!options.keepOpen) socket.end();
    });
  });
}

const hostHeader = (): string => new URL(platform.url).host;

async function healthy(): Promise<void> {
  const res = await platform.fetch("/health", { key: null });
  expect(res.status).toBe(200);
}

describe("multipart bodies", () => {
  it("answers a body cut off inside a file part with 400 and keeps serving", async () => {
    const body = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello';
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data; boundary=XX" },
      body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /^Malformed multipart body: /,
    );
    await healthy();
  });

  it("survives a client that disconnects in the middle of a file", async () => {
    const part = '--XX\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhello';
    await new Promise<void>((resolve) => {
      const url = new URL(platform.url);
      const socket = net.connect(Number(url.port), url.hostname, () => {
        socket.write(
          `POST /v1/knowledge-bases/${kbId}/documents HTTP/1.1\r\nHost: ${hostHeader()}\r\n` +
            `Authorization: Bearer ${platform.keys.owner}\r\nContent-Type: multipart/form-data; boundary=XX\r\n` +
            `Content-Length: 100000\r\n\r\n${part}`,
          () => setTimeout(() => socket.destroy(), 50),
        );
      });
      socket.on("close", () => resolve());
      socket.on("error", () => resolve());
    });
    await healthy();
  });

  it("refuses a bad boundary and a missing file field with clear messages", async () => {
    const noBoundary = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "x",
    });
    expect(noBoundary.status).toBe(400);
    expect(await noBoundary.text()).toContain("Malformed multipart body");

    const form = new FormData();
    form.set("tags", "a,b");
    const noFile = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      body: form,
    });
    expect(noFile.status).toBe(400);
    expect(await noFile.text()).toContain("no 'file' field");
  });

  it("accepts several files in one request, one result per file, and says which were refused", async () => {
    const form = new FormData();
    form.append("files", new Blob(["Parking is free for employees."]), "parking.md");
    form.append("files", new Blob(["Lunch is served at noon."]), "lunch.txt");
    form.append("files", new Blob([new Uint8Array([0x89, 0x50, 0x4e, 0x47, 1, 2, 3])]), "photo.png");
    form.set("tags", "Facilities");
    const res = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, { method: "POST", body: form });
    expect(res.status).toBe(207);
    const json = (await res.json()) as {
      accepted: number;
      refused: number;
      results: { fileName: string; document?: { name: string; tags: string[] }; error?: { code: string } }[];
    };
    expect(json.accepted).toBe(2);
    expect(json.refused).toBe(1);
    expect(json.results.map((r) => r.fileName)).toEqual(["parking.md", "lunch.txt", "photo.png"]);
    expect(json.results[0]?.document).toMatchObject({ name: "parking.md", tags: ["facilities"] });
    expect(json.results[2]?.error?.code).toBe("unsupported-media-type");

    const allGood = new FormData();
    allGood.append("files", new Blob(["Badges are renewed yearly."]), "badges.md");
    const ok = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      body: allGood,
    });
    expect(ok.status).toBe(202);
    expect(((await ok.json()) as { accepted: number }).accepted).toBe(1);
  });

  it("refuses more files than allowed, a mix of 'file' and 'files', and over-long file names", async () => {
    const many = new FormData();
    for (let i = 0; i < 51; i++) many.append("files", new Blob([`note ${i}`]), `n${i}.txt`);
    const tooMany = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      body: many,
    });
    expect(tooMany.status).toBe(413);
    expect(await tooMany.text()).toContain("at most 50 files");

    const mixed = new FormData();
    mixed.append("file", new Blob(["a"]), "a.txt");
    mixed.append("files", new Blob(["b"]), "b.txt");
    const both = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      body: mixed,
    });
    expect(both.status).toBe(400);

    const long = new FormData();
    long.append("file", new Blob(["a"]), `${"x".repeat(300)}.txt`);
    const longName = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`, {
      method: "POST",
      body: long,
    });
    expect(longName.status).toBe(400);
    expect(await longName.text()).toContain("the limit is 255");

    // Nothing of the refused requests was stored.
    const docs = await platform.fetch(`/v1/knowledge-bases/${kbId}/documents`);
    const names = ((await docs.json()) as { documents: { name: string }[] }).documents.map((d) => d.name);
    expect(names.filter((n) => /^n\d+\.txt$|^a\.txt$|^b\.txt$|^x+\.txt$/.test(n))).toEqual([]);
  });

  it("refuses an upload larger than the limit without reading all of it", async () => {
    const answer = await rawRequest(
      `POST /v1/knowledge-bases/${kbId}/documents HTTP/1.1\r\nHost: ${hostHeader()}\r\n` +
        `Authorization: Bearer ${platform.keys.owner}\r\nContent-Type: multipart/form-data; boundary=XX\r\n` +
        `Content-Length: ${64 * 1024 * 1024}\r\n\r\n`,
      "--XX\r\n",
      { keepOpen: true },
    );
    expect(answer.status).toBe(413);
    expect(answer.body).toContain("payload-too-large");
  });
});

describe("bodies are read after routing and authentication", () => {
  it("answers an unauthenticated request without waiting for its 24 MB body", async () => {
    const answer = await rawRequest(
      `POST /v1/agents HTTP/1.1\r\nHost: ${hostHeader()}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${24 * 1024 * 1024}\r\n\r\n`,
      `{"name":"${"x".repeat(1000)}`,
      { keepOpen: true },
    );
    expect(answer.status).toBe(401);
    expect(answer.head.toLowerCase()).toContain("connection: close");
  });

  it("answers an unknown route and a forbidden one without reading the body", async () => {
    const unknown = await rawRequest(
      `POST /v1/nothing-here HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${platform.keys.owner}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${24 * 1024 * 1024}\r\n\r\n`,
      "{",
      { keepOpen: true },
    );
    expect(unknown.status).toBe(404);
    const forbidden = await rawRequest(
      `POST /v1/agents HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${platform.keys.viewer}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${24 * 1024 * 1024}\r\n\r\n`,
      "{",
      { keepOpen: true },
    );
    expect(forbidden.status).toBe(403);
  });

  it("refuses a JSON body over the JSON limit from its declared length, and a chunked one while streaming", async () => {
    const declared = await rawRequest(
      `POST /v1/agents HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${platform.keys.owner}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${5 * 1024 * 1024}\r\n\r\n`,
      "{",
      { keepOpen: true },
    );
    expect(declared.status).toBe(413);
    expect(declared.body).toContain("The JSON body is 5242880 bytes; the limit is 1048576 bytes");

    const chunk = Buffer.alloc(256 * 1024, "x");
    const chunks = Array.from(
      { length: 6 },
      () => `${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n`,
    ).join("");
    const chunked = await rawRequest(
      `POST /v1/agents HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${platform.keys.owner}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      chunks,
      { keepOpen: true },
    );
    expect(chunked.status).toBe(413);
    expect(chunked.body).toContain("The JSON body exceeds the limit of 1048576 bytes");
    await healthy();
  });

  it("still reads a JSON body in full when it is within the limit, chunked or not", async () => {
    const json = JSON.stringify({ name: "Chunked agent", knowledgeBaseIds: [] });
    const answer = await rawRequest(
      `POST /v1/agents HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${platform.keys.owner}\r\n` +
        `Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`,
      `${Buffer.byteLength(json).toString(16)}\r\n${json}\r\n0\r\n\r\n`,
    );
    expect(answer.status).toBe(201);
  });

  it("refuses a callable's oversized body only after its credential, and never reads it for a stranger", async () => {
    const path = `/${platform.deps.config.projectId}/us-central1/agents-converse`;
    const stranger = await rawRequest(
      `POST ${path} HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer alk_not-a-key-at-all\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${24 * 1024 * 1024}\r\n\r\n`,
      "{",
      { keepOpen: true },
    );
    expect(stranger.status).toBe(401);
    const tooBig = await rawRequest(
      `POST ${path} HTTP/1.1\r\nHost: ${hostHeader()}\r\nAuthorization: Bearer ${platform.keys.owner}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${24 * 1024 * 1024}\r\n\r\n`,
      "{",
      { keepOpen: true },
    );
    expect(tooBig.status).toBe(413);
  });
});

describe("paths", () => {
  it("answers a malformed percent escape with 400, on API and emulator URLs alike", async () => {
    for (const path of [
      "/v1/agents/%",
      "/v1/agents/%E0%A4%A",
      "/v1/knowledge-bases/%zz/documents",
      `/${platform.deps.config.projectId}/us-central1/api/v1/agents/%`,
    ]) {
      const res = await platform.fetch(path);
      expect(res.status, path).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code, path).toBe("invalid-argument");
    }
  });
});

describe("the upload budget", () => {
  let budgeted: TestPlatform;
  let budgetedKb: string;
  beforeAll(async () => {
    budgeted = await startTestPlatform({
      // One request a minute per key: uploads must not be counted as requests.
      RATE_LIMIT_PER_KEY: "1",
      RATE_LIMIT_PER_KEY_BURST: "2",
      RATE_LIMIT_PER_TENANT: "0",
      RATE_LIMIT_UPLOAD_MB_PER_MINUTE: "1",
      RATE_LIMIT_UPLOAD_MB_BURST: "1",
      MAX_UPLOAD_BYTES: String(512 * 1024),
    });
    const res = await budgeted.fetch("/v1/knowledge-bases", { method: "POST", json: { name: "Budget" } });
    budgetedKb = ((await res.json()) as { id: string }).id;
  });
  afterAll(async () => {
    await budgeted?.close();
  });

  it("charges uploads by size, not by request, and answers 429 with Retry-After when the bytes run out", async () => {
    // 1 MB of budget: eight small files in one request cost 8 x 64 KB, well within it...
    const form = new FormData();
    for (let i = 0; i < 8; i++) form.append("files", new Blob([`Room ${i} seats ten.`]), `room-${i}.txt`);
    const first = await budgeted.fetch(`/v1/knowledge-bases/${budgetedKb}/documents`, {
      method: "POST",
      body: form,
    });
    expect(first.status).toBe(202);
    // ...and so do three more single-file requests, though the key has one request a minute left.
    for (let i = 0; i < 3; i++) {
      const one = new FormData();
      one.append("file", new Blob([`Desk ${i} faces the window.`]), `desk-${i}.txt`);
      const res = await budgeted.fetch(`/v1/knowledge-bases/${budgetedKb}/documents`, {
        method: "POST",
        body: one,
      });
      expect(res.status, `upload ${i}`).toBe(202);
    }
    // 512 KB more does not fit in what is left of the megabyte.
    const big = new FormData();
    big.append("file", new Blob([Buffer.alloc(500 * 1024, "a")]), "big.txt");
    const refused = await budgeted.fetch(`/v1/knowledge-bases/${budgetedKb}/documents`, {
      method: "POST",
      body: big,
    });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^[1-9]\d*$/);
    expect(await refused.text()).toContain("this tenant's uploads");
  });
});
