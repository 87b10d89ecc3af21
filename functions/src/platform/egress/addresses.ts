/**
 * Which IP addresses an outbound request may reach: public unicast only. Everything in the IANA
 * special-purpose registries that is not globally reachable is refused (loopback, private, link-local
 * where cloud metadata services answer, carrier-grade NAT, unique local IPv6, multicast, unspecified,
 * broadcast and reserved space, documentation and benchmarking ranges), and so is any IPv6 form that
 * carries one of those IPv4 addresses inside it (IPv4-mapped and -compatible, NAT64, 6to4), since the
 * operating system or a translator on the way delivers those to the IPv4 address.
 * https://www.iana.org/assignments/iana-ipv4-special-registry and .../iana-ipv6-special-registry
 */
import net from "node:net";

export type RefusedKind =
  | "loopback"
  | "private"
  | "link-local"
  | "carrier-grade NAT"
  | "unique local"
  | "multicast"
  | "unspecified"
  | "broadcast"
  | "reserved"
  | "documentation"
  | "benchmarking";

export interface RefusedAddress {
  readonly kind: RefusedKind;
  /** The range it falls in, e.g. `10.0.0.0/8`. */
  readonly range: string;
  /** For an IPv4 address carried in an IPv6 one: the form, e.g. `an IPv4-mapped IPv6 address (::ffff:0:0/96)`. */
  readonly embeddedIn?: string;
  /** The IPv4 address carried inside, when there is one. */
  readonly embedded?: string;
}

interface Range {
  readonly base: bigint;
  readonly bits: number;
  readonly kind: RefusedKind;
  readonly range: string;
}

function v4Range(cidr: string, kind: RefusedKind): Range {
  const [base, bits] = cidr.split("/") as [string, string];
  return { base: BigInt(v4ToNumber(base) as number), bits: Number(bits), kind, range: cidr };
}

function v6Range(cidr: string, kind: RefusedKind): Range {
  const [base, bits] = cidr.split("/") as [string, string];
  return { base: v6ToBigInt(base) as bigint, bits: Number(bits), kind, range: cidr };
}

// Most specific first: the first match names the range.
const ipv4Ranges: readonly Range[] = [
  v4Range("0.0.0.0/8", "unspecified"), // "this network": 0.0.0.0 reaches the local host on Linux
  v4Range("10.0.0.0/8", "private"),
  v4Range("100.64.0.0/10", "carrier-grade NAT"),
  v4Range("127.0.0.0/8", "loopback"),
  v4Range("169.254.0.0/16", "link-local"), // 169.254.169.254: AWS, GCP and Azure metadata services
  v4Range("172.16.0.0/12", "private"),
  v4Range("192.0.0.0/24", "reserved"), // IETF protocol assignments (DS-Lite, NAT64 discovery…)
  v4Range("192.0.2.0/24", "documentation"),
  v4Range("192.88.99.0/24", "reserved"), // the retired 6to4 relay anycast
  v4Range("192.168.0.0/16", "private"),
  v4Range("198.18.0.0/15", "benchmarking"),
  v4Range("198.51.100.0/24", "documentation"),
  v4Range("203.0.113.0/24", "documentation"),
  v4Range("224.0.0.0/4", "multicast"),
  v4Range("255.255.255.255/32", "broadcast"),
  v4Range("240.0.0.0/4", "reserved"),
];

const ipv6Ranges: readonly Range[] = [
  v6Range("::/128", "unspecified"),
  v6Range("::1/128", "loopback"),
  v6Range("64:ff9b:1::/48", "reserved"), // local-use NAT64: translated inside a private network
  v6Range("100::/64", "reserved"), // discard-only
  v6Range("2001::/23", "reserved"), // IETF protocol assignments, Teredo (2001::/32) among them
  v6Range("2001:db8::/32", "documentation"),
  v6Range("3fff::/20", "documentation"),
  v6Range("fc00::/7", "unique local"),
  v6Range("fe80::/10", "link-local"),
  v6Range("fec0::/10", "reserved"), // site-local, deprecated
  v6Range("ff00::/8", "multicast"),
];

