import type { CenterListItem } from '../../src/realtime/contract';
import { seedCenter, startApp, TestApp } from '../harness/app';

describe('the public list of centers (GET /api/centers)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  it('should list every center with slug and name only, by name, without a token', async () => {
    await expect(
      t
        .http()
        .get('/api/centers')
        .expect(200)
        .then((r) => r.body as CenterListItem[]),
    ).resolves.toEqual([]);
    const b = await seedCenter(t, { counselors: 0, clients: 0, slug: 'zz-beratung' });
    const a = await seedCenter(t, { counselors: 1, clients: 0, slug: 'aa-beratung' });
    const res = await t.http().get('/api/centers').expect(200);
    expect(res.body).toEqual([
      { slug: a.slug, name: `Center ${a.slug}` },
      { slug: b.slug, name: `Center ${b.slug}` },
    ]);
  });

  it('should answer the list with a token of any center too, and keep unknown API paths JSON', async () => {
    const c = await seedCenter(t, { counselors: 1, clients: 0 });
    const res = await t.http().get('/api/centers').set('Authorization', `Bearer ${c.counselors[0]!.token}`).expect(200);
    expect((res.body as CenterListItem[]).map((x) => x.slug)).toContain(c.slug);
    const unknown = await t.http().get('/api/no-such-route').expect(404);
    expect(unknown.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found.' } });
  });
});
