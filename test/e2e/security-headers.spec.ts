import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request as httpsRequest, Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, TestApp } from '../harness/app';

/**
 * The headers every answer carries (src/common/security-headers.ts and helmet in src/app.ts):
 * a CSP without 'unsafe-inline', Permissions-Policy with camera and microphone off,
 * Referrer-Policy no-referrer; Strict-Transport-Security only when the request came over TLS,
 * directly or through a trusted proxy's X-Forwarded-Proto.
 */
function getTls(port: number, path: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('security headers', () => {
  describe('over plain HTTP, no trusted proxy', () => {
    let t: TestApp & { dropDb: () => Promise<void> };
    beforeAll(async () => {
      t = await startApp();
    });
    afterAll(async () => {
      await t?.close();
      await t?.dropDb();
    });

    it.each(['/health', '/api/centers', '/api/docs', '/api/docs/openapi.json', '/no-such-route'])(
      'should send a CSP without unsafe-inline, Permissions-Policy and no-referrer on %s',
      async (path) => {
        const res = await t.http().get(path);
        const csp = String(res.headers['content-security-policy']);
        expect(csp).toMatch(/style-src 'self'/);
        expect(csp).toMatch(/script-src 'self'(;|$)/);
        expect(csp).not.toContain('unsafe-inline');
        expect(csp).toMatch(/object-src 'none'/);
        expect(res.headers['permissions-policy']).toMatch(/(^|, )camera=\(\)/);
        expect(res.headers['permissions-policy']).toMatch(/(^|, )microphone=\(\)/);
        expect(res.headers['permissions-policy']).toMatch(/(^|, )geolocation=\(\)/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['strict-transport-security']).toBeUndefined();
      },
    );

    it("should allow the API docs' inline styles by hash only", async () => {
      const res = await t.http().get('/api/docs').expect(200);
      const csp = String(res.headers['content-security-policy']);
      const styles = /style-src ([^;]+)/.exec(csp)![1]!.split(' ');
      expect(styles[0]).toBe("'self'");
      for (const s of styles.slice(1)) expect(s).toMatch(/^'(sha256-[A-Za-z0-9+/]+=*|unsafe-hashes)'$/);
      expect(styles.length).toBeGreaterThan(2);
    });

    it('should not send HSTS when an untrusted peer claims X-Forwarded-Proto: https', async () => {
      const res = await t.http().get('/health').set('X-Forwarded-Proto', 'https').expect(200);
      expect(res.headers['strict-transport-security']).toBeUndefined();
    });
  });

  describe('behind a trusted proxy', () => {
    let t: TestApp & { dropDb: () => Promise<void> };
    beforeAll(async () => {
      t = await startApp({ env: { TRUSTED_PROXIES: '127.0.0.1/32,::1' } });
    });
    afterAll(async () => {
      await t?.close();
      await t?.dropDb();
    });

    it('should send HSTS when the proxy says the request came over TLS, and not otherwise', async () => {
      const tls = await t.http().get('/health').set('X-Forwarded-Proto', 'https').expect(200);
      expect(tls.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      const plain = await t.http().get('/health').set('X-Forwarded-Proto', 'http').expect(200);
      expect(plain.headers['strict-transport-security']).toBeUndefined();
      const none = await t.http().get('/health').expect(200);
      expect(none.headers['strict-transport-security']).toBeUndefined();
    });
  });

  describe('over TLS directly', () => {
    let t: TestApp & { dropDb: () => Promise<void> };
    let server: Server;
    beforeAll(async () => {
      t = await startApp();
      const dir = mkdtempSync(join(tmpdir(), 'lotse-tls-'));
      execFileSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=127.0.0.1',
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ],
        {
          stdio: 'ignore',
        },
      );
      const express = t.app.getHttpAdapter().getInstance() as Parameters<typeof createServer>[1];
      server = createServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) }, express);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    });
    afterAll(async () => {
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await t?.close();
      await t?.dropDb();
    });

    it('should send HSTS on an answer over TLS', async () => {
      const headers = await getTls((server.address() as AddressInfo).port, '/health');
      expect(headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(headers['permissions-policy']).toMatch(/camera=\(\)/);
    });
  });
});
