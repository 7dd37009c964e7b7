import { DataSource } from 'typeorm';
import { AccountsRepository } from '../../src/modules/accounts/accounts.repository';
import { RetentionService, type RetentionRun } from '../../src/modules/retention/retention.service';
import { ThreadRetentionService } from '../../src/modules/threads/thread-retention.service';
import type { RetentionOverview } from '../../src/realtime/contract';
import { createCenter, createClient, createStaff, login, PASSWORD, type CenterSpec, type Login } from '../factories';
import { startApp, TestApp } from '../harness/app';
import { TestClock } from '../harness/clock';
import { onMariaDb } from '../harness/env';
import { ThreadSeed } from '../harness/thread-seed';

const MINUTE = 60 * 1000;
const DAY = 24 * 60 * MINUTE;

interface Fixture {
  centerId: string;
  slug: string;
  admin: Login;
  counselor: Login;
}

describe(`retention (${onMariaDb ? 'two nodes, MariaDB + Redis' : 'one node, SQLite'})`, () => {
  let a: TestApp & { dropDb: () => Promise<void> };
  let b: TestApp;
  let seed: ThreadSeed;
  const clock = new TestClock();

  beforeAll(async () => {
    a = await startApp({ clock });
    b = a.config.database.kind === 'mysql' ? await startApp({ clock, databaseUrl: a.config.database.url }) : a;
    seed = new ThreadSeed(a, clock);
  });
  afterAll(async () => {
    if (b !== a) await b.close();
    await a.close();
    await a.dropDb();
  });

  const ds = () => a.app.get(DataSource);
  const rows = (sql: string, args: unknown[]) => ds().query<unknown[]>(sql, args);
  const sweep = (node: TestApp, at: Date) => node.app.get(RetentionService).sweep(at);
  const runOf = (runs: RetentionRun[], centerId: string) => runs.find((r) => r.centerId === centerId);

  /** A center of its own per test: a sweep far ahead takes (and uses up) the lease of every center. */
  async function center(settings: CenterSpec['settings'] = {}): Promise<Fixture> {
    const ctr = await createCenter(a, { settings });
    const admin = await createStaff(a, ctr, { role: 'admin' });
    const counselor = await createStaff(a, ctr, { role: 'counselor' });
    return { centerId: ctr.id, slug: ctr.slug, admin, counselor };
  }

  it('should delete a closed thread with its posts, members, notes and key once its retention has passed', async () => {
    const f = await center({ threadRetentionDays: 10 });
    const [k1, k2] = [await createClient(a, f), await createClient(a, f)];
    const closed = await seed.open(f.centerId, f.counselor.id, [k1.id, k2.id]);
    const open = await seed.open(f.centerId, f.counselor.id, [k1.id]);
    await seed.post(f.centerId, closed, k1.id, 'client', 'Hallo');
    await seed.post(f.centerId, open, k1.id, 'client', 'Noch offen');
    await a.http().post(`/api/threads/${closed}/notes`).set('Authorization', `Bearer ${f.counselor.token}`).send({ body: 'Notiz' }).expect(201);
    await seed.close(f.centerId, closed, f.counselor.id);
    expect(await rows('SELECT id FROM data_keys WHERE scope = ?', [`thread:${closed}`])).toHaveLength(1);

    expect(runOf(await sweep(a, clock.in(9 * DAY)), f.centerId)).toMatchObject({ threads: 0 });
    expect(await rows('SELECT id FROM threads WHERE id = ?', [closed])).toHaveLength(1);

    expect(runOf(await sweep(a, clock.in(10 * DAY + MINUTE)), f.centerId)).toMatchObject({ threads: 1 });
    for (const table of ['thread_posts', 'thread_members', 'notes'])
      expect([table, await rows(`SELECT * FROM ${table} WHERE thread_id = ?`, [closed])]).toEqual([table, []]);
    expect(await rows('SELECT id FROM threads WHERE id = ?', [closed])).toHaveLength(0);
    expect(await rows('SELECT id FROM data_keys WHERE scope = ?', [`thread:${closed}`])).toHaveLength(0);
    // the open thread and its clients stay
    expect(await rows('SELECT id FROM threads WHERE id = ?', [open])).toHaveLength(1);
    expect(await rows('SELECT id FROM accounts WHERE id IN (?, ?)', [k1.id, k2.id])).toHaveLength(2);
  });

  it('should delete an unconfirmed, unused registration after its days through the account deletion, and keep clients in use', async () => {
    const f = await center({ unconfirmedRegistrationDays: 7, unusedAccountDays: 90 });
    const unconfirmed = await createClient(a, f, { email: 'nie-bestaetigt@example.org' });
    const confirmed = await createClient(a, f, { email: 'bestaetigt@example.org' });
    await a.app.get(AccountsRepository).update(f.centerId, confirmed.id, { emailConfirmedAt: clock.now() });
    const writer = await createClient(a, f, { email: 'schreibt@example.org' });
    await seed.open(f.centerId, null, [writer.id], 'enquiry');
    const returning = await createClient(a, f, { email: 'kommt-wieder@example.org' });
    expect(await rows('SELECT scope FROM data_keys WHERE scope = ?', [`account:${unconfirmed.id}`])).toHaveLength(1);

    clock.advance(5 * DAY);
    await login(a, f.slug, returning.login, PASSWORD);
    const run = runOf(await sweep(a, clock.in(2 * DAY + MINUTE)), f.centerId);
    expect(run).toMatchObject({ unconfirmedRegistrations: 1, unusedAccounts: 0 });
    expect(await rows('SELECT id FROM accounts WHERE id = ?', [unconfirmed.id])).toHaveLength(0);
    expect(await rows('SELECT token_hash FROM auth_tokens WHERE subject_id = ?', [unconfirmed.id])).toHaveLength(0);
    expect(await rows('SELECT scope FROM data_keys WHERE scope = ?', [`account:${unconfirmed.id}`])).toHaveLength(0);
    expect(await rows('SELECT id FROM accounts WHERE id IN (?, ?, ?)', [confirmed.id, writer.id, returning.id])).toHaveLength(3);

    // measured from the last login: five days later the returning client's week is over too
    expect(runOf(await sweep(a, clock.in(7 * DAY + MINUTE)), f.centerId)).toMatchObject({ unconfirmedRegistrations: 1 });
    expect(await rows('SELECT id FROM accounts WHERE id = ?', [returning.id])).toHaveLength(0);
    // the confirmed one is unused: it goes after 90 days; the one with an enquiry stays
    expect(runOf(await sweep(a, clock.in(90 * DAY)), f.centerId)).toMatchObject({ unusedAccounts: 1 });
    expect(await rows('SELECT id FROM accounts WHERE id IN (?, ?)', [confirmed.id, writer.id])).toEqual([{ id: writer.id }]);
  });

  it('should show the admin what expires within 7 and 30 days, by date and pseudonym only', async () => {
    const f = await center({ threadRetentionDays: 20, unconfirmedRegistrationDays: 3, unusedAccountDays: 25 });
    const k = await createClient(a, f);
    const thread = await seed.open(f.centerId, f.counselor.id, [k.id]);
    await seed.post(f.centerId, thread, k.id, 'client', 'Inhalt, 4711');
    await seed.close(f.centerId, thread, f.counselor.id);
    const soon = await createClient(a, f, { email: 'bald@example.org' });
    const later = await createClient(a, f);

    const res = await a.http().get('/api/admin/retention').set('Authorization', `Bearer ${f.admin.token}`).expect(200);
    const view = res.body as RetentionOverview;
    expect(view.settings).toEqual({ threadRetentionDays: 20, unconfirmedRegistrationDays: 3, unusedAccountDays: 25 });
    expect(view.within7Days).toEqual({ threads: 0, unconfirmedRegistrations: 1, unusedAccounts: 0 });
    expect(view.within30Days).toEqual({ threads: 1, unconfirmedRegistrations: 1, unusedAccounts: 1 });
    expect(view.accounts.map((x) => [x.id, x.displayName, x.reason])).toEqual([
      [soon.id, soon.displayName, 'unconfirmed'],
      [later.id, later.displayName, 'unused'],
    ]);
    expect(view.threads).toHaveLength(1);
    expect(Object.keys(view.threads[0]!).sort()).toEqual(['closedAt', 'expiresAt']);
    expect(JSON.stringify(view)).not.toMatch(/Inhalt|Betreff/);

    await a.http().get('/api/admin/retention').set('Authorization', `Bearer ${f.counselor.token}`).expect(403);
    await a.http().get('/api/admin/retention').set('Authorization', `Bearer ${k.token}`).expect(403);
    await a.http().get('/api/admin/retention').expect(401);
  });

  it('should let the admin change the retention settings within their bounds', async () => {
    const f = await center();
    const path = `/api/centers/${f.slug}/settings`;
    const auth = `Bearer ${f.admin.token}`;
    const defaults = (await a.http().get(path).set('Authorization', auth).expect(200)).body as Record<string, unknown>;
    expect(defaults).toMatchObject({ threadRetentionDays: 180, unconfirmedRegistrationDays: 7, unusedAccountDays: 90 });
    await a.http().patch(path).set('Authorization', auth).send({ threadRetentionDays: 30, unusedAccountDays: 60 }).expect(200);
    for (const bad of [
      { threadRetentionDays: 0 },
      { unconfirmedRegistrationDays: 400 },
      { unusedAccountDays: 3 },
      { threadRetentionDays: 'x' },
      { unusedAccountDays: null },
    ]) {
      const res = await a.http().patch(path).set('Authorization', auth).send(bad);
      expect([bad, res.status]).toEqual([bad, 400]);
    }
    expect((await a.http().get(path).set('Authorization', auth).expect(200)).body).toMatchObject({
      threadRetentionDays: 30,
      unconfirmedRegistrationDays: 7,
      unusedAccountDays: 60,
    });
  });

  it('should run a center’s deletions exactly once when two nodes race the same sweep', async () => {
    const f = await center({ threadRetentionDays: 1, unconfirmedRegistrationDays: 1, unusedAccountDays: 7 });
    const k = await createClient(a, f);
    const thread = await seed.open(f.centerId, f.counselor.id, [k.id]);
    await seed.close(f.centerId, thread, f.counselor.id);
    const unconfirmed = await createClient(a, f, { email: 'weg@example.org' });
    const unused = await createClient(a, f);
    const at = clock.in(8 * DAY);

    const [ra, rb] = await Promise.all([sweep(a, at), sweep(b, at)]);
    const won = [runOf(ra, f.centerId), runOf(rb, f.centerId)].filter((r) => r !== undefined);
    // one node took the lease and deleted; the other saw nothing to do for this center
    // (the closed thread's client takes part in nothing once the thread is gone: unused as well)
    expect(won).toEqual([{ centerId: f.centerId, threads: 1, unconfirmedRegistrations: 1, unusedAccounts: 2, absences: 0 }]);
    expect(await rows('SELECT id FROM accounts WHERE id IN (?, ?, ?)', [unconfirmed.id, unused.id, k.id])).toHaveLength(0);
    expect(await rows('SELECT id FROM threads WHERE id = ?', [thread])).toHaveLength(0);
    // within the lease nobody runs the center again
    expect(runOf(await sweep(b, new Date(at.getTime() + MINUTE)), f.centerId)).toBeUndefined();
    // after it, the next run finds nothing left
    expect(runOf(await sweep(a, new Date(at.getTime() + 5 * MINUTE)), f.centerId)).toEqual({
      centerId: f.centerId,
      threads: 0,
      unconfirmedRegistrations: 0,
      unusedAccounts: 0,
      absences: 0,
    });
  });

  it('should delete a thread once when two deletions race, the other seeing nothing', async () => {
    const f = await center();
    const k = await createClient(a, f);
    const thread = await seed.open(f.centerId, f.counselor.id, [k.id, (await createClient(a, f)).id]);
    await seed.close(f.centerId, thread, f.counselor.id);
    const del = (node: TestApp) => node.app.get(ThreadRetentionService).deleteClosed(f.centerId, thread, clock.in(MINUTE));
    const results = await Promise.all([del(a), del(b)]);
    expect(results.sort()).toEqual([false, true]);
    expect(await rows('SELECT id FROM threads WHERE id = ?', [thread])).toHaveLength(0);
  });
});
