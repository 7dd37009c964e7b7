import { isIP } from 'node:net';

/** Checks one TRUSTED_PROXIES entry; null when it is fine, else why not. */
export function proxyEntryProblem(entry: string): string | null {
  const [ip, prefix, extra] = entry.split('/');
  const family = isIP(ip ?? '');
  if (family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR range`;
  if (prefix === undefined) return null;
  const bits = Number(prefix);
  return /^\d{1,3}$/.test(prefix) && bits <= (family === 4 ? 32 : 128) ? null : `"${entry}" has an invalid prefix length`;
}
