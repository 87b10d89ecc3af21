/**
 * The egress adapter against real sockets: a local HTTP server stands for "inside the network" (and, with
 * the loopback switch, for a public host), and an injected resolver plays DNS, so names can resolve to
 * anything, and differently from one lookup to the next.
 */
import http from "node:http";
import net, { type AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../config.js";
import { AppError } from "../errors.js";
import type { Egress, EgressRequest } from "../ports.js";
import {
  hostAllowed,
  parseAllowedHosts,
  type EgressPolicy,
  type ResolvedAddress,
  type Resolver,
} from "./destination.js";
import { defaultMaxBodyBytes, maxRedirects, nodeEgress } from "./node-egress.js";

interface Seen {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

let server: http.Server;
let port: number;
let connections = 0;
const seen: Seen[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
      const url = new URL(req.url ?? "/", "http://x");
      const to = url.searchParams.get("to");
      switch (url.pathname) {
        case "/secret":
          res.writeHead(200, { "content-type": "application/json" }).end('{"secret":"internal-only"}');
          return;
        case "/echo":
          res
            .writeHead(200, { "content-type": "application/json" })
            .end(JSON.stringify({ method: req.method, headers: req.headers, body }));
          return;
        case "/redirect":
          res
            .writeHead(Number(url.searchParams.get("status") ?? 302), { location: to ?? "/echo" })
            .end("moved");
          return;
        case "/loop":
          res.writeHead(302, { location: "/loop" }).end();
          return;
        case "/bytes": {
          const size = Number(url.searchParams.get("n"));
          res.writeHead(200, { "content-type": "application/octet-stream" }).end(Buffer.alloc(size, 97));
          return;
        }
        case "/trickle": {
          // Headers at once, then a byte now and then, forever: a slow-loris answer.
          res.writeHead(200, { "content-type": "text/plain" });
          const timer = setInterval(() => res.write("."), 20);
          res.on("close", () => clearInterval(timer));
          return;
        }
        case "/silent":
          return; // never answers
        default:
          res.writeHead(404).end("no such page");
      }
    });
  });
  server.on("connection", () => connections++);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** DNS as the test says: each name's answers, taken in turn (the last one repeats). */
function fakeDns(
  answers: Record<string, (readonly ResolvedAddress[] | Error)[]>,
): Resolver & { lookups: string[] } {
  const lookups: string[] = [];
  const calls = new Map<string, number>();
  const resolve = async (host: string) => {
    lookups.push(host);
    const list = answers[host];
    if (!list) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    const n = calls.get(host) ?? 0;
    calls.set(host, n + 1);
    const answer = list[Math.min(n, list.length - 1)] as readonly ResolvedAddress[] | Error;
    if (answer instanceof Error) throw answer;
    return answer;
  };
  return Object.assign(resolve, { lookups });
}

const v4 = (address: string): ResolvedAddress => ({ address, family: 4 });
const v6 = (address: string): ResolvedAddress => ({ address, family: 6 });

const strict: EgressPolicy = { allowedHosts: undefined, allowLoopback: false };
const loopbackAllowed: EgressPolicy = { allowedHosts: undefined, allowLoopback: true };

const dns = fakeDns({
  localhost: [[v4("127.0.0.1"), v6("::1")]],
  "metadata.google.internal": [[v4("169.254.169.254")]],
  "127.0.0.1.nip.io": [[v4("127.0.0.1")]],
  "db.corp.example": [[v4("10.0.0.5")]],
  "mixed.example": [[v4("93.184.216.34"), v4("127.0.0.1")]],
  "mapped.example": [[v6("::ffff:127.0.0.1")]],
  "public.example": [[v4("93.184.216.34")]],
});

const get = (url: string, extra: Partial<EgressRequest> = {}): EgressRequest => ({
  method: "GET",
  url,
  timeoutMs: 5000,
  ...extra,
});

