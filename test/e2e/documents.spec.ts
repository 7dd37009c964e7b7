import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { DocumentsService } from '../../src/modules/documents/documents.service';
import { login, PASSWORD } from '../factories';
import { cleanPdf, embeddedFilePdf, htmlBytes, javaScriptPdf, PDF_TEXT, pdfOfSize, pngBytes } from '../factories/pdfs';
import { seedCenter, SeededCenter, startApp, TestApp, type Login } from '../harness/app';
import { TestClock } from '../harness/clock';

interface DocView {
  id: string;
  name: string;
  size: number;
}

const MB = 1024 * 1024;

/** Every file under a directory, with its bytes (the SQLite database and its WAL included). */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) for (const [p, b] of filesUnder(path)) out.set(p, b);
    else out.set(path, readFileSync(path));
  }
  return out;
}

/** supertest collects a binary body as a Buffer with this parser, an error as JSON (at run time `res` is the IncomingMessage). */
function binary(res: unknown, cb: (err: Error | null, body: unknown) => void): void {
  const stream = res as NodeJS.ReadableStream & { headers: Record<string, string | undefined> };
  const parts: Buffer[] = [];
  stream.on('data', (c: Buffer) => parts.push(c));
  stream.on('end', () => {
    const body = Buffer.concat(parts);
    cb(null, (stream.headers['content-type'] ?? '').includes('json') ? (JSON.parse(body.toString('utf8')) as unknown) : body);
  });
}

