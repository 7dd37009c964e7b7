import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { ScratchDir } from '../../src/modules/documents/scratch-file';
import { cleanPdf, htmlBytes, javaScriptPdf, PDF_TEXT, pdfOfSize } from '../factories/pdfs';
import { seedCenter, SeededCenter, startApp, TestApp, type Login } from '../harness/app';
import { tempDataDir } from '../harness/env';
import { slowUpload } from '../harness/slow-upload';

const KB = 1024;

/**
 * Uploads wait in encrypted scratch files under <DATA_DIR>/tmp (scratch-file.ts): none outlives its
 * request, whatever the outcome, none holds the plaintext, and a start removes what a dead process left.
 */
describe('upload scratch files', () => {
  const dataDir = tempDataDir();
  const planted = join(dataDir, 'tmp', 'upload-0123456789abcdef0123456789abcdef.part');
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let threadId = '';
  let scratch: ScratchDir;

  const bearer = (who: Login) => `Bearer ${who.token}`;
  const client = () => c.clients[0]!;
  const path = () => `/api/threads/${threadId}/documents`;
  const upload = (bytes: Buffer, filename = 'Brief.pdf') =>
    t.http().post(path()).set('Authorization', bearer(client())).attach('file', bytes, { filename, contentType: 'application/pdf' });
  const code = (res: Response) => (res.body as { error?: { code?: string } }).error?.code;
  const setSettings = (patch: object) => t.http().patch(`/api/centers/${c.slug}/settings`).set('Authorization', bearer(c.admin)).send(patch).expect(200);
  const until = async (what: string, ok: () => boolean, ms = 5000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  beforeAll(async () => {
    // what a killed process left behind
    mkdirSync(join(dataDir, 'tmp'), { recursive: true });
    writeFileSync(planted, 'left by a crash');
    t = await startApp({ dataDir });
    scratch = t.app.get(ScratchDir);
    c = await seedCenter(t, { counselors: 1, clients: 1 });
    const made = await t.http().post('/api/threads').set('Authorization', bearer(client())).send({ subject: 'Frage', body: 'Hallo' }).expect(201);
    threadId = (made.body as { id: string }).id;
    await t.http().post(`/api/threads/${threadId}/assign`).set('Authorization', bearer(c.admin)).send({ counselorId: c.counselors[0]!.id }).expect(200);
    await setSettings({ documentDailyQuota: 1000, documentDailyBytes: 1000 * 1024 * KB });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('should remove the scratch files an earlier process left when it starts, and keep the directory private', () => {
    expect(() => statSync(planted)).toThrow();
    expect(scratch.leftovers()).toEqual([]);
    expect(statSync(scratch.path).mode & 0o777).toBe(0o700);
  });

  it('should leave no scratch file after a stored upload', async () => {
    await upload(await cleanPdf()).expect(201);
    expect(scratch.leftovers()).toEqual([]);
  });

  it('should leave no scratch file after uploads refused as not a PDF, with active content, as two files, or by the inspection', async () => {
    const cases: [Buffer, number, string][] = [
      [htmlBytes(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [Buffer.alloc(0), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [await javaScriptPdf(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ];
    for (const [bytes, status, expected] of cases) {
      const res = await upload(bytes);
      expect([res.status, code(res), scratch.leftovers()]).toEqual([status, expected, []]);
    }
    const pdf = await cleanPdf();
    const two = await t.http().post(path()).set('Authorization', bearer(client())).attach('file', pdf, 'a.pdf').attach('file', pdf, 'b.pdf');
    expect([two.status, code(two), scratch.leftovers()]).toEqual([400, 'VALIDATION_FAILED', []]);
  });

  it('should leave no scratch file after uploads refused as too large while they stream', async () => {
    await setSettings({ documentMaxBytes: 64 * KB });
    try {
      // within the multipart slack: multer's file limit stops it
      const over = await upload(await pdfOfSize(100 * KB));
      expect([over.status, code(over), scratch.leftovers()]).toEqual([413, 'PAYLOAD_TOO_LARGE', []]);
      // chunked, no length declared: the stream guard stops it
      const chunked = slowUpload(t.url, path(), client().token, await pdfOfSize(400 * KB), { chunked: true, piece: 16 * KB, everyMs: 5 });
      const answer = await chunked.answer;
      expect([answer.status, (JSON.parse(answer.body) as { error: { code: string } }).error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      // refused mid-stream the answer goes out at once and the scratch file right behind it (multipart-upload.ts)
      await until('the scratch file of the cut upload to go', () => scratch.leftovers().length === 0);
    } finally {
      await setSettings({ documentMaxBytes: 10 * 1024 * KB });
    }
  });

  it('should keep an upload in flight encrypted on disk (mode 0600) and remove it when the client aborts', async () => {
    const slow = slowUpload(t.url, path(), client().token, await pdfOfSize(2 * 1024 * KB), { piece: 16 * KB, everyMs: 20 });
    await until('a scratch file with data', () => scratch.leftovers().length === 1 && statSync(join(scratch.path, scratch.leftovers()[0]!)).size > 200 * KB);
    const file = join(scratch.path, scratch.leftovers()[0]!);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const raw = readFileSync(file).toString('latin1');
    expect({ text: raw.includes(PDF_TEXT), header: raw.includes('%PDF-') }).toEqual({ text: false, header: false });
    expect(slow.sent()).toBeLessThan(2 * 1024 * KB);
    slow.abort();
    await expect(slow.answer).rejects.toThrow();
    await until('the scratch file to go', () => scratch.leftovers().length === 0);
    // the server goes on taking uploads
    await upload(await cleanPdf()).expect(201);
    expect(scratch.leftovers()).toEqual([]);
  });
});