async function failure(work: Promise<unknown>): Promise<AppError> {
  try {
    await work;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error("expected a refusal, but the request went through");
}

describe("internal destinations", () => {
  const egress = nodeEgress({ policy: strict, resolve: dns });

  it.each([
    ["http://127.0.0.1:PORT/secret", "loopback"],
    ["http://localhost:PORT/secret", "loopback"],
    ["http://localhost.:PORT/secret", "loopback"],
    ["http://LOCALHOST:PORT/secret", "loopback"],
    ["http://127.0.0.1.:PORT/secret", "loopback"],
    ["http://[::1]:PORT/secret", "loopback"],
    ["http://0x7f000001:PORT/secret", "loopback"],
    ["http://2130706433:PORT/secret", "loopback"],
    ["http://0177.0.0.1:PORT/secret", "loopback"],
    ["http://0x7f.1:PORT/secret", "loopback"],
    ["http://127.1:PORT/secret", "loopback"],
    ["http://%31%32%37.0.0.1:PORT/secret", "loopback"],
    ["http://[::ffff:7f00:1]:PORT/secret", "loopback"],
    ["http://[::ffff:127.0.0.1]:PORT/secret", "loopback"],
    ["http://[0:0:0:0:0:ffff:127.0.0.1]:PORT/secret", "loopback"],
    ["http://[::127.0.0.1]:PORT/secret", "loopback"],
    ["http://[64:ff9b::7f00:1]:PORT/secret", "loopback"],
    ["http://[2002:7f00:1::]:PORT/secret", "loopback"],
    ["http://public.example@127.0.0.1:PORT/secret", "loopback"],
    ["http://public.example:80@127.0.0.1:PORT/secret", "loopback"],
    ["http://127.0.0.1.nip.io:PORT/secret", "loopback"],
    ["http://mapped.example:PORT/secret", "loopback"],
    ["http://mixed.example:PORT/secret", "loopback"],
    ["http://0:PORT/secret", "unspecified"],
    ["http://[::]:PORT/secret", "unspecified"],
    ["http://169.254.169.254/latest/meta-data/", "link-local"],
    ["http://metadata.google.internal/computeMetadata/v1/", "link-local"],
    ["http://[fe80::1]/", "link-local"],
    ["http://10.0.0.5/", "private"],
    ["http://db.corp.example/", "private"],
    ["http://192.168.0.1/", "private"],
    ["http://172.16.5.4/", "private"],
    ["http://100.64.0.1/", "carrier-grade NAT"],
    ["http://[fd00::1]/", "unique local"],
    ["http://224.0.0.1/", "multicast"],
    ["http://[ff02::1]/", "multicast"],
    ["http://255.255.255.255/", "broadcast"],
    ["http://198.51.100.7/", "documentation"],
  ])("refuses %s (%s) at check and at request, without connecting", async (template, kind) => {
    const url = template.replace("PORT", String(port));
    const before = connections;
    const checked = await failure(egress.check(url));
    expect(checked.code).toBe("permission-denied");
    expect(checked.message).toContain(kind);
    expect(checked.message).toMatch(/only public internet hosts may be called/);
    const requested = await failure(egress.request(get(url)));
    expect(requested.code).toBe("permission-denied");
    expect(requested.message).toContain(kind);
    expect(connections).toBe(before);
  });

  it("names the address of a literal but not what a name resolves to", async () => {
    expect((await failure(egress.check("http://10.0.0.5/"))).message).toBe(
      "10.0.0.5 is a private address (10.0.0.0/8); only public internet hosts may be called",
    );
    const named = await failure(egress.check("http://db.corp.example/x"));
    expect(named.message).toBe(
      "db.corp.example resolves to a private address (10.0.0.0/8); only public internet hosts may be called",
    );
    expect(named.message).not.toContain("10.0.0.5");
  });

  it.each(["file:///etc/passwd", "ftp://public.example/", "gopher://127.0.0.1:70/", "not a url", "http://"])(
    "refuses %s as a URL it cannot call",
    async (url) => {
      const e = await failure(egress.check(url));
      expect(e.code).toBe("invalid-argument");
    },
  );

  it("lets a public host pass the check, and a host without DNS record too (requests look it up again)", async () => {
    await expect(egress.check("https://public.example/api")).resolves.toBeUndefined();
    await expect(egress.check("https://no-such-host.example/api")).resolves.toBeUndefined();
    const e = await failure(egress.request(get("https://no-such-host.example/api")));
    expect(e).toMatchObject({
      code: "invalid-argument",
      message: "the host no-such-host.example does not resolve (no DNS record)",
    });
  });
});

describe("the local-development switch", () => {
  const egress = nodeEgress({ policy: loopbackAllowed, resolve: dns });

  it("reaches loopback in any spelling, and nothing else inside", async () => {
    for (const host of ["127.0.0.1", "localhost", "2130706433", "0x7f000001", "[::ffff:7f00:1]"]) {
      const res = await egress.request(get(`http://${host}:${port}/secret`));
      expect(res.status, host).toBe(200);
    }
    for (const url of [
      "http://169.254.169.254/latest/meta-data/",
      "http://10.0.0.5/",
      "http://[fd00::1]/",
      "http://0.0.0.0:1/",
    ]) {
      expect((await failure(egress.request(get(url)))).code, url).toBe("permission-denied");
    }
  });

  it("is off unless ALCHEMIST_EGRESS_ALLOW_LOOPBACK is exactly true", () => {
    const base = { ALCHEMIST_MODE: "local" as const };
    expect(loadConfig(base).egress).toEqual({ allowedHosts: undefined, allowLoopback: false });
    expect(loadConfig({ ...base, ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "true" }).egress.allowLoopback).toBe(true);
    expect(loadConfig({ ...base, ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "false" }).egress.allowLoopback).toBe(
      false,
    );
    expect(() => loadConfig({ ...base, ALCHEMIST_EGRESS_ALLOW_LOOPBACK: "yes" })).toThrow(
      /ALCHEMIST_EGRESS_ALLOW_LOOPBACK/,
    );
  });
});

describe("the operator's allow-list", () => {
  it("parses host names, wildcards and addresses, and refuses anything else", () => {
    expect(parseAllowedHosts(" API.example.com., *.Partner.test ,, 203.0.113.9, [2001:db8::1]")).toEqual([
      "api.example.com",
      "*.partner.test",
      "203.0.113.9",
      "2001:db8::1",
    ]);
    for (const bad of [
      "https://api.example.com",
      "api.example.com:443",
      "api.example.com/v1",
      "*.*.x.com",
      "a b",
    ]) {
      expect(() => parseAllowedHosts(bad), bad).toThrow(/not a host name/);
    }
    expect(() => loadConfig({ ALCHEMIST_MODE: "local", TOOL_ALLOWED_HOSTS: "https://x.com" })).toThrow(
      /TOOL_ALLOWED_HOSTS/,
    );
    expect(
      loadConfig({ ALCHEMIST_MODE: "local", TOOL_ALLOWED_HOSTS: " , " }).egress.allowedHosts,
    ).toBeUndefined();
  });

  it("matches a wildcard below its domain only", () => {
    const list = ["api.example.com", "*.partner.test"];
    expect(hostAllowed("api.example.com", list)).toBe(true);
    expect(hostAllowed("a.partner.test", list)).toBe(true);
    expect(hostAllowed("x.y.partner.test", list)).toBe(true);
    expect(hostAllowed("partner.test", list)).toBe(false);
    expect(hostAllowed("evilpartner.test", list)).toBe(false);
    expect(hostAllowed("www.example.com", list)).toBe(false);
    expect(hostAllowed("api.example.com.evil.test", list)).toBe(false);
  });

  it("lets nothing else through, and never an internal address even when listed", async () => {
    const resolve = fakeDns({
      "api.example.com": [[v4("93.184.216.34")]],
      "a.partner.test": [[v4("93.184.216.35")]],
      "internal.partner.test": [[v4("10.1.2.3")]],
      "www.example.com": [[v4("93.184.216.34")]],
    });
    const egress = nodeEgress({
      policy: { allowedHosts: ["api.example.com", "*.partner.test"], allowLoopback: false },
      resolve,
    });
    await expect(egress.check("https://api.example.com/v1")).resolves.toBeUndefined();
    await expect(egress.check("https://a.partner.test/v1")).resolves.toBeUndefined();
    const other = await failure(egress.check("https://www.example.com/"));
    expect(other).toMatchObject({ code: "permission-denied" });
    expect(other.message).toBe(
      "www.example.com is not one of the hosts this platform may call (api.example.com, *.partner.test)",
    );
    expect(resolve.lookups).not.toContain("www.example.com"); // refused before any DNS lookup
    expect((await failure(egress.check("https://internal.partner.test/"))).message).toMatch(
      /private address/,
    );
  });

  it("applies to loopback too when both are set", async () => {
    const egress = nodeEgress({ policy: { allowedHosts: ["localhost"], allowLoopback: true }, resolve: dns });
    expect((await egress.request(get(`http://localhost:${port}/secret`))).status).toBe(200);
    expect((await failure(egress.request(get(`http://127.0.0.1:${port}/secret`)))).code).toBe(
      "permission-denied",
    );
  });
});

describe("redirects", () => {
  const egress = nodeEgress({ policy: loopbackAllowed, resolve: dns });
  const base = () => `http://127.0.0.1:${port}`;

  it("follows a redirect and answers the final URL", async () => {
    const res = await egress.request(get(`${base()}/redirect?to=${encodeURIComponent("/bytes?n=3")}`));
    expect(res).toMatchObject({ status: 200, url: `${base()}/bytes?n=3`, truncated: false });
    expect(Buffer.from(res.body).toString()).toBe("aaa");
  });

  it.each([
    ["http://169.254.169.254/latest/meta-data/iam/", "link-local"],
    ["http://db.corp.example/admin", "private"],
    ["http://[::ffff:a9fe:a9fe]/latest/meta-data/", "link-local"],
    ["http://2852039166/latest/meta-data/", "link-local"], // 169.254.169.254 as one number
  ])("refuses a redirect to %s (%s)", async (to, kind) => {
    const e = await failure(egress.request(get(`${base()}/redirect?to=${encodeURIComponent(to)}`)));
    expect(e.code).toBe("permission-denied");
    expect(e.message).toContain(kind);
  });

  it(`gives up after ${maxRedirects} redirects`, async () => {
    const before = seen.length;
    const e = await failure(egress.request(get(`${base()}/loop`)));
    expect(e).toMatchObject({
      code: "unavailable",
      message: `it redirected more than ${maxRedirects} times`,
    });
    expect(seen.length - before).toBe(maxRedirects + 1);
  });

  it("turns a POST into a GET without its body on 303, and keeps both on 307", async () => {
    const post = (status: number) =>
      egress.request({
        method: "POST",
        url: `${base()}/redirect?status=${status}&to=%2Fecho`,
        headers: { "content-type": "application/json" },
        body: '{"a":1}',
        timeoutMs: 5000,
      });
    const after303 = JSON.parse(Buffer.from((await post(303)).body).toString()) as {
      method: string;
      body: string;
    };
    expect(after303).toMatchObject({ method: "GET", body: "" });
    const after307 = JSON.parse(Buffer.from((await post(307)).body).toString()) as {
      method: string;
      body: string;
    };
    expect(after307).toMatchObject({ method: "POST", body: '{"a":1}' });
  });

  it("drops credentials when a redirect leaves the origin", async () => {
    const to = encodeURIComponent(`http://localhost:${port}/echo`);
    const res = await egress.request(
      get(`${base()}/redirect?to=${to}`, {
        headers: { authorization: "Bearer tenant-secret", cookie: "s=1" },
      }),
    );
    const echoed = JSON.parse(Buffer.from(res.body).toString()) as { headers: Record<string, string> };
    expect(echoed.headers.authorization).toBeUndefined();
    expect(echoed.headers.cookie).toBeUndefined();
    expect(echoed.headers.host).toBe(`localhost:${port}`);

    const same = await egress.request(
      get(`${base()}/redirect`, { headers: { authorization: "Bearer tenant-secret" } }),
    );
    const kept = JSON.parse(Buffer.from(same.body).toString()) as { headers: Record<string, string> };
    expect(kept.headers.authorization).toBe("Bearer tenant-secret");
  });
});

describe("DNS rebinding", () => {
  it("refuses a host that resolved public when saved and private when called, before connecting", async () => {
    const resolve = fakeDns({ "rebind.example": [[v4("93.184.216.34")], [v4("127.0.0.1")]] });
    const egress = nodeEgress({ policy: strict, resolve });
    const url = `http://rebind.example:${port}/secret`;
    await expect(egress.check(url)).resolves.toBeUndefined();
    const before = connections;
    const e = await failure(egress.request(get(url)));
    expect(e.code).toBe("permission-denied");
    expect(e.message).toBe(
      "rebind.example resolves to a loopback address (127.0.0.0/8); only public internet hosts may be called",
    );
    expect(connections).toBe(before);
  });

  it("connects to the address it vetted, not to a second DNS answer, and keeps the name in Host", async () => {
    // The system resolver knows nothing of pinned.example: the request can only arrive through the
    // address the adapter vetted and handed to the socket.
    const egress = nodeEgress({
      policy: loopbackAllowed,
      resolve: fakeDns({ "pinned.example": [[v4("127.0.0.1")]] }),
    });
    const res = await egress.request(get(`http://pinned.example:${port}/echo`));
    expect(res.status).toBe(200);
    const echoed = JSON.parse(Buffer.from(res.body).toString()) as { headers: Record<string, string> };
    expect(echoed.headers.host).toBe(`pinned.example:${port}`);
    expect(echoed.headers["accept-encoding"]).toBe("identity");
  });
});

describe("TLS", () => {
  it("names the host, not the vetted address, in the handshake (SNI)", async () => {
    // A plain TCP server is enough: the ClientHello, sent in the clear, carries the server name.
    const hello = new Promise<Buffer>((resolve) => {
      const tcp = net.createServer((socket) => {
        socket.once("data", (bytes) => {
          resolve(bytes);
          socket.destroy();
          tcp.close();
        });
      });
      tcp.listen(0, "127.0.0.1", () => {
        const tlsPort = (tcp.address() as AddressInfo).port;
        const egress = nodeEgress({
          policy: loopbackAllowed,
          resolve: fakeDns({ "secure.example": [[v4("127.0.0.1")]] }),
        });
        void egress.request(get(`https://secure.example:${tlsPort}/`)).catch(() => undefined);
      });
    });
    const bytes = await hello;
    expect(bytes[0]).toBe(0x16); // a TLS handshake record
    expect(bytes.includes(Buffer.from("secure.example"))).toBe(true);
    expect(bytes.includes(Buffer.from("127.0.0.1"))).toBe(false);
  });
});

describe("reading the answer", () => {
  const egress: Egress = nodeEgress({ policy: loopbackAllowed, resolve: dns });
  const base = () => `http://127.0.0.1:${port}`;

  it(`cuts the body at the cap (${defaultMaxBodyBytes} bytes by default) and says so`, async () => {
    const big = await egress.request(get(`${base()}/bytes?n=${3 * 1024 * 1024}`));
    expect(big).toMatchObject({ status: 200, truncated: true });
    expect(big.body.length).toBe(defaultMaxBodyBytes);
    const exact = await egress.request(get(`${base()}/bytes?n=10`, { maxBodyBytes: 10 }));
    expect(exact).toMatchObject({ truncated: false });
    expect(exact.body.length).toBe(10);
    const over = await egress.request(get(`${base()}/bytes?n=11`, { maxBodyBytes: 10 }));
    expect(over).toMatchObject({ truncated: true });
    expect(over.body.length).toBe(10);
  });

  it("gives a trickling answer no more than its deadline", async () => {
    const e = await failure(egress.request(get(`${base()}/trickle`, { timeoutMs: 300 })));
    expect(e).toMatchObject({ code: "deadline-exceeded", message: "no complete answer within 300 ms" });
    const silent = await failure(egress.request(get(`${base()}/silent`, { timeoutMs: 300 })));
    expect(silent.code).toBe("deadline-exceeded");
  });

  it("stops when the caller cancels", async () => {
    const controller = new AbortController();
    const pending = egress.request(get(`${base()}/silent`, { signal: controller.signal }));
    setTimeout(() => controller.abort(), 50);
    expect((await failure(pending)).code).toBe("cancelled");
  });

  it("says when nothing listens", async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const e = await failure(egress.request(get(`http://127.0.0.1:${freePort}/`)));
    expect(e).toMatchObject({ code: "unavailable", message: "the connection was refused" });
  });

  it("sends a URL's user name and password as Basic credentials", async () => {
    const res = await egress.request(get(`http://bot:s%40cret@127.0.0.1:${port}/echo`));
    const echoed = JSON.parse(Buffer.from(res.body).toString()) as { headers: Record<string, string> };
    expect(echoed.headers.authorization).toBe(`Basic ${Buffer.from("bot:s@cret").toString("base64")}`);
  });
});