/** IPv6 forms that carry an IPv4 address in their low (or, for 6to4, high) bits. */
const embeddings: readonly { range: Range; label: string; extract: (v: bigint) => bigint }[] = [
  {
    range: v6Range("::ffff:0:0/96", "reserved"),
    label: "an IPv4-mapped IPv6 address (::ffff:0:0/96)",
    extract: (v) => v & 0xffffffffn,
  },
  {
    range: v6Range("::ffff:0:0:0/96", "reserved"),
    label: "an IPv4-translated IPv6 address (::ffff:0:0:0/96)",
    extract: (v) => v & 0xffffffffn,
  },
  {
    range: v6Range("64:ff9b::/96", "reserved"),
    label: "a NAT64 address (64:ff9b::/96)",
    extract: (v) => v & 0xffffffffn,
  },
  {
    range: v6Range("2002::/16", "reserved"),
    label: "a 6to4 address (2002::/16)",
    extract: (v) => (v >> 80n) & 0xffffffffn,
  },
];

/** IPv4-compatible IPv6 (::a.b.c.d), deprecated: never a destination, but name what it carries. */
const compatible = v6Range("::/96", "reserved");

const inRange = (value: bigint, r: Range, width: number): boolean =>
  value >> BigInt(width - r.bits) === r.base >> BigInt(width - r.bits);

function v4ToNumber(address: string): number | undefined {
  if (net.isIPv4(address) === false) return undefined;
  return address.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

const numberToV4 = (n: bigint): string =>
  [24n, 16n, 8n, 0n].map((shift) => String((n >> shift) & 0xffn)).join(".");

/** An IPv6 address (with an optional zone, and an optional dotted IPv4 tail) as a 128-bit number. */
function v6ToBigInt(address: string): bigint | undefined {
  const plain = address.split("%")[0] ?? "";
  if (!net.isIPv6(plain)) return undefined;
  let text = plain;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted?.[1]) {
    const n = v4ToNumber(dotted[1]) as number;
    text = `${text.slice(0, -dotted[1].length)}${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headGroups = head === "" ? [] : head.split(":");
  const tailGroups = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups =
    tail === undefined
      ? headGroups
      : [...headGroups, ...Array<string>(8 - headGroups.length - tailGroups.length).fill("0"), ...tailGroups];
  return groups.reduce((v, g) => (v << 16n) | BigInt(parseInt(g, 16)), 0n);
}

function classifyV4(n: bigint): Range | undefined {
  return ipv4Ranges.find((r) => inRange(n, r, 32));
}

/**
 * Why an address may not be called, or `undefined` for a public unicast address. Anything that is not
 * an IP address is refused as reserved: callers resolve names first.
 */
export function refusedAddress(address: string): RefusedAddress | undefined {
  const v4 = v4ToNumber(address);
  if (v4 !== undefined) {
    const r = classifyV4(BigInt(v4));
    return r && { kind: r.kind, range: r.range };
  }
  const v6 = v6ToBigInt(address);
  if (v6 === undefined) return { kind: "reserved", range: "not an IP address" };
  for (const e of embeddings) {
    if (!inRange(v6, e.range, 128)) continue;
    const inner = e.extract(v6);
    const r = classifyV4(inner);
    return r && { kind: r.kind, range: r.range, embeddedIn: e.label, embedded: numberToV4(inner) };
  }
  const direct = ipv6Ranges.find((r) => inRange(v6, r, 128));
  if (direct) return { kind: direct.kind, range: direct.range };
  if (inRange(v6, compatible, 128)) {
    const inner = v6 & 0xffffffffn;
    const r = classifyV4(inner);
    return {
      kind: r?.kind ?? "reserved",
      range: r?.range ?? "::/96",
      embeddedIn: "an IPv4-compatible IPv6 address (::/96, deprecated)",
      embedded: numberToV4(inner),
    };
  }
  // Only 2000::/3 is allocated as global unicast; the rest of the space is reserved.
  if (v6 >> 125n !== 1n) return { kind: "reserved", range: "outside 2000::/3 (global unicast)" };
  return undefined;
}

const kindPhrase: Record<RefusedKind, string> = {
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  "carrier-grade NAT": "a carrier-grade NAT address",
  "unique local": "a unique local address",
  multicast: "a multicast address",
  unspecified: "an unspecified address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
  documentation: "a documentation address",
  benchmarking: "a benchmarking address",
};

/**
 * `a private address (10.0.0.0/8)`, or with the carried address shown:
 * `127.0.0.1, a loopback address (127.0.0.0/8), carried in a NAT64 address (64:ff9b::/96)`.
 */
export function describeRefusal(r: RefusedAddress, showEmbedded: boolean): string {
  const what = `${kindPhrase[r.kind]} (${r.range})`;
  if (!r.embeddedIn) return what;
  return showEmbedded && r.embedded
    ? `${r.embedded}, ${what}, carried in ${r.embeddedIn}`
    : `${what} carried in ${r.embeddedIn}`;
}
