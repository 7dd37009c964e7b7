import { DataSource } from 'typeorm';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { CANNED_LIMITS, type CannedResponseView } from '../../src/realtime/contract';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';

interface RawRow {
  id: string;
  title_enc: string;
  body_enc: string;
}

describe('canned responses (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 3, clients: 1 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const auth = (token: string) => `Bearer ${token}`;
  const create = (token: string, body: object) => t.http().post('/api/canned-responses').set('Authorization', auth(token)).send(body);
  const list = async (token: string): Promise<CannedResponseView[]> =>
    (await t.http().get('/api/canned-responses').set('Authorization', auth(token)).expect(200)).body as CannedResponseView[];
  const raw = (ds: DataSource, ownerId: string) => ds.query<RawRow[]>('SELECT id, title_enc, body_enc FROM canned_responses WHERE owner_id = ?', [ownerId]);

  it('should create, list, edit and delete a counselor’s own canned response', async () => {
    const me = c.counselors[0]!;
    const res = await create(me.token, { title: '  Begrüßung ', body: 'Hallo, ich bin jetzt für Sie da.' }).expect(201);
    const made = res.body as CannedResponseView;
    expect(made).toMatchObject({ title: 'Begrüßung', body: 'Hallo, ich bin jetzt für Sie da.' });
    expect(await list(me.token)).toEqual([made]);

    const patched = await t.http().patch(`/api/canned-responses/${made.id}`).set('Authorization', auth(me.token)).send({ body: 'Guten Abend.' }).expect(200);
    expect(patched.body).toMatchObject({ id: made.id, title: 'Begrüßung', body: 'Guten Abend.' });
    expect((await list(me.token)).map((r) => r.body)).toEqual(['Guten Abend.']);

    await t.http().delete(`/api/canned-responses/${made.id}`).set('Authorization', auth(me.token)).expect(204);
    expect(await list(me.token)).toEqual([]);
    await t.http().delete(`/api/canned-responses/${made.id}`).set('Authorization', auth(me.token)).expect(404);
  });

  it('should answer NOT_FOUND when another counselor reads, edits or deletes one', async () => {
    const [owner, other] = [c.counselors[0]!, c.counselors[1]!];
    const id = ((await create(owner.token, { title: 'Privat', body: 'Nur meins' }).expect(201)).body as CannedResponseView).id;
    expect(await list(other.token)).toEqual([]);
    const patch = await t.http().patch(`/api/canned-responses/${id}`).set('Authorization', auth(other.token)).send({ body: 'gekapert' }).expect(404);
    expect((patch.body as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    await t.http().delete(`/api/canned-responses/${id}`).set('Authorization', auth(other.token)).expect(404);
    await t.http().patch('/api/canned-responses/not-a-uuid').set('Authorization', auth(owner.token)).send({ body: 'x' }).expect(404);
    expect((await list(owner.token)).find((r) => r.id === id)?.body).toBe('Nur meins');
  });

  it('should refuse clients, missing tokens, unknown fields and texts over the limits', async () => {
    const me = c.counselors[0]!;
    await create(c.clients[0]!.token, { title: 'x', body: 'y' }).expect(403);
    await t.http().get('/api/canned-responses').expect(401);
    const unknown = await create(me.token, { title: 'x', body: 'y', ownerId: c.counselors[1]!.id }).expect(400);
    expect((unknown.body as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
    const long = await create(me.token, { title: 'x'.repeat(CANNED_LIMITS.titleMax + 1), body: 'y' }).expect(400);
    expect((long.body as { error: { fields?: string[] } }).error.fields).toEqual(['title']);
    const body = await create(me.token, { title: 'x', body: 'y'.repeat(CANNED_LIMITS.bodyMax + 1) }).expect(400);
    expect((body.body as { error: { fields?: string[] } }).error.fields).toEqual(['body']);
    const empty = await create(me.token, { title: '   ', body: 'y' }).expect(400);
    expect((empty.body as { error: { fields?: string[] } }).error.fields).toEqual(['title']);
    await create(me.token, { title: 'x'.repeat(CANNED_LIMITS.titleMax), body: 'y'.repeat(CANNED_LIMITS.bodyMax) }).expect(201);
  });

  it('should answer CONFLICT when a counselor has 100 already', async () => {
    const me = c.counselors[2]!;
    for (let i = (await list(me.token)).length; i < CANNED_LIMITS.perCounselor; i++) await create(me.token, { title: `T${i}`, body: `B${i}` }).expect(201);
    const res = await create(me.token, { title: 'one more', body: 'too many' }).expect(409);
    expect((res.body as { error: { code: string } }).error.code).toBe('CONFLICT');
    expect(await list(me.token)).toHaveLength(CANNED_LIMITS.perCounselor);
    // another counselor is not affected
    await create(c.counselors[1]!.token, { title: 'mine', body: 'fine' }).expect(201);
  });

  it('should keep no plaintext in the database row', async () => {
    const me = c.counselors[1]!;
    const id = ((await create(me.token, { title: 'Geheimtitel', body: 'Geheimer Inhalt 4711' }).expect(201)).body as CannedResponseView).id;
    const rows = await raw(t.app.get(DataSource), me.id);
    const row = rows.find((r) => r.id === id)!;
    expect(row.title_enc).toMatch(/^v1:/);
    expect(row.body_enc).toMatch(/^v1:/);
    expect(JSON.stringify(rows)).not.toContain('Geheim');
    expect(JSON.stringify(rows)).not.toContain('4711');
  });

  it('should delete them and destroy their key when the account is deleted', async () => {
    const me = c.counselors[1]!;
    await create(me.token, { title: 'weg', body: 'damit' }).expect(201);
    const ds = t.app.get(DataSource);
    expect((await raw(ds, me.id)).length).toBeGreaterThan(0);
    const scope = `account:${me.id}`;
    expect((await ds.query<unknown[]>('SELECT id FROM data_keys WHERE scope = ?', [scope])).length).toBe(1);
    await t.app.get(AccountsService).delete(c.centerId, me.id);
    expect(await raw(ds, me.id)).toEqual([]);
    expect(await ds.query<unknown[]>('SELECT id FROM data_keys WHERE scope = ?', [scope])).toEqual([]);
    // the others keep theirs
    expect((await list(c.counselors[0]!.token)).length).toBeGreaterThan(0);
  });
});
