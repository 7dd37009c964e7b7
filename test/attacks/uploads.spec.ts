import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { cleanPdf, documentJavaScriptPdf, escapedJavaScriptPdf, javaScriptPdf, launchPdf } from '../factories/pdfs';
import { type Actor, as, assignedThread, freshClient, freshStaff } from './actors';
import { dbCount } from './db';
import { ownCenter } from './hostile';
import { chunk, partHead, rawRequest, uploadHead } from './raw-http';
import { address, server } from './server';

/**
 * Upload attacks (docs/security.md, "Uploads"): polyglots, PDFs with script or actions, file names
 * that try to leave the data directory, uploads that are far too large (answered before the body is
 * read) and uploads that trickle (cut after a window, while everybody else is answered).
 */

const MAX = 1024 * 1024;
let slug = '';
let admin: Actor;
let counselor: Actor;
let client: Actor;
let threadId = '';

const codeOf = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;
const upload = (bytes: Buffer, filename = 'brief.pdf') =>
  as(client.token).post(`/api/threads/${threadId}/documents`).attach('file', bytes, { filename, contentType: 'application/pdf' });
const documentCount = () => Promise.resolve(dbCount('SELECT COUNT(*) AS n FROM documents'));

/** A minimal stored ZIP (one file) — appended to a PDF it makes a PDF+ZIP polyglot. */
function zipBytes(name: string, content: string): Buffer {
  const data = deflateRawSync(Buffer.from(content));
  const n = Buffer.from(name);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4);
  local.writeUInt16LE(8, 8);
  local.writeUInt32LE(data.length, 18);
  local.writeUInt32LE(content.length, 22);
  local.writeUInt16LE(n.length, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 6);
  central.writeUInt16LE(8, 10);
  central.writeUInt32LE(data.length, 20);
  central.writeUInt32LE(content.length, 24);
  central.writeUInt16LE(n.length, 28);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(46 + n.length, 12);
  end.writeUInt32LE(30 + n.length + data.length, 16);
  return Buffer.concat([local, n, data, central, n, end]);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('upload attacks', () => {
  beforeAll(async () => {
    const own = await ownCenter('uploads');
    slug = own.slug;
    admin = own.admin;
    counselor = await freshStaff(slug, admin);
    client = await freshClient(slug);
    threadId = await assignedThread(slug, admin, client, counselor);
    await as(admin.token)
      .patch(`/api/centers/${slug}/settings`)
      .send({ documentMaxBytes: MAX, documentDailyQuota: 1000, documentDailyBytes: 1024 * MAX })
      .expect(200);
  });

  describe('polyglots and active content are refused as UNSUPPORTED_MEDIA_TYPE', () => {
    const cases: [string, () => Promise<Buffer>][] = [
      ['an HTML page that carries a PDF (HTML first)', async () => Buffer.concat([Buffer.from('<html><script>alert(1)</script>'), await cleanPdf()])],
      [
        'a PDF with an HTML page after %%EOF (PDF+HTML)',
        async () => Buffer.concat([await cleanPdf(), Buffer.from('\n<html><body><script>alert(1)</script></body></html>\n')]),
      ],
      ['a PDF with a ZIP archive after %%EOF (PDF+ZIP)', async () => Buffer.concat([await cleanPdf(), zipBytes('payload.exe', 'MZ hidden program')])],
      ['an /OpenAction that runs /JavaScript', () => javaScriptPdf()],
      ['/JavaScript hidden in a compressed object stream', () => javaScriptPdf({ objectStreams: true })],
      ['/JavaScript written with a name escape (/J#61vaScript)', () => escapedJavaScriptPdf()],
      ['document-level JavaScript in the name tree', () => documentJavaScriptPdf()],
      ['an /OpenAction /Launch of a program', () => launchPdf()],
    ];
    it.each(cases)('should refuse %s and store nothing', async (_, make) => {
      const before = await documentCount();
      const res = await upload(await make(), 'polyglot.pdf');
      expect([res.status, codeOf(res.body)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
      expect(await documentCount()).toBe(before);
    });
  });

  describe('file names never leave the data directory and are stored cleaned', () => {
    const cases: [string, string, string][] = [
      ['a path traversal', '../../etc/passwd.pdf', 'passwd.pdf'],
      ['a Windows path traversal', '..\\..\\windows\\win.ini.pdf', 'win.ini.pdf'],
      ['an absolute path', '/var/lib/lotse/lotse.sqlite.pdf', 'lotse.sqlite.pdf'],
      ['a URL-encoded traversal (kept as text)', '%2e%2e%2f%2e%2e%2fx.pdf', '%2e%2e%2f%2e%2e%2fx.pdf'],
      ['a name without .pdf', 'rechnung.exe', 'rechnung.exe.pdf'],
      ['a dot file', '.htaccess', 'htaccess.pdf'],
    ];
    it.each(cases)('should store %s as a plain name', async (_, raw, stored) => {
      const res = await upload(await cleanPdf(), raw);
      expect(res.status).toBe(201);
      expect((res.body as { name: string }).name).toBe(stored);
      const down = await as(client.token)
        .get(`/api/documents/${(res.body as { id: string }).id}`)
        .buffer(true);
      expect(down.headers['content-disposition']).toMatch(/^attachment; filename="[^"\\/\r\n]*"; filename\*=UTF-8''[^/\\\s]+$/);
      expect(down.headers['x-content-type-options']).toBe('nosniff');
      expect(down.headers['content-type']).toBe('application/pdf');
    });

    it('should refuse a name with a NUL byte as VALIDATION_FAILED and store nothing', async () => {
      const before = await documentCount();
      const res = await upload(await cleanPdf(), 'brief\u0000.exe.pdf');
      expect([res.status, codeOf(res.body)]).toEqual([400, 'VALIDATION_FAILED']);
      expect(await documentCount()).toBe(before);
    });

    it('should cut a 300-character name to 200 characters ending in .pdf', async () => {
      const res = await upload(await cleanPdf(), `${'ä'.repeat(300)}.pdf`);
      expect(res.status).toBe(201);
      const name = (res.body as { name: string }).name;
      expect([...name].length).toBe(200);
      expect(name.endsWith('.pdf')).toBe(true);
    });

    it('should write no file named after an upload anywhere in the data directory', () => {
      const names = filesUnder(server().dataDir).map((p) => p.slice(server().dataDir.length));
      expect(names.filter((n) => /passwd|win\.ini|htaccess|rechnung|polyglot|brief/i.test(n))).toEqual([]);
    });
  });

  describe('too large', () => {
    it('should answer 413 to a declared 200 MB upload before reading the body, and close the connection', async () => {
      const started = Date.now();
      const req = rawRequest(uploadHead(`/api/threads/${threadId}/documents`, client.token, address(), 200 * MAX));
      req.write(partHead('huge.pdf'));
      req.write(Buffer.alloc(16 * 1024, 0x20));
      const answer = await req.answer;
      expect(answer.status).toBe(413);
      expect(codeOf(JSON.parse(answer.body))).toBe('PAYLOAD_TOO_LARGE');
      expect(answer.at - started).toBeLessThan(3000);
      expect(answer.headers).toMatch(/connection: close/i);
      // the server cuts the connection; it never waits for the 200 MB
      expect((await req.closed) - started).toBeLessThan(5000);
    });

    it('should answer 413 to an endless chunked upload once it passes the limit, having read little more than the limit', async () => {
      const req = rawRequest(uploadHead(`/api/threads/${threadId}/documents`, client.token, address(), 'chunked'));
      req.write(chunk(partHead('endless.pdf')));
      let answered = false;
      void req.answer.then(() => (answered = true));
      const piece = chunk(Buffer.alloc(64 * 1024, 0x20));
      const deadline = Date.now() + 15_000;
      while (!answered && !req.socket.destroyed && Date.now() < deadline && req.sent() < 50 * MAX) {
        if (!req.write(piece)) await new Promise((r) => req.socket.once('drain', r).once('close', r));
      }
      const answer = await req.answer;
      expect(answer.status).toBe(413);
      expect(codeOf(JSON.parse(answer.body))).toBe('PAYLOAD_TOO_LARGE');
      // the kernel buffers some of what we wrote: the server itself stopped at the limit
      expect(req.sent()).toBeLessThan(MAX + 8 * MAX);
      req.end();
    });
  });

  it('should cut uploads that trickle a few bytes a second within 15 s while other requests keep their answer times', async () => {
    const started = Date.now();
    const tricklers = Array.from({ length: 8 }, () => {
      const req = rawRequest(uploadHead(`/api/threads/${threadId}/documents`, client.token, address(), 'chunked'));
      req.write(chunk(partHead('slow.pdf')));
      return req;
    });
    const drip = setInterval(() => tricklers.forEach((t) => t.write(chunk('%'))), 300);
    const times: number[] = [];
    let cut = 0;
    try {
      const done = Promise.all(tricklers.map((t) => t.closed)).then(() => (cut = Date.now()));
      while (!cut && Date.now() - started < 20_000) {
        const t0 = Date.now();
        await as(counselor.token).get(`/api/threads/${threadId}/posts?afterSeq=0`).expect(200);
        times.push(Date.now() - t0);
        await new Promise((r) => setTimeout(r, 250));
      }
      await done;
    } finally {
      clearInterval(drip);
      tricklers.forEach((t) => t.end());
    }
    expect(cut - started).toBeLessThan(15_000);
    const answers = await Promise.all(tricklers.map((t) => Promise.race([t.answer, new Promise<null>((r) => setTimeout(() => r(null), 10))])));
    for (const a of answers) expect(a && [a.status, codeOf(JSON.parse(a.body))]).toEqual([400, 'VALIDATION_FAILED']);
    expect(times.length).toBeGreaterThan(10);
    expect(Math.max(...times)).toBeLessThan(1000);
  });
});
