import { closeAllSockets, connect, seedCenter, startApp, TestApp } from '../harness/app';

describe('smoke', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  beforeAll(async () => {
    t = await startApp();
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should answer health and refuse a socket without token', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', database: 'up' });
    await expect(connect(t.url, 'nope')).rejects.toThrow('UNAUTHORIZED');
    const seeded = await seedCenter(t);
    const s = await connect(t.url, seeded.counselors[0]!.token);
    expect(s.connected).toBe(true);
  });
});
