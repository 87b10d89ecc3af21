/**
 * Where an outbound request may go. A URL is parsed the way the request will be made (WHATWG URL, which
 * turns `0x7f000001`, `2130706433` or `0177.0.0.1` into `127.0.0.1`), checked against the operator's
 * allow-list, and its host resolved; every address it resolves to must be public (addresses.ts). The
 * caller then connects to the vetted address only, so a second DNS answer cannot move the request
 * somewhere else (DNS rebinding).
 */
import net from "node:net";
import { AppError } from "../errors.js";
import { describeRefusal, refusedAddress } from "./addresses.js";

export interface EgressPolicy {
  /**
   * Host names requests may go to (`*.example.com` matches any name below example.com); `undefined`
   * lets requests go to any public host. Listed hosts must still resolve to public addresses.
   */
  readonly allowedHosts: readonly string[] | undefined;
  /** Local development: loopback addresses (127.0.0.0/8, ::1) may be called too. Nothing else inside. */
  readonly allowLoopback: boolean;
}

export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/** Every address a host name resolves to (the system resolver, as `dns.lookup` with `all: true`). */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

export interface Destination {
  readonly url: URL;
  /** The host as a name or a bare IP address (no brackets, no trailing dot). */
  readonly host: string;
  readonly port: number;
  /** The address to connect to, vetted. */
  readonly address: string;
  readonly family: 4 | 6;
}

/** DNS errors that mean the name has no address (as opposed to a resolver that could not be reached). */
const noSuchHost = new Set(["ENOTFOUND", "ENODATA", "EAI_NONAME", "EAI_NODATA"]);

const hostPattern =
  /^(\*\.)?([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

/**
 * The operator's allow-list, one entry per comma: host names, `*.example.com` wildcards, or IP addresses.
 * Throws on an entry that is none of these, so a typo cannot silently block (or open) everything.
 */
export function parseAllowedHosts(text: string): string[] {
  const entries = text
    .split(",")
    .map((e) => e.trim().toLowerCase().replace(/\.$/, ""))
    .filter((e) => e !== "");
  for (const entry of entries) {
    const bare = entry.replace(/^\[(.*)\]$/, "$1");
    if (!net.isIP(bare) && !hostPattern.test(entry)) {
      throw new Error(
        `"${entry}" is not a host name, a *.example.com wildcard or an IP address (no scheme, port or path)`,
      );
    }
  }
  return [...new Set(entries.map((e) => e.replace(/^\[(.*)\]$/, "$1")))];
}

export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((entry) =>
    // `*.example.com` covers every name below example.com, not example.com itself.
    entry.startsWith("*.") ? host.endsWith(entry.slice(1)) : host === entry,
  );
}

const refusedBy = (message: string, details: Record<string, unknown>): AppError =>
  new AppError("permission-denied", message, { egress: "refused", ...details });

function allowListText(allowed: readonly string[]): string {
  const shown = allowed.slice(0, 10).join(", ");
  return allowed.length > 10 ? `${shown} and ${allowed.length - 10} more` : shown;
}

/** The URL as requests will see it, and its host; throws on anything but a plain http(s) URL. */
export function parseDestinationUrl(raw: string | URL): { url: URL; host: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new AppError("invalid-argument", `"${String(raw).slice(0, 200)}" is not a valid URL`, {
      egress: "invalid",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new AppError(
      "invalid-argument",
      `only http:// and https:// URLs can be called, not ${url.protocol}`,
      {
        egress: "invalid",
      },
    );
  }
  // Brackets around IPv6 literals and a trailing dot (`localhost.`) are spelling, not a different host.
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (host === "") throw new AppError("invalid-argument", "the URL has no host", { egress: "invalid" });
  return { url, host };
}

/**
 * Checks a URL against the policy and resolves it to one address to connect to. Refusals are
 * `permission-denied`; a host with no DNS record is `invalid-argument` (details.egress "unresolved"); a
 * resolver that does not answer is `unavailable`.
 */
export async function vetDestination(
  raw: string | URL,
  policy: EgressPolicy,
  resolve: Resolver,
): Promise<Destination> {
  const { url, host } = parseDestinationUrl(raw);
  if (policy.allowedHosts !== undefined && !hostAllowed(host, policy.allowedHosts)) {
    throw refusedBy(
      `${host} is not one of the hosts this platform may call (${allowListText(policy.allowedHosts) || "none"})`,
      { host },
    );
  }
  const port = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  const literal = net.isIP(host);
  let addresses: readonly ResolvedAddress[];
  if (literal !== 0) {
    addresses = [{ address: host, family: literal as 4 | 6 }];
  } else {
    try {
      addresses = await resolve(host);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? "";
      if (noSuchHost.has(code)) {
        throw new AppError("invalid-argument", `the host ${host} does not resolve (no DNS record)`, {
          egress: "unresolved",
        });
      }
      throw new AppError("unavailable", `the host ${host} could not be looked up (${code || "DNS error"})`, {
        egress: "dns",
      });
    }
    if (addresses.length === 0) {
      throw new AppError("invalid-argument", `the host ${host} does not resolve (no DNS record)`, {
        egress: "unresolved",
      });
    }
  }
  // Every answer must be acceptable, not just the first: which one a connection uses is not ours to pick
  // once the name leaves our hands, and a mixed answer is the shape of a rebinding attempt.
  for (const { address } of addresses) {
    const refused = refusedAddress(address);
    if (!refused) continue;
    if (refused.kind === "loopback" && policy.allowLoopback) continue;
    // A name's internal address is not echoed back: saying which range is enough to act on, and the
    // address itself would map the operator's internal DNS for whoever asks.
    const subject =
      literal !== 0
        ? `${host} is ${describeRefusal(refused, true)}`
        : `${host} resolves to ${describeRefusal(refused, false)}`;
    throw refusedBy(`${subject}; only public internet hosts may be called`, {
      host,
      kind: refused.kind,
      range: refused.range,
    });
  }
  const first = addresses[0] as ResolvedAddress;
  return { url, host, port, address: first.address, family: first.family };
}
