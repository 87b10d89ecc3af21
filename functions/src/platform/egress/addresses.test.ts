import { describe, expect, it } from "vitest";
import { describeRefusal, refusedAddress, type RefusedKind } from "./addresses.js";

describe("refusedAddress", () => {
  const refused: [string, RefusedKind, string][] = [
    ["127.0.0.1", "loopback", "127.0.0.0/8"],
    ["127.255.255.254", "loopback", "127.0.0.0/8"],
    ["10.0.0.5", "private", "10.0.0.0/8"],
    ["172.16.0.1", "private", "172.16.0.0/12"],
    ["172.31.255.255", "private", "172.16.0.0/12"],
    ["192.168.1.1", "private", "192.168.0.0/16"],
    ["169.254.169.254", "link-local", "169.254.0.0/16"],
    ["100.64.0.1", "carrier-grade NAT", "100.64.0.0/10"],
    ["100.127.255.255", "carrier-grade NAT", "100.64.0.0/10"],
    ["0.0.0.0", "unspecified", "0.0.0.0/8"],
    ["0.1.2.3", "unspecified", "0.0.0.0/8"],
    ["224.0.0.1", "multicast", "224.0.0.0/4"],
    ["239.255.255.250", "multicast", "224.0.0.0/4"],
    ["255.255.255.255", "broadcast", "255.255.255.255/32"],
    ["240.0.0.1", "reserved", "240.0.0.0/4"],
    ["192.0.0.170", "reserved", "192.0.0.0/24"],
    ["192.88.99.1", "reserved", "192.88.99.0/24"],
    ["192.0.2.1", "documentation", "192.0.2.0/24"],
    ["198.51.100.7", "documentation", "198.51.100.0/24"],
    ["203.0.113.9", "documentation", "203.0.113.0/24"],
    ["198.18.0.1", "benchmarking", "198.18.0.0/15"],
    ["198.19.255.255", "benchmarking", "198.18.0.0/15"],
    ["::", "unspecified", "::/128"],
    ["::1", "loopback", "::1/128"],
    ["0:0:0:0:0:0:0:1", "loopback", "::1/128"],
    ["fe80::1", "link-local", "fe80::/10"],
    ["fe80::1%eth0", "link-local", "fe80::/10"],
    ["febf::1", "link-local", "fe80::/10"],
    ["fc00::1", "unique local", "fc00::/7"],
    ["fd12:3456:789a::1", "unique local", "fc00::/7"],
    ["fec0::1", "reserved", "fec0::/10"],
    ["ff02::1", "multicast", "ff00::/8"],
    ["2001:db8::1", "documentation", "2001:db8::/32"],
    ["3fff::1", "documentation", "3fff::/20"],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", "reserved", "2001::/23"], // Teredo
    ["64:ff9b:1::a00:1", "reserved", "64:ff9b:1::/48"],
    ["100::1", "reserved", "100::/64"],
    ["4000::1", "reserved", "outside 2000::/3 (global unicast)"],
    ["::8.8.8.8", "reserved", "::/96"],
  ];
  it.each(refused)("refuses %s as %s", (address, kind, range) => {
    expect(refusedAddress(address)).toMatchObject({ kind, range });
  });

  const embedded: [string, RefusedKind, string, string][] = [
    ["::ffff:127.0.0.1", "loopback", "127.0.0.1", "IPv4-mapped"],
    ["::ffff:7f00:1", "loopback", "127.0.0.1", "IPv4-mapped"],
    ["::ffff:a9fe:a9fe", "link-local", "169.254.169.254", "IPv4-mapped"],
    ["::ffff:10.1.2.3", "private", "10.1.2.3", "IPv4-mapped"],
    ["::ffff:0:a00:1", "private", "10.0.0.1", "IPv4-translated"],
    ["::127.0.0.1", "loopback", "127.0.0.1", "IPv4-compatible"],
    ["64:ff9b::7f00:1", "loopback", "127.0.0.1", "NAT64"],
    ["64:ff9b::169.254.169.254", "link-local", "169.254.169.254", "NAT64"],
    ["2002:7f00:1::", "loopback", "127.0.0.1", "6to4"],
    ["2002:c0a8:101::1", "private", "192.168.1.1", "6to4"],
  ];
  it.each(embedded)("refuses %s: %s %s carried in %s", (address, kind, inner, form) => {
    const r = refusedAddress(address);
    expect(r).toMatchObject({ kind, embedded: inner });
    expect(r?.embeddedIn).toContain(form);
  });

  it.each([
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "172.32.0.1",
    "100.128.0.1",
    "192.169.0.1",
    "2606:4700:4700::1111",
    "2a00:1450:4007:80e::200e",
    "::ffff:8.8.8.8",
    "64:ff9b::808:808",
    "2002:808:808::1",
  ])("lets the public address %s through", (address) => {
    expect(refusedAddress(address)).toBeUndefined();
  });

  it("refuses anything that is not an IP address", () => {
    for (const text of ["localhost", "127.1", "0x7f000001", "2130706433", "", "1.2.3.4.5", "[::1]"]) {
      expect(refusedAddress(text), text).toMatchObject({ kind: "reserved" });
    }
  });

  it("describes a refusal in words, showing a carried address only when asked", () => {
    expect(describeRefusal(refusedAddress("10.0.0.5")!, true)).toBe("a private address (10.0.0.0/8)");
    const nat64 = refusedAddress("64:ff9b::7f00:1")!;
    expect(describeRefusal(nat64, true)).toBe(
      "127.0.0.1, a loopback address (127.0.0.0/8), carried in a NAT64 address (64:ff9b::/96)",
    );
    expect(describeRefusal(nat64, false)).toBe(
      "a loopback address (127.0.0.0/8) carried in a NAT64 address (64:ff9b::/96)",
    );
  });
});
