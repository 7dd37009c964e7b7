import { BlockList, isIP } from 'node:net';

/**
 * The caller's address behind the proxies named in TRUSTED_PROXIES (IPs or CIDRs), the same for
 * REST (Express' `trust proxy`) and Socket.IO: X-Forwarded-For is read only while the hop in hand
 * is one of them, from the right, so a caller cannot choose its own address (and rate-limit
 * identity) by sending the header. With no trusted proxy the direct peer is the address.
 */
export type ProxyTrust = (address: string) => boolean;

/** `::ffff:10.0.0.1` is the IPv4 peer 10.0.0.1 (dual-stack sockets). */
export function plainAddress(address: string): string {
  const m = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(address);
  return m ? m[1]! : address;
}

export function compileProxyTrust(entries: readonly string[]): ProxyTrust {
  if (entries.length === 0) return () => false;
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, prefix] = entry.split('/') as [string, string | undefined];
    const type = isIP(ip) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) list.addAddress(ip, type);
    else list.addSubnet(ip, Number(prefix), type);
  }
  return (address: string) => {
    const plain = plainAddress(address);
    const family = isIP(plain);
    return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
  };
}

/** The nearest hop of X-Forwarded-For that is not a trusted proxy (or the peer itself). */
export function forwardedAddress(peer: string, forwardedFor: string | string[] | undefined, trust: ProxyTrust): string {
  let address = plainAddress(peer);
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  if (!header) return address;
  const hops = header
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  while (trust(address) && hops.length > 0) address = plainAddress(hops.pop()!);
  return address;
}
