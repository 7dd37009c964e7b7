import { DataSource } from 'typeorm';
import type { LoginResult, ThreadListItem, ThreadPostView, ThreadView } from '../../src/realtime/contract';
import { THREAD_LIMITS } from '../../src/realtime/contract';
import { ENQUIRY_ROUTER, LEAVE_WAITING } from '../../src/modules/threads/enquiry-router.port';
import { NO_ABSENCE, THREAD_ABSENCE } from '../../src/modules/threads/thread-absence.port';
import { ThreadPorts } from '../../src/modules/threads/thread-ports';
import { ClientCounselorsService } from '../../src/modules/client-counselors/client-counselors.service';
import { createStaff, PASSWORD } from '../factories';
import { closeAllSockets, connect, nextEvent, seedCenter, SeededCenter, startApp, TestApp, visitor, type Login } from '../harness/app';
import { TestClock } from '../harness/clock';
import { readOutbox } from '../harness/outbox';

const MISSING = '00000000-0000-4000-8000-000000000000';

interface ErrorAnswer {
  error: { code: string; message: string; fields?: string[] };
}

describe('mail counseling threads (REST + pushes)', () => {
  const clock = new TestClock();
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  let other: SeededCenter;
  let ds: DataSource;
  let n = 0;

  const bearer = (token: string) => `Bearer ${token}`;
  const get = (token: string | null, path: string) => {
    const r = t.http().get(path);
    return token ? r.set('Authorization', bearer(token)) : r;
  };
  const post = (token: string | null, path: string, body: object = {}) => {
    const r = t.http().post(path);
    return (token ? r.set('Authorization', bearer(token)) : r).send(body);
  };
  const list = async (who: Login) => (await get(who.token, '/api/threads').expect(200)).body as ThreadListItem[];
  const posts = async (who: Login, id: string, afterSeq = 0) =>
    ((await get(who.token, `/api/threads/${id}/posts?afterSeq=${afterSeq}`).expect(200)).body as { posts: ThreadPostView[] }).posts;
  const enquire = async (who: Login, subject = 'Betreff', body = 'Text'): Promise<string> =>
    ((await post(who.token, '/api/threads', { subject, body }).expect(201)).body as { id: string }).id;
  const write = async (who: Login, id: string, body: string, clientPostId = `p-${++n}`) =>
    (await post(who.token, `/api/threads/${id}/posts`, { body, clientPostId }).expect(201)).body as { id: string; seq: number };
  const count = async (sql: string, params: unknown[]) => Number((await ds.query<{ n: number | string }[]>(sql, params))[0]?.n ?? 0);
  const mailsTo = (address: string) => readOutbox(t.config.dataDir).filter((m) => m.toLowerCase().includes(`to: ${address.toLowerCase()}`));

  /** A client with a confirmed contact address (notification mails go to confirmed addresses only). */
  async function confirmedClient(): Promise<Login & { email: string }> {
    const username = `mailer-${++n}-${c.slug}`.slice(0, 40);
    // an address that does not repeat the pseudonym: the mails must not name it
    const email = `contact-${n}-${c.centerId.slice(0, 8)}@mail.example`;
    const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD, email }).expect(201);
    const body = res.body as LoginResult;
    const mail = readOutbox(t.config.dataDir).find((m) => m.includes(email)) ?? '';
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail)?.[1] ?? '';
    await t.http().post('/api/auth/confirm-email').send({ center: c.slug, token }).expect(204);
    return { id: body.account.id, token: body.token, displayName: body.account.displayName, login: username, password: PASSWORD, email };
  }

  /** An enquiry of `client`, assigned to `counselor` by the admin. */
  async function assigned(client: Login, counselor: Login, subject = 'Betreff', body = 'Text'): Promise<string> {
    const id = await enquire(client, subject, body);
    await post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: counselor.id }).expect(200);
    return id;
  }

  beforeAll(async () => {
    t = await startApp({ clock });
    ds = t.app.get(DataSource);
    c = await seedCenter(t, { counselors: 3, clients: 3 });
    other = await seedCenter(t, { counselors: 1, clients: 1 });
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  it('should carry an enquiry through assignment, answer and reading when a client writes to the center', async () => {
    const client = await confirmedClient();
    const [counselor] = c.counselors as [Login];
    const adminSocket = await connect(t.url, c.admin.token);
    const waiting = nextEvent(adminSocket, 'thread.updated');
    const id = await enquire(client, 'SUBJECT-ENQ-1 Trennung', 'BODY-ENQ-1 Ich brauche Hilfe');
    await expect(waiting).resolves.toEqual({ threadId: id });

    // the admin sees who and when, never the subject or the text
    const adminList = await list(c.admin);
    const entry = adminList.find((x) => x.id === id);
    expect(entry).toMatchObject({
      id,
      kind: 'enquiry',
      status: 'waiting',
      subject: null,
      counselor: null,
      client: { id: client.id, displayName: client.displayName },
    });
    expect(JSON.stringify(adminList)).not.toMatch(/SUBJECT-ENQ-1|BODY-ENQ-1/);
    await get(c.admin.token, `/api/threads/${id}/posts`).expect(404);
    await get(c.admin.token, `/api/threads/${id}`).expect(404);
    const adminMails = mailsTo('admin0@' + c.slug + '.example');
    expect(adminMails).toHaveLength(1);
    expect(adminMails[0]).toContain('Eine neue Anfrage wartet');
    expect(adminMails[0]).toContain(`/c/${c.slug}/admin/enquiries`);

    await post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: counselor.id }).expect(200);
    const assignedMails = mailsTo(counselor.login);
    expect(assignedMails).toHaveLength(1);
    expect(assignedMails[0]).toContain(`/c/${c.slug}/threads/${id}`);
    expect((await list(c.admin)).find((x) => x.id === id)).toMatchObject({ status: 'open', subject: null, counselor: { id: counselor.id } });

    const mine = (await list(counselor)).find((x) => x.id === id);
    expect(mine).toMatchObject({ subject: 'SUBJECT-ENQ-1 Trennung', unread: 1, counselor: { id: counselor.id } });

    const clientSocket = await connect(t.url, client.token);
    const pushed = nextEvent(clientSocket, 'thread.posted');
    const answer = await write(counselor, id, 'BODY-ANSWER-1 Wir sind für Sie da.');
    expect(answer.seq).toBe(2);
    await expect(pushed).resolves.toEqual({ threadId: id, seq: 2, postId: answer.id, senderRole: 'counselor' });

    expect((await list(client)).find((x) => x.id === id)).toMatchObject({ unread: 1, counselor: { id: counselor.id, displayName: counselor.displayName } });
    const seen = await posts(client, id);
    expect(seen.map((p) => [p.seq, p.kind, p.sender?.role, p.body])).toEqual([
      [1, 'post', 'client', 'BODY-ENQ-1 Ich brauche Hilfe'],
      [2, 'post', 'counselor', 'BODY-ANSWER-1 Wir sind für Sie da.'],
    ]);
    expect(seen[1]).toMatchObject({ sender: { id: counselor.id, displayName: counselor.displayName }, documents: [] });
    await post(client.token, `/api/threads/${id}/read`, { seq: 2 }).expect(200);
    expect((await list(client)).find((x) => x.id === id)?.unread).toBe(0);
    const header = (await get(client.token, `/api/threads/${id}`).expect(200)).body as ThreadView;
    expect(header).toMatchObject({ id, kind: 'enquiry', status: 'open', subject: 'SUBJECT-ENQ-1 Trennung', lastSeq: 2, lastReadSeq: 2, absence: null });

    // every notification mail: a link, no content, no subject, no pseudonym
    const clientMails = mailsTo(client.email);
    expect(clientMails.filter((m) => m.includes('Neue Nachricht'))).toHaveLength(1);
    expect(clientMails.some((m) => m.includes(`/c/${c.slug}/threads`))).toBe(true);
    for (const m of [...adminMails, ...assignedMails, ...clientMails.filter((x) => x.includes('Neue Nachricht'))]) {
      expect(m).not.toMatch(/SUBJECT-ENQ-1|BODY-ENQ-1|BODY-ANSWER-1|Trennung|Hilfe/);
      expect(m).not.toContain(client.displayName);
    }
  });

  it('should send one notification mail per member and thread within 15 minutes when posts follow each other', async () => {
    const client = await confirmedClient();
    const [, counselor] = c.counselors as [Login, Login];
    const id = await assigned(client, counselor);
    const postMails = () => mailsTo(client.email).filter((m) => m.includes('Neue Nachricht'));
    await write(counselor, id, 'eins');
    await write(counselor, id, 'zwei');
    await write(counselor, id, 'drei');
    expect(postMails()).toHaveLength(1);
    // the counselor got the assignment mail; the client's enquiry and answers within the window add none
    await write(client, id, 'Antwort');
    await write(client, id, 'Nachtrag');
    expect(mailsTo(counselor.login).filter((m) => m.includes(`/threads/${id}`))).toHaveLength(1);

    clock.advance(THREAD_LIMITS.mailThrottleMs + 1000);
    await write(counselor, id, 'vier');
    expect(postMails()).toHaveLength(2);
    await write(client, id, 'wieder da');
    expect(mailsTo(counselor.login).filter((m) => m.includes(`/threads/${id}`))).toHaveLength(2);
  });

  it('should store one post when the same clientPostId is sent twice, also at the same moment', async () => {
    const [client] = c.clients as [Login];
    const id = await assigned(client, c.counselors[0]!);
    const first = await write(client, id, 'einmal', 'same-id');
    const again = await post(client.token, `/api/threads/${id}/posts`, { body: 'anderer Text', clientPostId: 'same-id' }).expect(201);
    expect(again.body).toEqual(first);
    const both = await Promise.all([
      post(client.token, `/api/threads/${id}/posts`, { body: 'parallel', clientPostId: 'race-id' }),
      post(client.token, `/api/threads/${id}/posts`, { body: 'parallel', clientPostId: 'race-id' }),
    ]);
    expect(both.map((r) => r.status)).toEqual([201, 201]);
    expect(both[0].body).toEqual(both[1].body);
    expect(await count('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ? AND client_post_id IN (?, ?)', [id, 'same-id', 'race-id'])).toBe(2);
    // the seq stays gap-free
    expect((await posts(client, id)).map((p) => p.seq)).toEqual([1, 2, 3]);
    // the writer sees their own clientPostIds (their page matches what it is still sending), nobody else does; the enquiry's text had none
    expect((await posts(client, id)).map((p) => p.clientPostId)).toEqual([undefined, 'same-id', 'race-id']);
    expect((await posts(c.counselors[0]!, id)).map((p) => p.clientPostId)).toEqual([undefined, undefined, undefined]);
  });

  it('should show a new counselor only the posts from the take-over on and lock the old one out when the admin reassigns', async () => {
    const [client] = c.clients as [Login];
    const [oldOne, newOne] = c.counselors as [Login, Login];
    const id = await assigned(client, oldOne, 'Betreff', 'EARLY-1');
    await write(oldOne, id, 'EARLY-2');
    const oldSocket = await connect(t.url, oldOne.token);
    const updated = nextEvent(oldSocket, 'thread.updated');
    await post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: newOne.id }).expect(200);
    await expect(updated).resolves.toEqual({ threadId: id });

    const seenByNew = await posts(newOne, id);
    expect(seenByNew.map((p) => p.kind)).toEqual(['notice']);
    expect(JSON.stringify(seenByNew)).not.toContain('EARLY');
    await write(newOne, id, 'LATER-1');
    expect((await posts(newOne, id)).map((p) => p.body)).toEqual([null, 'LATER-1']);

    // the old counselor: nothing at all any more, as for an id that does not exist
    for (const path of [`/api/threads/${id}`, `/api/threads/${id}/posts`]) {
      const res = await get(oldOne.token, path).expect(404);
      expect((res.body as ErrorAnswer).error.code).toBe('NOT_FOUND');
    }
    await post(oldOne.token, `/api/threads/${id}/posts`, { body: 'x', clientPostId: 'x' }).expect(404);
    expect((await list(oldOne)).some((x) => x.id === id)).toBe(false);

    // the client is told in the thread, as a translatable notice
    const seenByClient = await posts(client, id);
    expect(seenByClient.map((p) => p.body ?? p.kind)).toEqual(['EARLY-1', 'EARLY-2', 'notice', 'LATER-1']);
    expect(seenByClient[2]).toMatchObject({ kind: 'notice', sender: null, notice: { code: 'reassigned', params: { counselor: newOne.displayName } } });
  });

  it('should leave exactly one counselor when two admins assign at the same moment', async () => {
    const id = await enquire(c.clients[1]!);
    const secondAdmin = await seedSecondAdmin();
    const answers = await Promise.all([
      post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: c.counselors[0]!.id }),
      post(secondAdmin.token, `/api/threads/${id}/assign`, { counselorId: c.counselors[1]!.id }),
    ]);
    // one after the other: an assignment and a reassignment; truly at once: one of them gets CONFLICT
    expect(answers.map((a) => a.status).sort()).toEqual(expect.arrayContaining([200]));
    for (const a of answers) expect([200, 409]).toContain(a.status);
    const members = await ds.query<{ account_id: string }[]>('SELECT account_id FROM thread_members WHERE thread_id = ? AND role = ?', [id, 'counselor']);
    const [row] = await ds.query<{ counselor_id: string }[]>('SELECT counselor_id FROM threads WHERE id = ?', [id]);
    expect(members.map((m) => m.account_id)).toEqual([row!.counselor_id]);
  });

  async function seedSecondAdmin(): Promise<Login> {
    const { createStaff } = await import('../factories');
    return createStaff(t, { id: c.centerId, slug: c.slug }, { role: 'admin', email: `admin-two-${++n}@${c.slug}.example` });
  }

  it('should let the members of a group thread see each other by pseudonym only when a counselor opens one', async () => {
    const counselor = c.counselors[2]!;
    const [a, b, stranger] = c.clients as [Login, Login, Login];
    await assigned(a, counselor);
    await assigned(b, counselor);
    // a client who is not theirs: as if the id did not exist
    const foreign = await post(counselor.token, '/api/threads', { subject: 'Eltern', body: 'Hallo', clientIds: [a.id, stranger.id] }).expect(404);
    expect((foreign.body as ErrorAnswer).error.code).toBe('NOT_FOUND');
    await post(counselor.token, '/api/threads', { subject: 'Eltern', body: 'Hallo', clientIds: [a.id, MISSING] }).expect(404);

    const id = (
      (await post(counselor.token, '/api/threads', { subject: 'Eltern', body: 'Hallo beide', clientIds: [a.id, b.id] }).expect(201)).body as { id: string }
    ).id;
    const bSocket = await connect(t.url, b.token);
    const pushed = nextEvent(bSocket, 'thread.posted');
    const fromA = await write(a, id, 'Von A');
    await expect(pushed).resolves.toMatchObject({ threadId: id, postId: fromA.id, senderRole: 'client' });

    const header = (await get(b.token, `/api/threads/${id}`).expect(200)).body as ThreadView;
    expect(header.kind).toBe('group');
    expect(header.members.map((m) => Object.keys(m).sort())).toEqual([
      ['displayName', 'id', 'role'],
      ['displayName', 'id', 'role'],
      ['displayName', 'id', 'role'],
    ]);
    expect(header.members.map((m) => m.displayName).sort()).toEqual([counselor.displayName, a.displayName, b.displayName].sort());
    const seen = await posts(b, id);
    expect(seen.map((p) => [p.sender?.displayName, p.body])).toEqual([
      [counselor.displayName, 'Hallo beide'],
      [a.displayName, 'Von A'],
    ]);
    expect(JSON.stringify([header, seen])).not.toMatch(/@|login|email/i);
    await get(stranger.token, `/api/threads/${id}`).expect(404);
  });

  it('should list a counselor’s clients of threads and by assignment in one request, and nobody else’s', async () => {
    const counselor = await createStaff(t, { id: c.centerId, slug: c.slug });
    const [ofThread, byAssignment, stranger] = c.clients as [Login, Login, Login];
    await assigned(ofThread, counselor);
    await t.app.get(ClientCounselorsService).assignIfNone(c.centerId, byAssignment.id, counselor.id, 'crisis');
    const mine = (await get(counselor.token, '/api/threads/clients').expect(200)).body as { id: string; displayName: string }[];
    expect(mine).toEqual(
      [ofThread, byAssignment].map((p) => ({ id: p.id, displayName: p.displayName })).sort((x, y) => x.displayName.localeCompare(y.displayName)),
    );
    expect(mine.map((p) => p.id)).not.toContain(stranger.id);
    // every client listed is one the server lets the counselor open a thread with
    await post(counselor.token, '/api/threads', { subject: 'Beide', body: 'Hallo', clientIds: mine.map((p) => p.id) }).expect(201);
    // a counselor of the other center, clients, admins and nobody get nothing
    expect((await get(other.counselors[0]!.token, '/api/threads/clients').expect(200)).body).toEqual([]);
    expect(((await get(ofThread.token, '/api/threads/clients').expect(403)).body as ErrorAnswer).error.code).toBe('FORBIDDEN');
    await get(c.admin.token, '/api/threads/clients').expect(403);
    await get(null, '/api/threads/clients').expect(401);
  });

  it('should answer NOT_FOUND or UNAUTHORIZED without an existence oracle when an outsider tries any route', async () => {
    const [client] = c.clients as [Login];
    const id = await assigned(client, c.counselors[0]!);
    const before = await count('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ?', [id]);
    const guest = await visitor(t, c.slug);
    const outsiders: [string, string | null][] = [
      ['no token', null],
      ['visitor', guest.token],
      ['another client', c.clients[1]!.token],
      ['another counselor', c.counselors[1]!.token],
      ['the admin (content)', c.admin.token],
      ['another center', other.clients[0]!.token],
      ['another center’s counselor', other.counselors[0]!.token],
    ];
    const routes: [string, (token: string | null, thread: string) => Promise<{ status: number; body: unknown }>][] = [
      ['GET thread', (tok, th) => get(tok, `/api/threads/${th}`)],
      ['GET posts', (tok, th) => get(tok, `/api/threads/${th}/posts`)],
      ['POST post', (tok, th) => post(tok, `/api/threads/${th}/posts`, { body: 'eingedrungen', clientPostId: 'intruder' })],
      ['POST read', (tok, th) => post(tok, `/api/threads/${th}/read`, { seq: 1 })],
      ['POST close', (tok, th) => post(tok, `/api/threads/${th}/close`)],
    ];
    for (const [who, token] of outsiders) {
      for (const [route, call] of routes) {
        const real = await call(token, id);
        const none = await call(token, MISSING);
        const expected = token === null ? 401 : 404;
        expect({ who, route, status: real.status }).toEqual({ who, route, status: expected });
        // an id that exists and one that does not answer alike
        expect({ who, route, body: real.body }).toEqual({ who, route, body: none.body });
      }
    }
    // assignment: admins of the thread's center only; another center's admin cannot tell it exists
    const foreignAdmin = await post(other.admin.token, `/api/threads/${id}/assign`, { counselorId: other.counselors[0]!.id });
    const foreignMissing = await post(other.admin.token, `/api/threads/${MISSING}/assign`, { counselorId: other.counselors[0]!.id });
    expect([foreignAdmin.status, foreignAdmin.body]).toEqual([404, foreignMissing.body]);
    await post(null, `/api/threads/${id}/assign`, { counselorId: c.counselors[1]!.id }).expect(401);
    for (const token of [client.token, c.counselors[0]!.token, guest.token]) {
      const res = await post(token, `/api/threads/${id}/assign`, { counselorId: c.counselors[1]!.id }).expect(403);
      expect((res.body as ErrorAnswer).error.code).toBe('FORBIDDEN');
    }
    // a counselor of another center is no counselor here
    const wrong = await post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: other.counselors[0]!.id }).expect(400);
    expect((wrong.body as ErrorAnswer).error.fields).toEqual(['counselorId']);
    // lists: nobody else's thread shows up
    for (const who of [c.clients[1]!, c.counselors[1]!, other.admin, other.clients[0]!]) expect((await list(who)).some((x) => x.id === id)).toBe(false);
    await get(null, '/api/threads').expect(401);
    await get(guest.token, '/api/threads').expect(403);
    await post(guest.token, '/api/threads', { subject: 'x', body: 'y' }).expect(403);
    await post(c.admin.token, '/api/threads', { subject: 'x', body: 'y' }).expect(403);
    expect(await count('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ?', [id])).toBe(before);
  });

  it('should refuse empty, huge and malformed bodies and store nothing when a member posts', async () => {
    const [client] = c.clients as [Login];
    const id = await assigned(client, c.counselors[0]!);
    const stored = () => count('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ?', [id]);
    const before = await stored();
    const bad: [object, string][] = [
      [{ body: '', clientPostId: 'a' }, 'body'],
      [{ body: '   \n ', clientPostId: 'a' }, 'body'],
      [{ body: 'x'.repeat(THREAD_LIMITS.bodyMax + 1), clientPostId: 'a' }, 'body'],
      [{ body: 42, clientPostId: 'a' }, 'body'],
      [{ body: { text: 'x' }, clientPostId: 'a' }, 'body'],
      [{ body: 'ok' }, 'clientPostId'],
      [{ body: 'ok', clientPostId: '' }, 'clientPostId'],
      [{ body: 'ok', clientPostId: 'x'.repeat(65) }, 'clientPostId'],
      [{ body: 'ok', clientPostId: 'a', senderId: c.counselors[0]!.id }, 'senderId'],
      [{ body: 'ok', clientPostId: 'a', documentIds: ['not-a-uuid'] }, 'documentIds'],
    ];
    for (const [body, field] of bad) {
      const res = await post(client.token, `/api/threads/${id}/posts`, body).expect(400);
      expect((res.body as ErrorAnswer).error).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((res.body as ErrorAnswer).error.fields).toContain(field);
    }
    // attaching documents that are not one's own uploads of this thread
    await post(client.token, `/api/threads/${id}/posts`, { body: 'ok', clientPostId: 'docs', documentIds: [MISSING] }).expect((r) => {
      expect([400, 404]).toContain(r.status);
    });
    const malformed = await t
      .http()
      .post(`/api/threads/${id}/posts`)
      .set('Authorization', bearer(client.token))
      .set('Content-Type', 'application/json')
      .send('{"body": "x", ')
      .expect(400);
    expect((malformed.body as ErrorAnswer).error.code).toBe('VALIDATION_FAILED');
    const huge = await post(client.token, `/api/threads/${id}/posts`, { body: 'x'.repeat(70_000), clientPostId: 'h' }).expect(413);
    expect((huge.body as ErrorAnswer).error.code).toBe('PAYLOAD_TOO_LARGE');
    for (const q of ['afterSeq=-1', 'afterSeq=abc', 'limit=0', 'limit=101', 'sneaky=1']) await get(client.token, `/api/threads/${id}/posts?${q}`).expect(400);
    await post(client.token, `/api/threads/${id}/read`, { seq: 'eins' }).expect(400);
    expect(await stored()).toBe(before);

    // opening a thread
    const threadsBefore = await count('SELECT COUNT(*) AS n FROM threads WHERE center_id = ?', [c.centerId]);
    for (const body of [
      { subject: '', body: 'x' },
      { subject: 'x', body: ' ' },
      { subject: 'x'.repeat(THREAD_LIMITS.subjectMax + 1), body: 'x' },
      { subject: 'x' },
    ])
      await post(client.token, '/api/threads', body).expect(400);
    await post(client.token, '/api/threads', { subject: 'x', body: 'y', clientIds: [c.clients[1]!.id] }).expect(400);
    await post(c.counselors[0]!.token, '/api/threads', { subject: 'x', body: 'y' }).expect(400);
    await post(c.counselors[0]!.token, '/api/threads', { subject: 'x', body: 'y', clientIds: [] }).expect(400);
    await post(c.counselors[0]!.token, '/api/threads', { subject: 'x', body: 'y', clientIds: ['nope'] }).expect(400);
    expect(await count('SELECT COUNT(*) AS n FROM threads WHERE center_id = ?', [c.centerId])).toBe(threadsBefore);
  });

  it('should refuse posts with CONFLICT when the counselor closed the thread', async () => {
    const [client] = c.clients as [Login];
    const counselor = c.counselors[0]!;
    const id = await assigned(client, counselor);
    const forbidden = await post(client.token, `/api/threads/${id}/close`).expect(403);
    expect((forbidden.body as ErrorAnswer).error.code).toBe('FORBIDDEN');
    await post(counselor.token, `/api/threads/${id}/close`).expect(200);
    const refused = await post(client.token, `/api/threads/${id}/posts`, { body: 'noch was', clientPostId: 'late' }).expect(409);
    expect((refused.body as ErrorAnswer).error.code).toBe('CONFLICT');
    await post(counselor.token, `/api/threads/${id}/close`).expect(409);
    expect(((await get(client.token, `/api/threads/${id}`).expect(200)).body as ThreadView).status).toBe('closed');
    expect((await posts(client, id)).map((p) => p.body)).toEqual(['Text']);
    await post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: c.counselors[1]!.id }).expect(409);
  });

  it('should keep no subject or post text readable in the database when threads were written', async () => {
    const [client] = c.clients as [Login];
    const counselor = c.counselors[0]!;
    const id = await assigned(client, counselor, 'RAW-SUBJECT-Sorgen', 'RAW-BODY-Geheimnis');
    await write(counselor, id, 'RAW-ANSWER-Vertraulich');
    const rows = await ds.query<{ body: string }[]>('SELECT body FROM thread_posts WHERE thread_id = ?', [id]);
    const subjects = await ds.query<{ subject_enc: string }[]>('SELECT subject_enc FROM threads WHERE id = ?', [id]);
    const raw = JSON.stringify([rows, subjects]);
    expect(raw).not.toMatch(/RAW-|Sorgen|Geheimnis|Vertraulich/);
    for (const r of rows) expect(JSON.parse(r.body)).toMatchObject({ v: 1, alg: 'server', ct: expect.stringMatching(/^v1:/) as unknown });
  });

  it('should remove a deleted client’s 1:1 threads and leave tombstones in a group thread when the client deletes the account', async () => {
    const counselor = c.counselors[2]!;
    const leaver = await confirmedClient();
    const stayer = await confirmedClient();
    const direct = await assigned(leaver, counselor, 'Nur meins', 'LEAVER-1');
    await assigned(stayer, counselor);
    const group = (
      (await post(counselor.token, '/api/threads', { subject: 'Gruppe', body: 'Willkommen', clientIds: [leaver.id, stayer.id] }).expect(201)).body as {
        id: string;
      }
    ).id;
    await write(leaver, group, 'LEAVER-GROUP');
    await write(stayer, group, 'STAYER-GROUP');

    await t.http().delete('/api/accounts/me').set('Authorization', bearer(leaver.token)).send({ password: PASSWORD }).expect(204);

    expect(await count('SELECT COUNT(*) AS n FROM threads WHERE id = ?', [direct])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ?', [direct])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM thread_members WHERE thread_id = ?', [direct])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM thread_members WHERE account_id = ?', [leaver.id])).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM thread_posts WHERE sender_id = ?', [leaver.id])).toBe(0);
    const seen = await posts(stayer, group);
    expect(seen.map((p) => [p.kind, p.body])).toEqual([
      ['post', 'Willkommen'],
      ['deleted', null],
      ['post', 'STAYER-GROUP'],
    ]);
    expect(seen[1]!.sender).toBeNull();
    const header = (await get(stayer.token, `/api/threads/${group}`).expect(200)).body as ThreadView;
    expect(header.members).toContainEqual({ id: null, displayName: null, role: 'client', deleted: true });
    expect(JSON.stringify(header)).not.toContain(leaver.displayName);
  });

  it('should hand a deleted counselor’s threads back to the admin’s assignment list when the admin deletes the counselor', async () => {
    const { createStaff } = await import('../factories');
    const leaving = await createStaff(t, { id: c.centerId, slug: c.slug }, { role: 'counselor', email: `leaving-${++n}@${c.slug}.example` });
    const [client] = c.clients as [Login];
    const id = await assigned(client, leaving, 'Betreff', 'BEFORE');
    await write(leaving, id, 'FROM-LEAVING');
    await t.http().delete(`/api/centers/${c.slug}/staff/${leaving.id}`).set('Authorization', bearer(c.admin.token)).expect(204);

    expect((await list(c.admin)).find((x) => x.id === id)).toMatchObject({ status: 'waiting', counselor: null, subject: null });
    expect(await count('SELECT COUNT(*) AS n FROM thread_members WHERE account_id = ?', [leaving.id])).toBe(0);
    // the client still reads everything; the next counselor takes over from now on
    expect((await posts(client, id)).map((p) => p.body)).toEqual(['BEFORE', 'FROM-LEAVING']);
    await post(c.admin.token, `/api/threads/${id}/assign`, { counselorId: c.counselors[1]!.id }).expect(200);
    expect(JSON.stringify(await posts(c.counselors[1]!, id))).not.toMatch(/BEFORE|FROM-LEAVING/);
  });

  it('should mail the admins instead of an absent counselor and show the absence when the counselor is away', async () => {
    const client = await confirmedClient();
    const counselor = c.counselors[1]!;
    const id = await assigned(client, counselor);
    const ports = t.app.get(ThreadPorts);
    const until = clock.in(3 * 24 * 60 * 60 * 1000);
    ports.register(THREAD_ABSENCE, {
      activeFor: (_center, who) => Promise.resolve(who === counselor.id ? { until, text: 'Ich bin bis Montag im Urlaub.' } : null),
    });
    try {
      clock.advance(THREAD_LIMITS.mailThrottleMs + 1000);
      const counselorMails = mailsTo(counselor.login).length;
      const adminMails = mailsTo(c.admin.login).filter((m) => m.includes('Abwesenheit')).length;
      await write(client, id, 'ABSENT-POST Hallo?');
      expect(mailsTo(counselor.login)).toHaveLength(counselorMails);
      const toAdmin = mailsTo(c.admin.login).filter((m) => m.includes('Abwesenheit'));
      expect(toAdmin).toHaveLength(adminMails + 1);
      expect(toAdmin.at(-1)).not.toMatch(/ABSENT-POST|Urlaub/);
      const header = (await get(client.token, `/api/threads/${id}`).expect(200)).body as ThreadView;
      expect(header.absence).toEqual({ until: until.toISOString(), text: 'Ich bin bis Montag im Urlaub.' });
    } finally {
      ports.register(THREAD_ABSENCE, NO_ABSENCE);
    }
  });

  it('should give an enquiry to a counselor at once when the enquiry router names one', async () => {
    const ports = t.app.get(ThreadPorts);
    const counselor = c.counselors[2]!;
    ports.register(ENQUIRY_ROUTER, { counselorFor: () => Promise.resolve(counselor.id) });
    try {
      const waitingMails = mailsTo(c.admin.login).filter((m) => m.includes('Eine neue Anfrage wartet')).length;
      const id = await enquire(c.clients[2]!, 'Krise', 'Sofort');
      expect((await list(counselor)).find((x) => x.id === id)).toMatchObject({ status: 'open', subject: 'Krise', counselor: { id: counselor.id } });
      expect((await posts(counselor, id)).map((p) => p.body)).toEqual(['Sofort']);
      expect(mailsTo(c.admin.login).filter((m) => m.includes('Eine neue Anfrage wartet'))).toHaveLength(waitingMails);
    } finally {
      ports.register(ENQUIRY_ROUTER, LEAVE_WAITING);
    }
  });

  it('should no longer list a client as never having written when their only writing is an enquiry', async () => {
    const username = `silent-${++n}-${c.slug}`.slice(0, 40);
    const res = await t.http().post('/api/auth/register').send({ center: c.slug, username, password: PASSWORD }).expect(201);
    const client = res.body as LoginResult;
    const inactive = async () =>
      ((await get(c.admin.token, `/api/centers/${c.slug}/clients/inactive`).expect(200)).body as { id: string; hasWritten: boolean }[]).map((x) => x.id);
    expect(await inactive()).toContain(client.account.id);
    await post(client.token, '/api/threads', { subject: 'Frage', body: 'Erste Nachricht' }).expect(201);
    expect(await inactive()).not.toContain(client.account.id);
  });
});
