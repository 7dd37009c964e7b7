import { DataSource } from 'typeorm';
import { compressionBombPdf, deeplyNestedPdf } from '../factories/pdf-bombs';
import { cleanPdf } from '../factories/pdfs';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

/**
 * PDF compression bombs (docs/operator-tools.md): the inspection runs in a worker thread with heap,
 * stack, decode and time limits. A FlateDecode object stream that inflates to 1 GB and an object
 * nested 500 000 levels deep are refused with UNSUPPORTED_MEDIA_TYPE, nothing is stored, the
 * process's memory stays far below what the bomb expands to, and others are answered meanwhile.
 */
describe('documents: PDF compression bombs', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let threadId: string;
  const bearer = (token: string) => `Bearer ${token}`;

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 1, clients: 2 });
    const created = await t
      .http()
      .post('/api/threads')
      .set('Authorization', bearer(c.clients[0]!.token))
      .send({ subject: 'Unterlagen', body: 'Hier' })
      .expect(201);
    threadId = (created.body as { id: string }).id;
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const upload = (token: string, bytes: Buffer) =>
    t
      .http()
      .post(`/api/threads/${threadId}/documents`)
      .set('Authorization', bearer(token))
      .attach('file', bytes, { filename: 'Brief.pdf', contentType: 'application/pdf' });
  const documents = async (): Promise<number> => Number((await t.app.get(DataSource).query<{ n: number }[]>('SELECT COUNT(*) AS n FROM documents'))[0]!.n);

  it('should refuse a 1 GB compression bomb and a deeply nested PDF, keep memory bounded and answer others meanwhile', async () => {
    const bomb = await compressionBombPdf(1024);
    const nested = await deeplyNestedPdf(500_000);
    // small files: the upload limit (10 MB) does not stop them
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const clean = await cleanPdf('während der Bombe');
    const before = await documents();

    global.gc?.();
    const rss0 = process.memoryUsage().rss;
    let peak = rss0;
    let slowest = 0;
    let answered = 0;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peak = Math.max(peak, process.memoryUsage().rss);
        const started = Date.now();
        await t.http().get('/health').expect(200);
        slowest = Math.max(slowest, Date.now() - started);
        answered++;
        await new Promise((r) => setTimeout(r, 25));
      }
    })();

    const [bombRes, nestedRes, cleanRes] = await Promise.all([
      upload(c.clients[0]!.token, bomb),
      upload(c.clients[0]!.token, nested),
      upload(c.clients[0]!.token, clean),
    ]);
    sampling = false;
    await sampler;

    for (const res of [bombRes, nestedRes]) {
      expect(res.status).toBe(415);
      expect(res.body).toEqual({
        error: {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'The PDF expands too far or is too complex to be checked; please save or print it to a plain PDF first.',
        },
      });
    }
    // a clean PDF uploaded at the same time was taken; only it is stored
    expect(cleanRes.status).toBe(201);
    expect(await documents()).toBe(before + 1);
    // the bomb inflates to 1 GB; the inspection may use its worker's limits (heap 96 MB + 24 MB decoded), not more
    expect(peak - rss0).toBeLessThan(400 * 1024 * 1024);
    // the event loop stayed free: /health kept answering while the files were inspected
    expect(answered).toBeGreaterThan(3);
    expect(slowest).toBeLessThan(2000);
  });
});