describe('documents (REST)', () => {
  const clock = new TestClock();
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  let ds: DataSource;
  /** client 0 ↔ counselor 0 */
  let threadId: string;

  const bearer = (who: Login) => `Bearer ${who.token}`;
  const upload = (who: Login, thread: string, bytes: Buffer, filename = 'Brief.pdf', contentType = 'application/pdf') =>
    t.http().post(`/api/threads/${thread}/documents`).set('Authorization', bearer(who)).attach('file', bytes, { filename, contentType });
  const download = (who: Login, id: string) => t.http().get(`/api/documents/${id}`).set('Authorization', bearer(who)).buffer(true).parse(binary);
  const post = (who: Login, thread: string, body: object) => t.http().post(`/api/threads/${thread}/posts`).set('Authorization', bearer(who)).send(body);
  const code = (res: Response) => (res.body as { error?: { code?: string } }).error?.code;
  const countWhere = async (sql: string, params: unknown[] = []): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql, params))[0]?.n);
  const count = (table: string) => countWhere(`SELECT COUNT(*) AS n FROM ${table}`);
  const stored = async () => ({
    documents: await count('documents'),
    chunks: await count('document_chunks'),
    files: [...filesUnder(t.config.dataDir).keys()].sort(),
  });
  const setSettings = (patch: object) => t.http().patch(`/api/centers/${c.slug}/settings`).set('Authorization', bearer(c.admin)).send(patch).expect(200);

  /** Moves the clock (sessions last 12 hours by that clock) and logs everybody in again. */
  async function advance(ms: number): Promise<void> {
    clock.advance(ms);
    for (const center of [c])
      for (const who of [center.admin, ...center.counselors, ...center.clients]) Object.assign(who, await login(t, center.slug, who.login, who.password));
  }

  /** A client's enquiry, assigned to the counselor: an open 1:1 thread of the two. */
  async function openThread(center: SeededCenter, client: Login, counselor: Login): Promise<string> {
    const made = await t.http().post('/api/threads').set('Authorization', bearer(client)).send({ subject: 'Frage', body: 'Hallo' }).expect(201);
    const id = (made.body as { id: string }).id;
    await t.http().post(`/api/threads/${id}/assign`).set('Authorization', bearer(center.admin)).send({ counselorId: counselor.id }).expect(200);
    return id;
  }

  beforeAll(async () => {
    t = await startApp({ clock });
    ds = t.app.get(DataSource);
    c = await seedCenter(t, { counselors: 2, clients: 3 });
    other = await seedCenter(t, { counselors: 1, clients: 1 });
    threadId = await openThread(c, c.clients[0]!, c.counselors[0]!);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  it('should store a PDF, attach it to the next post and give the client the same bytes with safe headers', async () => {
    const pdf = await cleanPdf();
    const up = await upload(c.counselors[0]!, threadId, pdf, 'Befund März.pdf').expect(201);
    const doc = up.body as DocView;
    expect(doc).toEqual({ id: expect.any(String) as string, name: 'Befund März.pdf', size: pdf.length });

    const sent = await post(c.counselors[0]!, threadId, { body: 'Anbei der Befund', clientPostId: 'doc-1', documentIds: [doc.id] }).expect(201);
    const posts = await t.http().get(`/api/threads/${threadId}/posts?afterSeq=0`).set('Authorization', bearer(c.clients[0]!)).expect(200);
    const mine = (posts.body as { posts: { id: string; documents: DocView[] }[] }).posts.find((p) => p.id === (sent.body as { id: string }).id);
    expect(mine?.documents).toEqual([doc]);

    const res = await download(c.clients[0]!, doc.id).expect(200);
    expect(Buffer.compare(res.body as Buffer, pdf)).toBe(0);
    expect(res.headers['content-type']).toBe('application/pdf');
    expect(res.headers['content-disposition']).toBe(`attachment; filename="Befund M_rz.pdf"; filename*=UTF-8''Befund%20M%C3%A4rz.pdf`);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-length']).toBe(String(pdf.length));
  });

  it('should let only the uploader download a document when no post has taken it yet', async () => {
    const doc = (await upload(c.clients[0]!, threadId, await cleanPdf('unattached')).expect(201)).body as DocView;
    await download(c.clients[0]!, doc.id).expect(200);
    const res = await download(c.counselors[0]!, doc.id).expect(404);
    expect(code(res)).toBe('NOT_FOUND');
  });

  it('should refuse a post that names a document of another uploader and store nothing', async () => {
    const doc = (await upload(c.clients[0]!, threadId, await cleanPdf()).expect(201)).body as DocView;
    const before = await count('documents');
    const res = await post(c.counselors[0]!, threadId, { body: 'fremd', clientPostId: 'doc-steal', documentIds: [doc.id] }).expect(404);
    expect(code(res)).toBe('NOT_FOUND');
    await download(c.counselors[0]!, doc.id).expect(404);
    expect(await count('documents')).toBe(before);
  });

  it('should refuse a renamed PNG, HTML, a JavaScript PDF, an embedded-file PDF, an empty file and 11 MB, leaving no row and no file', async () => {
    const cases: [string, Buffer, number, string][] = [
      ['bild.pdf', pngBytes(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['seite.pdf', htmlBytes(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['script.pdf', await javaScriptPdf(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['anhang.pdf', await embeddedFilePdf(), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['leer.pdf', Buffer.alloc(0), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['gross.pdf', await pdfOfSize(11 * MB), 413, 'PAYLOAD_TOO_LARGE'],
    ];
    const before = await stored();
    for (const [name, bytes, status, expected] of cases) {
      const res = await upload(c.clients[0]!, threadId, bytes, name);
      expect({ name, status: res.status, code: code(res) }).toEqual({ name, status, code: expected });
    }
    expect(await stored()).toEqual(before);
  });

  it('should take exactly one file in the field "file" and refuse other bodies with the contract codes', async () => {
    const pdf = await cleanPdf();
    const before = await stored();
    const url = `/api/threads/${threadId}/documents`;
    const auth = bearer(c.clients[0]!);
    const two = await t.http().post(url).set('Authorization', auth).attach('file', pdf, 'a.pdf').attach('file', pdf, 'b.pdf');
    expect([two.status, code(two)]).toEqual([400, 'VALIDATION_FAILED']);
    const wrongField = await t.http().post(url).set('Authorization', auth).attach('document', pdf, 'a.pdf');
    expect([wrongField.status, code(wrongField)]).toEqual([400, 'VALIDATION_FAILED']);
    const extraField = await t.http().post(url).set('Authorization', auth).field('note', 'x').attach('file', pdf, 'a.pdf');
    expect([extraField.status, code(extraField)]).toEqual([400, 'VALIDATION_FAILED']);
    const noFile = await t.http().post(url).set('Authorization', auth).field('file', 'not a file');
    expect([noFile.status, code(noFile)]).toEqual([400, 'VALIDATION_FAILED']);
    const json = await t.http().post(url).set('Authorization', auth).send({ file: 'x' });
    expect([json.status, code(json)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    const broken = await t.http().post(url).set('Authorization', auth).set('Content-Type', 'multipart/form-data; boundary=xyz').send('--xyz\r\nnonsense');
    expect([broken.status, code(broken)]).toEqual([400, 'VALIDATION_FAILED']);
    // multipart is taken by the upload route only
    const elsewhere = await t.http().post('/api/canned-responses').set('Authorization', bearer(c.counselors[0]!)).attach('file', pdf, 'a.pdf');
    expect([elsewhere.status, code(elsewhere)]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(await stored()).toEqual(before);
  });

  it('should answer NOT_FOUND to a non-member, another counselor, the admin and another center on upload and download', async () => {
    const pdf = await cleanPdf();
    const doc = (await upload(c.clients[0]!, threadId, pdf).expect(201)).body as DocView;
    await post(c.clients[0]!, threadId, { body: 'mit Anhang', clientPostId: 'doc-access', documentIds: [doc.id] }).expect(201);
    const before = await stored();
    for (const who of [c.clients[1]!, c.counselors[1]!, c.admin, other.clients[0]!, other.counselors[0]!, other.admin]) {
      const up = await upload(who, threadId, pdf);
      expect([up.status, code(up)]).toEqual([404, 'NOT_FOUND']);
      const down = await download(who, doc.id);
      expect([down.status, code(down)]).toEqual([404, 'NOT_FOUND']);
    }
    await download(c.clients[0]!, 'not-a-uuid').expect(404);
    await download(c.clients[0]!, '00000000-0000-4000-8000-000000000000').expect(404);
    const unknownThread = await upload(c.clients[0]!, '00000000-0000-4000-8000-000000000000', pdf);
    expect([unknownThread.status, code(unknownThread)]).toEqual([404, 'NOT_FOUND']);
    await t.http().post(`/api/threads/${threadId}/documents`).attach('file', pdf, 'a.pdf').expect(401);
    await t.http().get(`/api/documents/${doc.id}`).expect(401);
    expect(await stored()).toEqual(before);
  });

  it('should let exactly the quota through when uploads race for the last ones', async () => {
    const [client, counselor] = [other.clients[0]!, other.counselors[0]!];
    const thread = await openThread(other, client, counselor);
    await t.http().patch(`/api/centers/${other.slug}/settings`).set('Authorization', bearer(other.admin)).send({ documentDailyQuota: 2 }).expect(200);
    const pdf = await cleanPdf();
    const statuses = (await Promise.all([1, 2, 3, 4, 5].map(() => upload(client, thread, pdf)))).map((r) => r.status).sort();
    expect(statuses).toEqual([201, 201, 429, 429, 429]);
    expect(await countWhere('SELECT COUNT(*) AS n FROM documents WHERE uploader_id = ?', [client.id])).toBe(2);
  });

  it('should refuse uploads with RATE_LIMITED until the next day when the daily quota is used up', async () => {
    const client = c.clients[2]!;
    const thread = await openThread(c, client, c.counselors[1]!);
    await setSettings({ documentDailyQuota: 2 });
    try {
      const pdf = await cleanPdf();
      await upload(client, thread, pdf).expect(201);
      await upload(client, thread, pdf).expect(201);
      const res = await upload(client, thread, pdf).expect(429);
      const error = (res.body as { error: { code: string; retryAfterMs: number } }).error;
      expect(error.code).toBe('RATE_LIMITED');
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.retryAfterMs).toBeLessThanOrEqual(25 * 3600_000);
      expect(Number(res.headers['retry-after'])).toBe(Math.ceil(error.retryAfterMs / 1000));
      // the counselor of the thread has a quota of their own
      await upload(c.counselors[1]!, thread, pdf).expect(201);
      await advance(error.retryAfterMs + 1000);
      await upload(client, thread, pdf).expect(201);
    } finally {
      await setSettings({ documentDailyQuota: 20 });
    }
  });

  it('should take the size limit from the center settings when the admin lowers it', async () => {
    await setSettings({ documentMaxBytes: 64 * 1024 });
    try {
      const before = await stored();
      const res = await upload(c.clients[0]!, threadId, await pdfOfSize(80 * 1024)).expect(413);
      expect(code(res)).toBe('PAYLOAD_TOO_LARGE');
      expect(await stored()).toEqual(before);
      // exactly the limit passes, one byte more does not (trailing whitespace after %%EOF keeps it a PDF)
      const pdf = await cleanPdf();
      const exact = Buffer.concat([pdf, Buffer.alloc(64 * 1024 - pdf.length, 0x20)]);
      await upload(c.clients[0]!, threadId, exact).expect(201);
      await upload(c.clients[0]!, threadId, Buffer.concat([exact, Buffer.from(' ')])).expect(413);
    } finally {
      await setSettings({ documentMaxBytes: 10 * MB });
    }
    const settings = await t.http().get(`/api/centers/${c.slug}/settings`).set('Authorization', bearer(c.admin)).expect(200);
    expect(settings.body).toMatchObject({ documentMaxBytes: 10 * MB, documentDailyQuota: 20, documentDailyBytes: 50 * MB });
    for (const bad of [
      { documentMaxBytes: 1000 },
      { documentMaxBytes: 101 * MB },
      { documentDailyQuota: 0 },
      { documentDailyQuota: null },
      { documentDailyBytes: 'x' },
    ]) {
      const res = await t.http().patch(`/api/centers/${c.slug}/settings`).set('Authorization', bearer(c.admin)).send(bad);
      expect({ bad, status: res.status, fields: (res.body as { error: { fields?: string[] } }).error.fields }).toEqual({
        bad,
        status: 400,
        fields: Object.keys(bad),
      });
    }
  });

  it('should show a counselor who takes a thread over only the documents of posts from then on, and the old one none', async () => {
    const [first, second] = [c.counselors[0]!, c.counselors[1]!];
    const client = c.clients[2]!;
    const thread = await openThread(c, client, first);
    const before = (await upload(client, thread, await cleanPdf('before')).expect(201)).body as DocView;
    await post(client, thread, { body: 'vorher', clientPostId: 'doc-re-1', documentIds: [before.id] }).expect(201);
    await download(first, before.id).expect(200);
    await t.http().post(`/api/threads/${thread}/assign`).set('Authorization', bearer(c.admin)).send({ counselorId: second.id }).expect(200);
    await download(second, before.id).expect(404);
    await download(first, before.id).expect(404);
    const after = (await upload(client, thread, await cleanPdf('after')).expect(201)).body as DocView;
    await post(client, thread, { body: 'nachher', clientPostId: 'doc-re-2', documentIds: [after.id] }).expect(201);
    await download(second, after.id).expect(200);
    await download(first, after.id).expect(404);
    await download(client, before.id).expect(200);
  });

  it('should keep neither the PDF text nor its name readable in the database or the data directory', async () => {
    const secretName = 'Geheimer-Dateiname-4711.pdf';
    const doc = (await upload(c.clients[0]!, threadId, await cleanPdf(), secretName).expect(201)).body as DocView;
    await post(c.clients[0]!, threadId, { body: 'x', clientPostId: 'doc-secret', documentIds: [doc.id] }).expect(201);
    const rows = [
      ...(await ds.query<Record<string, unknown>[]>('SELECT * FROM documents')),
      ...(await ds.query<Record<string, unknown>[]>('SELECT * FROM document_chunks')),
    ];
    const text = rows
      .map((r) =>
        Object.values(r)
          .map((v) => (Buffer.isBuffer(v) ? v.toString('latin1') : String(v)))
          .join('|'),
      )
      .join('\n');
    expect(rows.length).toBeGreaterThan(1);
    expect(text).not.toContain(PDF_TEXT);
    expect(text).not.toContain('Geheimer');
    expect(text).not.toContain('%PDF-');
    for (const [path, bytes] of filesUnder(t.config.dataDir)) {
      const raw = bytes.toString('latin1');
      expect({ path, text: raw.includes(PDF_TEXT), name: raw.includes('Geheimer') }).toEqual({ path, text: false, name: false });
    }
  });

  it('should refuse an upload with CONFLICT when the thread is closed', async () => {
    const thread = await openThread(c, c.clients[1]!, c.counselors[1]!);
    await t.http().post(`/api/threads/${thread}/close`).set('Authorization', bearer(c.counselors[1]!)).expect(200);
    const res = await upload(c.clients[1]!, thread, await cleanPdf()).expect(409);
    expect(code(res)).toBe('CONFLICT');
  });

  it('should sweep an upload that no post took within a day and keep attached ones', async () => {
    const loose = (await upload(c.clients[0]!, threadId, await cleanPdf()).expect(201)).body as DocView;
    const kept = (await upload(c.clients[0]!, threadId, await cleanPdf()).expect(201)).body as DocView;
    await post(c.clients[0]!, threadId, { body: 'behalten', clientPostId: 'doc-kept', documentIds: [kept.id] }).expect(201);
    await advance(25 * 3600_000);
    await t.app.get(DocumentsService).sweep();
    await download(c.clients[0]!, loose.id).expect(404);
    expect(await countWhere('SELECT COUNT(*) AS n FROM document_chunks WHERE document_id = ?', [loose.id])).toBe(0);
    await download(c.clients[0]!, kept.id).expect(200);
  });

  it('should delete every document a client uploaded when the client deletes their account', async () => {
    const leaver = c.clients[1]!;
    const thread = await openThread(c, leaver, c.counselors[0]!);
    const doc = (await upload(leaver, thread, await cleanPdf()).expect(201)).body as DocView;
    await post(leaver, thread, { body: 'tschüss', clientPostId: 'doc-leave', documentIds: [doc.id] }).expect(201);
    await t.http().delete('/api/accounts/me').set('Authorization', bearer(leaver)).send({ password: PASSWORD }).expect(204);
    expect(await countWhere('SELECT COUNT(*) AS n FROM documents WHERE uploader_id = ? OR thread_id = ?', [leaver.id, thread])).toBe(0);
    expect(await countWhere('SELECT COUNT(*) AS n FROM document_chunks WHERE document_id = ?', [doc.id])).toBe(0);
    expect(await countWhere('SELECT COUNT(*) AS n FROM document_quotas WHERE account_id = ?', [leaver.id])).toBe(0);
    await download(c.counselors[0]!, doc.id).expect(404);
  });

  it('should let every member of a group thread download a document of a post and delete only the uploads of a client who leaves', async () => {
    const counselor = c.counselors[0]!;
    const [stays, leaves] = [c.clients[0]!, c.clients[2]!];
    await openThread(c, leaves, counselor);
    const made = await t
      .http()
      .post('/api/threads')
      .set('Authorization', bearer(counselor))
      .send({ subject: 'Eltern', body: 'Willkommen', clientIds: [stays.id, leaves.id] });
    expect(made.status).toBe(201);
    const group = (made.body as { id: string }).id;
    const theirs = (await upload(leaves, group, await cleanPdf('from the leaver')).expect(201)).body as DocView;
    await post(leaves, group, { body: 'von mir', clientPostId: 'doc-group-1', documentIds: [theirs.id] }).expect(201);
    const staff = (await upload(counselor, group, await cleanPdf('from the counselor')).expect(201)).body as DocView;
    await post(counselor, group, { body: 'von der Beratung', clientPostId: 'doc-group-2', documentIds: [staff.id] }).expect(201);
    for (const who of [stays, leaves, counselor]) {
      await download(who, theirs.id).expect(200);
      await download(who, staff.id).expect(200);
    }
    await download(c.admin, theirs.id).expect(404);

    await t.http().delete('/api/accounts/me').set('Authorization', bearer(leaves)).send({ password: PASSWORD }).expect(204);
    expect(await countWhere('SELECT COUNT(*) AS n FROM documents WHERE uploader_id = ?', [leaves.id])).toBe(0);
    expect(await countWhere('SELECT COUNT(*) AS n FROM document_chunks WHERE document_id = ?', [theirs.id])).toBe(0);
    await download(stays, theirs.id).expect(404);
    const kept = await download(stays, staff.id).expect(200);
    expect((kept.body as Buffer).toString('latin1')).toContain('from the counselor');
  });
});
