import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { NextFunction, Request, Response } from 'express';

/**
 * Browser features no Lotse page uses are switched off for the page and everything it frames. The
 * video rooms open Jitsi in a tab of its own (camera and microphone are Jitsi's, not ours); the
 * video room page copies its invitation link (clipboard-write on our own origin).
 */
export const PERMISSIONS_POLICY = [
  'accelerometer=()',
  'autoplay=()',
  'camera=()',
  'clipboard-read=()',
  'clipboard-write=(self)',
  'display-capture=()',
  'fullscreen=(self)',
  'geolocation=()',
  'gyroscope=()',
  'hid=()',
  'idle-detection=()',
  'magnetometer=()',
  'microphone=()',
  'midi=()',
  'payment=()',
  'picture-in-picture=()',
  'publickey-credentials-get=()',
  'screen-wake-lock=()',
  'serial=()',
  'usb=()',
  'xr-spatial-tracking=()',
].join(', ');

/** One year, subdomains included; sent only on answers to requests that came over TLS. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Permissions-Policy on every answer; Strict-Transport-Security only when the request came over
 * TLS: directly, or through a trusted proxy that says so in X-Forwarded-Proto (`req.secure` follows
 * the app's `trust proxy`, i.e. TRUSTED_PROXIES). Over plain HTTP the header would be ignored by
 * browsers anyway, and a local installation on http://localhost must not be pinned to https.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Permissions-Policy', PERMISSIONS_POLICY);
  if (req.secure) res.setHeader('Strict-Transport-Security', HSTS);
  next();
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * The CSP of a page whose HTML comes from a library with inline styles (the API docs, Swagger UI):
 * the same strict policy, with exactly those inline styles allowed by their hashes (`<style>`
 * elements, and `style="…"` attributes through 'unsafe-hashes'): never 'unsafe-inline'.
 */
export function hashedStylesCsp(html: string, runtimeStyles: string[] = []): string {
  const blocks = [...[...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => m[1]!), ...runtimeStyles].map(sha256);
  const attributes = [...html.matchAll(/\sstyle="([^"]*)"/gi)].map((m) => sha256(m[1]!));
  const styles = [...new Set(blocks), ...(attributes.length > 0 ? ["'unsafe-hashes'", ...new Set(attributes)] : [])];
  return [
    "default-src 'self'",
    "script-src 'self'",
    `style-src 'self' ${styles.join(' ')}`.trim(),
    "img-src 'self' data:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** For the HTML answers under `prefix` (the API docs page): the CSP with the hashes of what it sends. */
export function hashedStylesCspFor(prefix: string, runtimeStyles: string[] = []) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' || (req.path !== prefix && req.path !== `${prefix}/`)) return next();
    const send = res.send.bind(res);
    res.send = (body?: unknown) => {
      if (typeof body === 'string' && /^\s*(<!--[\s\S]*?-->\s*)?<!doctype html/i.test(body))
        res.setHeader('Content-Security-Policy', hashedStylesCsp(body, runtimeStyles));
      return send(body);
    };
    next();
  };
}

/**
 * The `<style>` elements Swagger UI's scripts create at run time (its logo is an SVG with a style
 * element), read from the installed swagger-ui-dist so that an upgrade brings its own hashes.
 */
export function swaggerRuntimeStyles(): string[] {
  try {
    return ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js'].flatMap((f) =>
      [...readFileSync(require.resolve(`swagger-ui-dist/${f}`), 'utf8').matchAll(/createElement\("style",null,"([^"\\]*)"\)/g)].map((m) => m[1]!),
    );
  } catch {
    return [];
  }
}
