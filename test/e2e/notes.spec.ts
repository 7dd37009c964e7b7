import { DataSource } from 'typeorm';
import { ThreadRetentionService } from '../../src/modules/threads/thread-retention.service';
import { NOTE_LIMITS, type NoteView } from '../../src/realtime/contract';
import { PASSWORD } from '../factories';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { TestClock } from '../harness/clock';
import { ThreadSeed } from '../harness/thread-seed';

interface ErrorBody {
  error: { code: string; fields?: string[] };
}

describe('private notes (REST)', () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  let seed: ThreadSeed;
  const clock = new TestClock();

  beforeAll(async () => {
    t = await startApp({ clock });
    c = await seedCenter(t, { counselors: 3, clients: 4 });
    other = await seedCenter(t, { counselors: 1, clients: 1 });
    seed = new ThreadSeed(t, clock);
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const bearer = (token: string) => `Bearer ${token}`;
  const clientNotes = (clientId: string) => `/api/clients/${clientId}/notes`;
  const threadNotes = (threadId: string) => `/api/threads/${threadId}/notes`;
  const create = async (token: string, path: string, body: string): Promise<string> =>
    ((await t.http().post(path).set('Authorization', bearer(token)).send({ body }).expect(201)).body as { id: string }).id;
  const list = async (token: string, path: string): Promise<NoteView[]> =>
    (await t.http().get(path).set('Authorization', bearer(token)).expect(200)).body as NoteView[];
  const code = (res: { body: unknown }) => (res.body as ErrorBody).error.code;
  const ds = () => t.app.get(DataSource);
  const scopeOf = async (ciphertext: string): Promise<string | undefined> =>
    (await ds().query<{ scope: string }[]>('SELECT scope FROM data_keys WHERE id = ?', [ciphertext.split(':')[1]]))[0]?.scope;

  it('should create, list, edit and delete a counselor’s notes about a client of theirs', async () => {
    const [me, client] = [c.counselors[0]!, c.clients[0]!];
    await seed.open(c.centerId, me.id, [client.id]);
    expect(await list(me.token, clientNotes(client.id))).toEqual([]);
    const id = await create(me.token, clientNotes(client.id), '  Erstgespräch: wirkt erschöpft.  ');
    const second = await create(me.token, clientNotes(client.id), 'Zweiter Eindruck.');
    expect((await list(me.token, clientNotes(client.id))).map((n) => [n.id, n.body])).toEqual([
      [id, 'Erstgespräch: wirkt erschöpft.'],
      [second, 'Zweiter Eindruck.'],
    ]);

    const patched = await t.http().patch(`/api/notes/${id}`).set('Authorization', bearer(me.token)).send({ body: 'Korrigiert.' }).expect(200);
    expect(patched.body).toMatchObject({ id, body: 'Korrigiert.' });
    await t.http().delete(`/api/notes/${second}`).set('Authorization', bearer(me.token)).expect(204);
    expect((await list(me.token, clientNotes(client.id))).map((n) => n.body)).toEqual(['Korrigiert.']);
    await t.http().delete(`/api/notes/${second}`).set('Authorization', bearer(me.token)).expect(404);
  });

  it('should answer NOT_FOUND to everyone but the author, and 401 without a token', async () => {
    const [me, colleague, client, stranger] = [c.counselors[0]!, c.counselors[1]!, c.clients[0]!, c.clients[1]!];
    const id = await create(me.token, clientNotes(client.id), 'Nur für mich.');
    // the colleague counsels the same client in another thread: still not their note
    await seed.open(c.centerId, colleague.id, [client.id]);
    expect(await list(colleague.token, clientNotes(client.id))).toEqual([]);

    const callers = [colleague, c.admin, client, stranger, other.counselors[0]!, other.admin];
    for (const who of callers) {
      const reads = await t.http().get(clientNotes(client.id)).set('Authorization', bearer(who.token));
      if (who === colleague) expect(reads.status).toBe(200);
      else expect([who.displayName, reads.status, code(reads)]).toEqual([who.displayName, 404, 'NOT_FOUND']);
      const patch = await t.http().patch(`/api/notes/${id}`).set('Authorization', bearer(who.token)).send({ body: 'gekapert' });
      expect([who.displayName, patch.status, code(patch)]).toEqual([who.displayName, 404, 'NOT_FOUND']);
      const del = await t.http().delete(`/api/notes/${id}`).set('Authorization', bearer(who.token));
      expect([who.displayName, del.status]).toEqual([who.displayName, 404]);
    }
    // a counselor who has nothing to do with the client may not write about them either
    const write = await t.http().post(clientNotes(client.id)).set('Authorization', bearer(c.counselors[2]!.token)).send({ body: 'x' });
    expect([write.status, code(write)]).toEqual([404, 'NOT_FOUND']);
    for (const path of [clientNotes('not-a-uuid'), clientNotes('00000000-0000-4000-8000-000000000000'), clientNotes(other.clients[0]!.id)]) {
      const res = await t.http().get(path).set('Authorization', bearer(me.token));
      expect([path, res.status, code(res)]).toEqual([path, 404, 'NOT_FOUND']);
    }
    await t.http().patch('/api/notes/not-a-uuid').set('Authorization', bearer(me.token)).send({ body: 'x' }).expect(404);
    await t.http().get(clientNotes(client.id)).expect(401);
    await t.http().patch(`/api/notes/${id}`).send({ body: 'x' }).expect(401);
    expect((await list(me.token, clientNotes(client.id))).map((n) => n.body)).toContain('Nur für mich.');
  });

  it('should keep thread notes for the author only, under the thread’s cipher', async () => {
    const [me, colleague] = [c.counselors[0]!, c.counselors[1]!];
    const [k1, k2] = [c.clients[2]!, c.clients[3]!];
    const group = await seed.open(c.centerId, me.id, [k1.id, k2.id]);
    const direct = await seed.open(c.centerId, me.id, [k1.id]);
    const groupNote = await create(me.token, threadNotes(group), 'Gruppe: Eltern streiten über Wochenenden.');
    const directNote = await create(me.token, threadNotes(direct), 'Einzeln: Termin beim Jugendamt.');
    expect((await list(me.token, threadNotes(group))).map((n) => n.body)).toEqual(['Gruppe: Eltern streiten über Wochenenden.']);
    // thread notes are not notes about the client
    expect((await list(me.token, clientNotes(k1.id))).map((n) => n.id)).not.toContain(directNote);

    for (const who of [k1, colleague, c.admin, other.counselors[0]!]) {
      const res = await t.http().get(threadNotes(group)).set('Authorization', bearer(who.token));
      expect([who.displayName, res.status, code(res)]).toEqual([who.displayName, 404, 'NOT_FOUND']);
      const post = await t.http().post(threadNotes(group)).set('Authorization', bearer(who.token)).send({ body: 'x' });
      expect([who.displayName, post.status]).toEqual([who.displayName, 404]);
    }

    const rows = await ds().query<{ id: string; body_enc: string; client_id: string | null }[]>(
      'SELECT id, body_enc, client_id FROM notes WHERE id IN (?, ?)',
      [groupNote, directNote],
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect(await scopeOf(byId.get(groupNote)!.body_enc)).toBe(`thread:${group}`);
    expect(byId.get(groupNote)!.client_id).toBeNull();
    // a 1:1 thread's note is under its client's key and goes with the client
    expect(await scopeOf(byId.get(directNote)!.body_enc)).toBe(`account:${k1.id}`);
    expect(byId.get(directNote)!.client_id).toBe(k1.id);
  });

  it('should hide the notes from the counselor who takes the client over, and from the old one until they get the client back', async () => {
    const [first, next] = [c.counselors[1]!, c.counselors[2]!];
    const client = c.clients[1]!;
    const assign = (counselorId: string) =>
      t.http().post(`/api/threads/${thread}/assign`).set('Authorization', bearer(c.admin.token)).send({ counselorId }).expect(200);
    const created = await t.http().post('/api/threads').set('Authorization', bearer(client.token)).send({ subject: 'Anfrage', body: 'Hallo' }).expect(201);
    const thread = (created.body as { id: string }).id;
    await assign(first.id);
    const about = await create(first.token, clientNotes(client.id), 'Notiz über die Klientin.');
    const inThread = await create(first.token, threadNotes(thread), 'Notiz zum Verlauf.');

    // the admin reassigns the thread (holiday): the new counselor sees none of it
    await assign(next.id);
    expect(await list(next.token, clientNotes(client.id))).toEqual([]);
    expect(await list(next.token, threadNotes(thread))).toEqual([]);
    for (const id of [about, inThread]) {
      await t.http().patch(`/api/notes/${id}`).set('Authorization', bearer(next.token)).send({ body: 'x' }).expect(404);
      await t.http().delete(`/api/notes/${id}`).set('Authorization', bearer(next.token)).expect(404);
      // the old author no longer reaches the client either
      await t.http().patch(`/api/notes/${id}`).set('Authorization', bearer(first.token)).send({ body: 'x' }).expect(404);
    }
    await t.http().get(clientNotes(client.id)).set('Authorization', bearer(first.token)).expect(404);
    await t.http().get(threadNotes(thread)).set('Authorization', bearer(first.token)).expect(404);

    // back from the holiday: the author's notes are there again, unchanged
    await assign(first.id);
    expect((await list(first.token, clientNotes(client.id))).map((n) => n.body)).toEqual(['Notiz über die Klientin.']);
    expect((await list(first.token, threadNotes(thread))).map((n) => n.body)).toEqual(['Notiz zum Verlauf.']);
    await t.http().get(clientNotes(client.id)).set('Authorization', bearer(next.token)).expect(404);
  });

  it('should answer VALIDATION_FAILED for empty, huge and malformed bodies and CONFLICT over the count limit, changing nothing', async () => {
    const [me, client] = [c.counselors[2]!, c.clients[3]!];
    const thread = await seed.open(c.centerId, me.id, [client.id]);
    const path = clientNotes(client.id);
    for (const body of [{ body: '   ' }, { body: 'x'.repeat(NOTE_LIMITS.bodyMax + 1) }, { body: 42 }, {}, { body: 'x', authorId: c.counselors[0]!.id }]) {
      const res = await t.http().post(path).set('Authorization', bearer(me.token)).send(body);
      expect([res.status, code(res)]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await list(me.token, path)).toEqual([]);
    await create(me.token, path, 'x'.repeat(NOTE_LIMITS.bodyMax));
    const id = (await list(me.token, path))[0]!.id;
    const patch = await t.http().patch(`/api/notes/${id}`).set('Authorization', bearer(me.token)).send({ body: '' });
    expect([patch.status, code(patch)]).toEqual([400, 'VALIDATION_FAILED']);

    for (let i = 1; i < NOTE_LIMITS.perAuthorPerSubject; i++) await create(me.token, path, `Notiz ${i}`);
    const over = await t.http().post(path).set('Authorization', bearer(me.token)).send({ body: 'eine zu viel' });
    expect([over.status, code(over)]).toEqual([409, 'CONFLICT']);
    expect(await list(me.token, path)).toHaveLength(NOTE_LIMITS.perAuthorPerSubject);
    // the thread's notes count on their own
    await create(me.token, threadNotes(thread), 'Thread-Notiz');
  });

  it('should keep no note text readable in the database', async () => {
    const [me, client] = [c.counselors[0]!, c.clients[0]!];
    const text = 'Geheime Notiz, 4711: über Suizidgedanken';
    const id = await create(me.token, clientNotes(client.id), text);
    const rows = await ds().query<{ body_enc: string }[]>('SELECT * FROM notes WHERE id = ?', [id]);
    expect(rows[0]!.body_enc).toMatch(/^v1:/);
    expect(await scopeOf(rows[0]!.body_enc)).toBe(`account:${client.id}`);
    // spaces, commas and colons never occur in base64url: any piece of the text would be plaintext
    const all = JSON.stringify(await ds().query('SELECT * FROM notes'));
    for (const piece of ['Geheime Notiz', ', 4711', 'über Suizid']) expect(all).not.toContain(piece);
  });

  it('should delete notes about a client who deletes their account, a retired counselor’s notes and a deleted thread’s notes', async () => {
    const [me, leaving] = [c.counselors[0]!, c.counselors[1]!];
    const count = async (sql: string, args: unknown[]) => (await ds().query<unknown[]>(sql, args)).length;

    const leaver = c.clients[2]!;
    await create(me.token, clientNotes(leaver.id), 'über die Klientin, die geht');
    expect(await count('SELECT id FROM notes WHERE client_id = ?', [leaver.id])).toBeGreaterThan(0);
    await t.http().delete('/api/accounts/me').set('Authorization', bearer(leaver.token)).send({ password: PASSWORD }).expect(204);
    expect(await count('SELECT id FROM notes WHERE client_id = ?', [leaver.id])).toBe(0);

    // the retired counselor's notes go; the other counselor's notes about the same client stay
    const client = c.clients[0]!;
    await seed.open(c.centerId, leaving.id, [client.id]);
    await create(leaving.token, clientNotes(client.id), 'von der Kollegin, die geht');
    await t.http().delete(`/api/centers/${c.slug}/staff/${leaving.id}`).set('Authorization', bearer(c.admin.token)).expect(204);
    expect(await count('SELECT id FROM notes WHERE author_id = ?', [leaving.id])).toBe(0);
    expect(await count('SELECT id FROM notes WHERE author_id = ?', [me.id])).toBeGreaterThan(0);

    // a thread deleted by retention takes its notes with it
    const thread = await seed.open(c.centerId, me.id, [client.id]);
    await create(me.token, threadNotes(thread), 'zum Thread, der abläuft');
    await seed.close(c.centerId, thread, me.id);
    expect(await t.app.get(ThreadRetentionService).deleteClosed(c.centerId, thread, clock.now())).toBe(true);
    expect(await count('SELECT id FROM notes WHERE thread_id = ?', [thread])).toBe(0);
  });
});
