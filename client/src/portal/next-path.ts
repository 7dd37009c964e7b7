/**
 * The `?next=` return path after login, if it is safe: a path of this site under `/c/<center>/`
 * (never another origin, `//host`, a backslash trick or `..` out of the center), and not one of the
 * sign-in pages themselves. Anything else: null (the caller goes to the role's home).
 */
export function safeNext(next: string | null | undefined, center: string, origin: string): string | null {
  if (!next || !next.startsWith('/')) return null;
  let url: URL;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  const prefix = `/c/${encodeURIComponent(center)}/`;
  if (url.origin !== origin || !url.pathname.startsWith(prefix)) return null;
  if (/^\/c\/[^/]+\/(login|register|reset)\/?$/.test(url.pathname)) return null;
  return url.pathname + url.search;
}
