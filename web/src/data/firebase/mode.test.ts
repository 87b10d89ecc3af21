import { describe, expect, it, vi } from "vitest";
import firebaseJson from "../../../../firebase.json";
import {
  detectStudioMode,
  emulatorHostsFor,
  firebaseInitPath,
  isLocalModeInit,
  localModeInit,
  parseFirebaseWebConfig,
} from "./mode";

/** What deployed Hosting answers at /__/firebase/init.json for a project with a web app. */
const deployedConfig = {
  apiKey: "AIzaSyD-acme-studio-key",
  authDomain: "acme-alchemist.firebaseapp.com",
  databaseURL: "https://acme-alchemist.firebaseio.com",
  messagingSenderId: "123456789012",
  projectId: "acme-alchemist",
  storageBucket: "acme-alchemist.appspot.com",
  appId: "1:123456789012:web:0a1b2c3d4e5f",
  locationId: "europe-west",
};

/** What the Hosting emulator answers for a `demo-*` project (firebase-tools' constructDefaultWebSetup). */
const demoEmulatorConfig = {
  projectId: "demo-alchemist",
  databaseURL: "https://demo-alchemist.firebaseio.com",
  storageBucket: "demo-alchemist.appspot.com",
  apiKey: "fake-api-key",
  authDomain: "demo-alchemist.firebaseapp.com",
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** A fetch that answers one response for init.json and records what was asked. */
function fetchAnswering(response: () => Response | Promise<Response>) {
  return vi.fn((input: RequestInfo | URL, init?: RequestInit) => {
    expect(String(input)).toBe(firebaseInitPath);
    expect(new Headers(init?.headers).get("Accept")).toBe("application/json");
    return Promise.resolve().then(response);
  });
}

describe("reading Hosting's web app config", () => {
  it("keeps what initializeApp needs and drops what it does not", () => {
    expect(parseFirebaseWebConfig(deployedConfig)).toEqual({
      apiKey: "AIzaSyD-acme-studio-key",
      authDomain: "acme-alchemist.firebaseapp.com",
      messagingSenderId: "123456789012",
      projectId: "acme-alchemist",
      storageBucket: "acme-alchemist.appspot.com",
      appId: "1:123456789012:web:0a1b2c3d4e5f",
    });
  });

  it("accepts the Hosting emulator's config for a demo project, which has no appId", () => {
    expect(parseFirebaseWebConfig(demoEmulatorConfig)).toMatchObject({
      apiKey: "fake-api-key",
      projectId: "demo-alchemist",
      storageBucket: "demo-alchemist.appspot.com",
    });
  });

  it("refuses anything without an API key and a project", () => {
    expect(parseFirebaseWebConfig(undefined)).toBeUndefined();
    expect(parseFirebaseWebConfig("<!doctype html>")).toBeUndefined();
    expect(parseFirebaseWebConfig({ projectId: "acme-alchemist" })).toBeUndefined();
    expect(parseFirebaseWebConfig({ apiKey: "", projectId: "acme-alchemist" })).toBeUndefined();
    expect(parseFirebaseWebConfig({ error: { code: "not-found", message: "No route" } })).toBeUndefined();
  });
});

describe("the local runtime's answer", () => {
  it("is what the local host serves at init.json, word for word", () => {
    expect(JSON.stringify(localModeInit)).toBe('{"alchemist":{"mode":"local"}}');
    expect(isLocalModeInit(JSON.parse('{"alchemist":{"mode":"local"}}'))).toBe(true);
  });

  it("is told from a Firebase config and from anything else", () => {
    expect(isLocalModeInit(deployedConfig)).toBe(false);
    expect(isLocalModeInit(demoEmulatorConfig)).toBe(false);
    expect(isLocalModeInit({ alchemist: { mode: "firebase" } })).toBe(false);
    expect(isLocalModeInit({ alchemist: "local" })).toBe(false);
    expect(isLocalModeInit({ mode: "local" })).toBe(false);
    expect(isLocalModeInit(null)).toBe(false);
    expect(isLocalModeInit("local")).toBe(false);
    expect(parseFirebaseWebConfig(localModeInit)).toBeUndefined();
  });
});

describe("the emulator rule", () => {
  it("connects every SDK to the emulators of firebase.json when the page is on a loopback host", () => {
    const { emulators } = firebaseJson;
    for (const hostname of ["localhost", "127.0.0.1"]) {
      expect(emulatorHostsFor(hostname)).toEqual({
        auth: { host: hostname, port: emulators.auth.port },
        firestore: { host: hostname, port: emulators.firestore.port },
        storage: { host: hostname, port: emulators.storage.port },
        functions: { host: hostname, port: emulators.functions.port },
      });
    }
  });

  it("uses production services on any other host", () => {
    expect(emulatorHostsFor("acme-alchemist.web.app")).toBeUndefined();
    expect(emulatorHostsFor("studio.acme.example")).toBeUndefined();
    expect(emulatorHostsFor("192.168.1.20")).toBeUndefined();
  });
});

describe("detecting the studio's mode", () => {
  it("is Firebase mode, with production services, when deployed Hosting answers the config", async () => {
    const mode = await detectStudioMode({
      fetch: fetchAnswering(() => json(deployedConfig)),
      hostname: "acme-alchemist.web.app",
    });
    expect(mode).toEqual({
      kind: "firebase",
      config: expect.objectContaining({ projectId: "acme-alchemist", apiKey: "AIzaSyD-acme-studio-key" }),
      emulators: undefined,
    });
  });

  it("is Firebase mode on the emulators when the Hosting emulator serves the page", async () => {
    const mode = await detectStudioMode({
      fetch: fetchAnswering(() => json(demoEmulatorConfig)),
      hostname: "127.0.0.1",
    });
    expect(mode).toMatchObject({
      kind: "firebase",
      config: { projectId: "demo-alchemist" },
      emulators: { auth: { host: "127.0.0.1", port: 9099 }, firestore: { host: "127.0.0.1", port: 8080 } },
    });
  });

  it("is local mode when the local runtime says so at init.json", async () => {
    const local = () => json({ alchemist: { mode: "local" } });
    for (const hostname of ["127.0.0.1", "localhost", "studio.acme.example"]) {
      expect(await detectStudioMode({ fetch: fetchAnswering(local), hostname })).toEqual({ kind: "local" });
    }
  });

  it("takes the local runtime's answer as local mode even next to config fields", async () => {
    const both = () => json({ ...demoEmulatorConfig, alchemist: { mode: "local" } });
    expect(await detectStudioMode({ fetch: fetchAnswering(both), hostname: "127.0.0.1" })).toEqual({
      kind: "local",
    });
  });

  it("is still local mode for any other JSON answer, with neither the local runtime's word nor a config", async () => {
    for (const body of [{}, { alchemist: { mode: "firebase" } }, { projectId: "acme-alchemist" }, [], null]) {
      expect(
        await detectStudioMode({ fetch: fetchAnswering(() => json(body)), hostname: "localhost" }),
        JSON.stringify(body),
      ).toEqual({ kind: "local" });
    }
  });

  it("is local mode when the platform answers 404 (a local runtime from before it answered init.json)", async () => {
    const notFound = () =>
      json({ error: { code: "not-found", message: "No route for GET /__/firebase/init.json" } }, 404);
    expect(await detectStudioMode({ fetch: fetchAnswering(notFound), hostname: "127.0.0.1" })).toEqual({
      kind: "local",
    });
  });

  it("is local mode when a server falls back to the studio's page for every path", async () => {
    const page = () =>
      new Response("<!doctype html><div id=root></div>", { headers: { "Content-Type": "text/html" } });
    expect(await detectStudioMode({ fetch: fetchAnswering(page), hostname: "localhost" })).toEqual({
      kind: "local",
    });
  });

  it("is local mode when the Hosting emulator could not fetch a config and answers an empty body", async () => {
    const empty = () => new Response("", { headers: { "Content-Type": "application/json" } });
    expect(await detectStudioMode({ fetch: fetchAnswering(empty), hostname: "localhost" })).toEqual({
      kind: "local",
    });
  });

  it("is local mode when nothing answers", async () => {
    const refused = vi.fn(() => Promise.reject(new TypeError("fetch failed")));
    expect(await detectStudioMode({ fetch: refused, hostname: "localhost" })).toEqual({ kind: "local" });
  });

  it("gives up waiting after its timeout", async () => {
    const hanging = vi.fn(
      (_input: RequestInfo | URL, init?: RequestInit) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(new DOMException("Aborted", "AbortError")));
        }),
    );
    expect(await detectStudioMode({ fetch: hanging, hostname: "localhost", timeoutMs: 20 })).toEqual({
      kind: "local",
    });
  });
});
