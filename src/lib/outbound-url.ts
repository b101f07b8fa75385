import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";

/** Loopback, private, link-local, carrier-grade NAT, multicast and other non-public ranges. */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 127],
  ["64:ff9b::", 96],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  NON_PUBLIC.addSubnet(network, prefix, "ipv6");
}

/** True for an IP address that is not publicly routable (loopback, private, link-local...). */
export function isNonPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return NON_PUBLIC.check(address, "ipv4");
  const mapped = mappedIpv4(address);
  return mapped ? NON_PUBLIC.check(mapped, "ipv4") : NON_PUBLIC.check(address, "ipv6");
}

/** The IPv4 address inside an IPv4-mapped IPv6 address (`::ffff:7f00:1`, `::ffff:127.0.0.1`), if it is one. */
function mappedIpv4(address: string): string | null {
  const match = /^(?:0{0,4}:){0,5}:?ffff:(.+)$/i.exec(address);
  if (!match?.[1]) return null;
  const rest = match[1];
  if (isIP(rest) === 4) return rest;
  const groups = /^([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(rest);
  if (!groups) return null;
  const high = Number.parseInt(groups[1] as string, 16);
  const low = Number.parseInt(groups[2] as string, 16);
  return [high >> 8, high & 255, low >> 8, low & 255].join(".");
}

/**
 * Why `url` may not be called on a caller's behalf, or null when it may: it must be http(s), and
 * unless `allowPrivate` its host must be public, by its literal address or by every address its
 * name resolves to (so `localhost` and names pointing inside the network are refused too).
 */
export async function outboundUrlProblem(url: string, allowPrivate: boolean): Promise<string | null> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "must be an absolute URL";
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return "must be an http or https URL";
  if (parsed.username || parsed.password) return "must not contain credentials";
  if (allowPrivate) return null;
  const host = parsed.hostname.replace(/^\[|\]$/g, "");
  if (isIP(host)) return isNonPublicAddress(host) ? privateProblem(host) : null;
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch {
    return `host ${host} does not resolve`;
  }
  const inside = addresses.find((entry) => isNonPublicAddress(entry.address));
  return inside ? privateProblem(`${host} (${inside.address})`) : null;
}

function privateProblem(host: string): string {
  return `points to a private or loopback address ${host}; set outbound.allowPrivate: true in wfd.yaml to allow it`;
}
