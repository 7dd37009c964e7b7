import { DataSource } from 'typeorm';
import { AbsencesService } from '../../src/modules/absences/absences.service';
import type { AbsenceListItem, AbsenceView } from '../../src/realtime/contract';
import { TestClock } from '../harness/clock';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

const HOUR = 60 * 60 * 1000;
const DAY = 24 * HOUR;

interface ErrorBody {
  error: { code: string; fields?: string[] };
}

describe('absence assistant (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startApp({ clock });
    c = await seedCenter(t, { counselors: 3, clients: 1 });
    other = await seedCenter(t, { counselors: 1, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const bearer = (token: string) => `Bearer ${token}`;
  const put = (token: string, body: object) => t.http().put('/api/absence').set('Authorization', bearer(token)).send(body);
  const mine = async (token: string): Promise<AbsenceView | null> =>
    ((await t.http().get('/api/absence').set('Authorization', bearer(token)).expect(200)).body as { absence: AbsenceView | null }).absence;
  const list = async (token: string): Promise<AbsenceListItem[]> =>
    (await t.http().get('/api/absences').set('Authorization', bearer(token)).expect(200)).body as AbsenceListItem[];
  const at = (ms: number) => clock.in(ms).toISOString();

  it('should set, show, replace and end a counselor’s own absence', async () => {
    const me = c.counselors[0]!;
    expect(await mine(me.token)).toBeNull();
    const res = await put(me.token, { startsAt: at(-HOUR), endsAt: at(2 * DAY), text: '  Ich bin bis Donnerstag im Urlaub.  ' }).expect(200);
    expect((res.body as { absence: AbsenceView }).absence).toMatchObject({ text: 'Ich bin bis Donnerstag im Urlaub.', active: true });
    expect(await mine(me.token)).toMatchObject({ text: 'Ich bin bis Donnerstag im Urlaub.', active: true });

    // a second PUT replaces the first: one absence per counselor
    await put(me.token, { startsAt: at(DAY), endsAt: at(3 * DAY), text: 'Ab morgen weg.' }).expect(200);
    expect(await mine(me.token)).toMatchObject({ text: 'Ab morgen weg.', active: false });
    const rows = await t.app.get(DataSource).query<unknown[]>('SELECT id FROM absences WHERE counselor_id = ?', [me.id]);
    expect(rows).toHaveLength(1);

    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);
    expect(await mine(me.token)).toBeNull();
    // nothing to end: still fine
    await t.http().delete('/api/absence').set('Authorization', bearer(me.token)).expect(204);
  });

  it('should answer VALIDATION_FAILED when the end lies before the start or in the past, or the body is malformed', async () => {
    const me = c.counselors[1]!;
    const cases: [object, string][] = [
      [{ startsAt: at(2 * DAY), endsAt: at(DAY), text: 'x' }, 'endsAt'],
      [{ startsAt: at(DAY), endsAt: at(DAY), text: 'x' }, 'endsAt'],
      [{ startsAt: at(-2 * DAY), endsAt: at(-HOUR), text: 'x' }, 'endsAt'],
      [{ startsAt: at(0), endsAt: at(400 * DAY), text: 'x' }, 'endsAt'],
      [{ startsAt: at(0), endsAt: at(DAY), text: '   ' }, 'text'],
      [{ startsAt: at(0), endsAt: at(DAY), text: 'x'.repeat(1001) }, 'text'],
      [{ startsAt: 'tomorrow', endsAt: at(DAY), text: 'x' }, 'startsAt'],
      [{ startsAt: at(0), endsAt: at(DAY) }, 'text'],
    ];
    for (const [body, field] of cases) {
      const res = await put(me.token, body).expect(400);
      expect((res.body as ErrorBody).error.code).toBe('VALIDATION_FAILED');
      expect((res.body as ErrorBody).error.fields).toContain(field);
    }
    expect(await mine(me.token)).toBeNull();
  });

  it('should refuse clients and missing tokens, and list absences to the center’s admin only', async () => {
    const [a, b] = [c.counselors[0]!, c.counselors[2]!];
    await put(a.token, { startsAt: at(-HOUR), endsAt: at(DAY), text: 'Krank.' }).expect(200);
    await put(b.token, { startsAt: at(5 * DAY), endsAt: at(8 * DAY), text: 'Fortbildung.' }).expect(200);
    await put(other.counselors[0]!.token, { startsAt: at(-HOUR), endsAt: at(DAY), text: 'Anderes Zentrum.' }).expect(200);

    await t.http().get('/api/absence').expect(401);
    await t.http().get('/api/absences').expect(401);
    await put(c.clients[0]!.token, { startsAt: at(0), endsAt: at(DAY), text: 'x' }).expect(403);
    await t.http().get('/api/absences').set('Authorization', bearer(a.token)).expect(403);
    await t.http().get('/api/absences').set('Authorization', bearer(c.clients[0]!.token)).expect(403);

    const items = await list(c.admin.token);
    expect(items.map((i) => [i.counselor.id, i.counselor.displayName, i.text, i.active])).toEqual([
      [a.id, a.displayName, 'Krank.', true],
      [b.id, b.displayName, 'Fortbildung.', false],
    ]);
    expect((await list(other.admin.token)).map((i) => i.text)).toEqual(['Anderes Zentrum.']);
  });

  it('should answer activeFor only while the absence runs, by the injected clock', async () => {
    const me = c.counselors[2]!;
    const absences = t.app.get(AbsencesService);
    await put(me.token, { startsAt: at(HOUR), endsAt: at(2 * HOUR), text: 'Kurz weg.' }).expect(200);
    expect(await absences.activeFor(c.centerId, me.id)).toBeNull();
    clock.advance(HOUR);
    expect(await absences.activeFor(c.centerId, me.id)).toMatchObject({ text: 'Kurz weg.' });
    expect(await absences.activeFor(other.centerId, me.id)).toBeNull();
    clock.advance(HOUR);
    expect(await absences.activeFor(c.centerId, me.id)).toBeNull();
    expect(await mine(me.token)).toBeNull();
  });

  it('should keep no plaintext in the row and delete the absence with its counselor', async () => {
    const me = c.counselors[1]!;
    await put(me.token, { startsAt: at(0), endsAt: at(DAY), text: 'Geheimer Urlaubsort 4711' }).expect(200);
    const ds = t.app.get(DataSource);
    const rows = await ds.query<{ text_enc: string }[]>('SELECT text_enc FROM absences WHERE counselor_id = ?', [me.id]);
    expect(rows[0]!.text_enc).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain('4711');
    await t.http().delete(`/api/centers/${c.slug}/staff/${me.id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    expect(await ds.query<unknown[]>('SELECT id FROM absences WHERE counselor_id = ?', [me.id])).toHaveLength(0);
  });
});
