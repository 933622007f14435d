import { isIPv4, isIPv6 } from "node:net";

/**
 * The key a client address is counted under. An IPv4 address is itself (an IPv4-mapped IPv6 address is the IPv4
 * one); an IPv6 address is its /64 network, because one subscriber is handed a whole /64 and could otherwise take a
 * fresh address, and a fresh allowance, for every call. Anything else (no address: a direct invocation) is "unknown".
 */
export function clientAddressKey(sourceIp: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(sourceIp)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (isIPv4(sourceIp)) return sourceIp;
  if (!isIPv6(sourceIp)) return "unknown";
  return `${expandIPv6(sourceIp).slice(0, 4).join(":")}::/64`;
}

/** The eight groups of an IPv6 address, "::" expanded, without leading zeros. */
function expandIPv6(address: string): string[] {
  const [head = "", tail] = address.toLowerCase().split("::");
  const groups = (part: string) => (part === "" ? [] : part.split(":"));
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const middle = Array.from({ length: 8 - left.length - right.length }, () => "0");
  return [...left, ...middle, ...right].map((group) => (Number.parseInt(group, 16) || 0).toString(16));
}
