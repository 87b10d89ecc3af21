/**
 * Which platform serves the studio, decided once at start (main.tsx). Firebase Hosting reserves the URLs
 * under `/__/` and answers `/__/firebase/init.json` with the web app's config, deployed and in the Hosting
 * emulator alike (https://firebase.google.com/docs/hosting/reserved-urls, "SDK auto-configuration"): when it
 * answers with a config, the studio is in Firebase mode. The local runtime answers `{"alchemist":{"mode":
 * "local"}}` there (local/src/runtime/host.ts), so local mode is said outright and the studio's first request
 * is no 404 for the browser to log as an error; `vite dev` forwards the URL to the local runtime
 * (vite.config.ts). Anything else (a 404, a page, no answer) still means local mode.
 *
 * This module is in the first bundle, so it imports nothing of the Firebase SDK: Firebase mode loads it
 * afterwards (start.ts, a dynamic import).
 */
import { emulators as emulatorPorts } from "../../../../firebase.json";
import { isRecord } from "../platform";

export const firebaseInitPath = "/__/firebase/init.json";

/** The web app's config as Hosting serves it (what `initializeApp` takes). */
export interface FirebaseWebConfig {
  readonly apiKey: string;
  readonly projectId: string;
  readonly authDomain?: string;
  readonly storageBucket?: string;
  readonly appId?: string;
  readonly messagingSenderId?: string;
}

export interface EmulatorAddress {
  readonly host: string;
  readonly port: number;
}

/** Where the Firebase emulators listen, when the studio is served by `firebase emulators:start`. */
export interface EmulatorHosts {
  readonly auth: EmulatorAddress;
  readonly firestore: EmulatorAddress;
  readonly storage: EmulatorAddress;
  readonly functions: EmulatorAddress;
}

/** The local runtime's answer at {@link firebaseInitPath} (local/src/runtime/host.ts `localModeInit`). */
export const localModeInit = { alchemist: { mode: "local" } } as const;

export type StudioMode =
  | { readonly kind: "local" }
  | {
      readonly kind: "firebase";
      readonly config: FirebaseWebConfig;
      /** Set when the page comes from the Hosting emulator: every SDK then talks to the emulators. */
      readonly emulators: EmulatorHosts | undefined;
    };

const optionalKeys = ["authDomain", "storageBucket", "appId", "messagingSenderId"] as const;

/**
 * The config in an init.json body, or `undefined` when it is not one. `apiKey` and `projectId` are what the
 * SDK cannot start without; the Hosting emulator of a `demo-*` project serves no `appId`, so none is required.
 */
export function parseFirebaseWebConfig(body: unknown): FirebaseWebConfig | undefined {
  if (!isRecord(body)) return undefined;
  const { apiKey, projectId } = body;
  if (typeof apiKey !== "string" || apiKey === "" || typeof projectId !== "string" || projectId === "") {
    return undefined;
  }
  const config: { -readonly [K in keyof FirebaseWebConfig]: FirebaseWebConfig[K] } = { apiKey, projectId };
  for (const key of optionalKeys) {
    const value = body[key];
    if (typeof value === "string" && value !== "") config[key] = value;
  }
  return config;
}

const loopbackHosts = ["localhost", "127.0.0.1"];

/**
 * The emulators to use for a page served from `hostname`. The rule: in Firebase mode, a page on a loopback
 * host (`localhost`, `127.0.0.1`) comes from the Hosting emulator, so Auth, Firestore, Storage and Functions
 * are the emulators too, on the same host name and at the ports firebase.json gives them (firebase-tools
 * listens on every address of `localhost`). Any other host is a deployed site: production services.
 */
export function emulatorHostsFor(hostname: string): EmulatorHosts | undefined {
  if (!loopbackHosts.includes(hostname)) return undefined;
  const at = (port: number): EmulatorAddress => ({ host: hostname, port });
  return {
    auth: at(emulatorPorts.auth.port),
    firestore: at(emulatorPorts.firestore.port),
    storage: at(emulatorPorts.storage.port),
    functions: at(emulatorPorts.functions.port),
  };
}

/** Long enough for a slow CDN answer; a platform that never answers is not Firebase Hosting. */
const detectTimeoutMs = 10_000;

/** Whether an init.json body is the local runtime's: `{"alchemist":{"mode":"local"}}`. */
export function isLocalModeInit(body: unknown): boolean {
  return isRecord(body) && isRecord(body.alchemist) && body.alchemist.mode === localModeInit.alchemist.mode;
}

/**
 * Asks the origin for Hosting's init.json. The local runtime's answer means local mode, a Firebase web
 * config (an API key and a project) Firebase mode; anything else (a 404, index.html from a fallback, an
 * empty body from an emulator that could not fetch the config, no answer) means local mode too.
 */
export async function detectStudioMode(
  options: {
    readonly fetch?: typeof fetch;
    readonly hostname?: string;
    readonly timeoutMs?: number;
  } = {},
): Promise<StudioMode> {
  const request = options.fetch ?? ((input, init) => fetch(input, init));
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), options.timeoutMs ?? detectTimeoutMs);
  try {
    const response = await request(firebaseInitPath, {
      headers: { Accept: "application/json" },
      signal: controller.signal,
    });
    const type = response.headers.get("content-type") ?? "";
    if (!response.ok || !type.includes("json")) return { kind: "local" };
    const body: unknown = await response.json();
    if (isLocalModeInit(body)) return { kind: "local" };
    const config = parseFirebaseWebConfig(body);
    if (!config) return { kind: "local" };
    return {
      kind: "firebase",
      config,
      emulators: emulatorHostsFor(options.hostname ?? window.location.hostname),
    };
  } catch {
    return { kind: "local" };
  } finally {
    clearTimeout(timer);
  }
}
