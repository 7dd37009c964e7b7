import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Ack } from '../../src/realtime/contract';
import { callRaw } from '../harness/ack';
import { type Actor, as, type CenterWorld, socketOf, world } from './actors';
import { type ActorKey, actorsOf, fillPath, forbiddenIds, operations, RULES, send } from './access';
import { plant, server } from './server';

/**
 * Hostile ids and mass assignment (docs/security.md, "Access"): every id in a path of the OpenAPI
 * document, and the ids in bodies and socket payloads, replaced by `""`, `null`, `0`, arrays,
 * objects, traversal and injection strings and another center's uuids — answered 400 or 404, never
 * a success, never a 500, never another party's data; fields a caller may not set (`role`,
 * `centerId`, `id`, `accountId`, `counselorId`, `createdAt`, `__proto__` …) refused or ignored, never
 * applied — checked in the database.
 */

function sql<T = Record<string, unknown>>(query: string, ...params: unknown[]): T[] {
  const db = new Database(join(server().dataDir, 'lotse.sqlite'), { readonly: true });
  try {
    db.pragma('busy_timeout = 5000');
    return db.prepare(query).all(...params) as T[];
  } finally {
    db.close();
  }
}

const W = () => world().centers;
const PATH_HOSTILE = (b: CenterWorld): [string, string][] => [
  ['empty', ''],
  ['null', 'null'],
  ['zero', '0'],
  ['array', '[]'],
  ['object', '{}'],
  ['negative', '-1'],
  ['NUL byte', 'a\u0000b'],
  ['traversal', '../../etc/passwd'],
  ['SQL', "1' OR '1'='1"],
  ['300 chars', 'a'.repeat(300)],
  ['uuid upper-case of a real one', b.threads[0].toUpperCase()],
  ["another center's thread", b.threads[0]],
  ["another center's room", b.rooms[0]],
  ["another center's client", b.clients[0].id],
];

const BODY_HOSTILE = (b: CenterWorld): [string, unknown][] => [
  ['empty string', ''],
  ['null', null],
  ['zero', 0],
  ['array', []],
  ['object', {}],
  ['nested object', { $gt: '' }],
  ['number', 12345],
  ['true', true],
  ['SQL', "x' OR '1'='1"],
  ["another center's account", b.clients[0].id],
  ["another center's counselor", b.counselors[0].id],
];

const ops = operations().filter((o) => /\{(?!center\})\w+\}/.test(o.path) && !o.path.startsWith('/api/video'));

describe('hostile ids in every path', () => {
  for (const op of ops) {
    const rule = RULES[op.key];
    if (!rule) continue;
    it(`${op.key}: "", null, 0, arrays, objects, traversal, SQL and another center's ids answer 400 or 404`, async () => {
      const [a, b] = W();
      const who = actorsOf();
      // the first actor the table lets through (the owner): the strongest caller for this route
      const actor: ActorKey = rule.allow.find((x) => x !== 'anon') ?? 'admin';
      const base = Object.fromEntries([...op.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, m[1] === 'center' ? a.slug : randomUUID()]));
      const forbidden = forbiddenIds({ a, b, who })[actor];
      const problems: string[] = [];
      const ids = Object.keys(base).filter((k) => k !== 'center');
      await Promise.all(
        PATH_HOSTILE(b).flatMap(([label, value]) =>
          ids.map(async (param) => {
            const path = fillPath(op.path, { ...base, [param]: value });
            const ans = await send(op.method, path, who[actor]?.token ?? null, { body: {} });
            // an empty last segment is another route (GET /api/threads/ is the list): the matrix covers that one
            if (value === '' && path.endsWith('/') && ans.status < 400) return;
            // an empty segment elsewhere makes it an unknown route (404/405): never a success or a crash
            if (ans.status < 400 || ans.status >= 500) problems.push(`${param}=${label}: ${ans.status} ${ans.code ?? ''}`);
            if (ans.status >= 400 && ans.status !== 404 && ans.status !== 400 && ans.status !== 405 && ans.status !== 415)
              problems.push(`${param}=${label}: unexpected ${ans.status} ${ans.code ?? ''}`);
            if (ans.text.includes('stack') || /at \w+ \(/.test(ans.text)) problems.push(`${param}=${label}: a stack trace`);
            const leaked = forbidden.filter((id) => ans.text.includes(id) && id !== value);
            if (leaked.length) problems.push(`${param}=${label}: the answer carries ${leaked.join(', ')}`);
          }),
        ),
      );
      expect(problems).toEqual([]);
    });
  }
});

describe('hostile ids in bodies, queries and socket payloads', () => {
  it('POST /api/threads clientIds: refused for every hostile value, and no thread is created', async () => {
    const [a, b] = W();
    const counselor = a.counselors[0];
    const count = () => sql<{ n: number }>('SELECT COUNT(*) AS n FROM threads WHERE counselor_id = ?', counselor.id)[0]!.n;
    const before = count();
    const values: unknown[] = [
      ...BODY_HOSTILE(b).map(([, v]) => [v]),
      'not-an-array',
      [a.clients[0].id, a.clients[0].id],
      [a.counselors[1].id],
      [counselor.id],
    ];
    values.push(Array.from({ length: 1000 }, () => randomUUID()));
    for (const clientIds of values) {
      const res = await as(counselor.token).post('/api/threads').send({ subject: 'S', body: 'B', clientIds });
      expect({ clientIds: JSON.stringify(clientIds).slice(0, 60), refused: [400, 404].includes(res.status) }).toEqual({
        clientIds: JSON.stringify(clientIds).slice(0, 60),
        refused: true,
      });
    }
    expect(count()).toBe(before);
  });

  it('POST /api/threads/{id}/assign counselorId: a client, an admin, another center’s counselor or garbage never becomes the counselor', async () => {
    const [a, b] = W();
    // (client 0's enquiries go to counselor 0 at once; the admin reassigns them)
    const enquiry = await as(a.clients[0].token)
      .post('/api/threads')
      .send({ subject: 'S', body: plant(`Text ${randomBytes(4).toString('hex')}`) })
      .expect(201);
    const id = (enquiry.body as { id: string }).id;
    const counselorOf = () => sql<{ counselor_id: string | null }>('SELECT counselor_id FROM threads WHERE id = ?', id)[0]!.counselor_id;
    const before = counselorOf();
    for (const counselorId of [...BODY_HOSTILE(b).map(([, v]) => v), a.clients[1].id, a.admin.id, a.visitor.id]) {
      const res = await as(a.admin.token).post(`/api/threads/${id}/assign`).send({ counselorId });
      expect([400, 404]).toContain(res.status);
    }
    expect(counselorOf()).toBe(before);
    expect([null, a.counselors[0].id]).toContain(before);
  });

  it('POST /api/threads/{id}/posts documentIds: another thread’s or center’s documents are not attached', async () => {
    const [a, b] = W();
    const before = sql<{ n: number }>('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ?', a.threads[1])[0]!.n;
    for (const documentIds of [[a.documentId], [b.documentId], [null], [{}], 'x', [randomUUID()]]) {
      const res = await as(a.clients[1].token)
        .post(`/api/threads/${a.threads[1]}/posts`)
        .send({ body: 'Mit Anhang', clientPostId: `d-${randomBytes(4).toString('hex')}`, documentIds });
      expect([400, 404]).toContain(res.status);
    }
    expect(sql<{ n: number }>('SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ?', a.threads[1])[0]!.n).toBe(before);
  });

  it('query values: afterSeq/limit as arrays, objects, negatives and huge numbers answer 400', async () => {
    const [a] = W();
    for (const q of ['afterSeq=-1', 'afterSeq[]=1', 'afterSeq[$gt]=0', 'afterSeq=1e3', 'limit=1000000000', 'limit=0', 'afterSeq=0x10', 'afterSeq=%00']) {
      const res = await as(a.clients[0].token).get(`/api/threads/${a.threads[0]}/posts?${q}`);
      expect({ q, status: res.status }).toEqual({ q, status: 400 });
    }
  });

  it('GET /api/centers/{center}/slots?counselorId= another center’s counselor: none of their slots', async () => {
    const [a, b] = W();
    const res = await as(a.clients[0].token).get(`/api/centers/${a.slug}/slots?counselorId=${b.counselors[0].id}`);
    expect([200, 404]).toContain(res.status);
    for (const id of [...b.slots, b.bookedSlot]) expect(res.text).not.toContain(id);
  });

  describe('socket payloads', () => {
    let client: Awaited<ReturnType<typeof socketOf>>;
    let counselor: Awaited<ReturnType<typeof socketOf>>;
    beforeAll(async () => {
      client = await socketOf(W()[0].clients[0].token);
      counselor = await socketOf(W()[0].counselors[1].token);
    });
    afterAll(() => {
      client.close();
      counselor.close();
    });
    const SOCKET_HOSTILE = (b: CenterWorld): [string, unknown][] => [
      ...BODY_HOSTILE(b),
      ["another center's room", b.rooms[0]],
      ['traversal', '../rooms'],
      ['300 chars', 'a'.repeat(300)],
    ];

    for (const command of ['message.send', 'room.join', 'room.history', 'room.read', 'room.typing', 'room.close', 'live.end'] as const) {
      it(`${command} roomId: every hostile value is refused with VALIDATION_FAILED or NOT_FOUND (or FORBIDDEN), nothing stored`, async () => {
        const [, b] = W();
        const before = sql<{ n: number }>('SELECT COUNT(*) AS n FROM messages')[0]!.n;
        const socket = command === 'room.close' || command === 'live.end' ? counselor : client;
        const problems: string[] = [];
        for (const [label, roomId] of SOCKET_HOSTILE(b)) {
          const ack = await callRaw(socket, command, {
            roomId,
            clientMsgId: `h-${randomBytes(4).toString('hex')}`,
            body: 'x',
            seq: 1,
            typing: true,
          });
          if (ack.ok || !['VALIDATION_FAILED', 'NOT_FOUND', 'FORBIDDEN'].includes(ack.error.code))
            problems.push(`${label}: ${JSON.stringify(ack).slice(0, 120)}`);
        }
        expect(problems).toEqual([]);
        expect(sql<{ n: number }>('SELECT COUNT(*) AS n FROM messages')[0]!.n).toBe(before);
      });
    }

    it('room.create memberIds: another center’s client, a counselor, a visitor, oneself or garbage creates no room', async () => {
      const [a, b] = W();
      const me = a.counselors[1];
      const count = () => sql<{ n: number }>('SELECT COUNT(*) AS n FROM rooms WHERE created_by = ?', me.id)[0]!.n;
      const before = count();
      const problems: string[] = [];
      for (const memberIds of [
        [b.clients[0].id],
        [a.counselors[0].id],
        [a.visitor.id],
        [me.id],
        [a.admin.id],
        [null],
        [{}],
        [0],
        'x',
        {},
        [[a.clients[0].id]],
      ]) {
        const ack = await callRaw(counselor, 'room.create', { name: 'Raum', memberIds });
        if (ack.ok) problems.push(`${JSON.stringify(memberIds)}: created`);
      }
      expect(problems).toEqual([]);
      expect(count()).toBe(before);
    });

    it('topic.join topicChatId: hostile values and another center’s topic chat never join', async () => {
      const [, b] = W();
      for (const [label, topicChatId] of SOCKET_HOSTILE(b)) {
        const ack = await callRaw(client, 'topic.join', { topicChatId, nickname: 'Nick' });
        expect({ label, ok: ack.ok }).toEqual({ label, ok: false });
      }
      const foreign = await callRaw(client, 'topic.join', { topicChatId: b.topicChatId, nickname: 'Nick' });
      expect(foreign.ok ? 'ok' : foreign.error.code).toBe('NOT_FOUND');
    });
  });
});

/** The fields nobody may set through a body: each sent alone beside a valid body. */
const MASS = (b: { centerId: string; counselorId: string }): [string, unknown][] => [
  ['role', 'admin'],
  ['centerId', b.centerId],
  ['center_id', b.centerId],
  ['id', randomUUID()],
  ['accountId', b.counselorId],
  ['counselorId', b.counselorId],
  ['ownerId', b.counselorId],
  ['authorId', b.counselorId],
  ['senderId', b.counselorId],
  ['createdBy', b.counselorId],
  ['createdAt', '2000-01-01T00:00:00.000Z'],
  ['status', 'active'],
  ['seq', 999],
  ['passwordHash', '$2b$04$abcdefghijklmnopqrstuu'],
  ['isAdmin', true],
];

describe('mass assignment', () => {
  const centerIdOf = (slug: string) => sql<{ id: string }>('SELECT id FROM centers WHERE slug = ?', slug)[0]!.id;
  const foreign = () => ({ centerId: centerIdOf(W()[1].slug), counselorId: W()[1].counselors[0].id });

  interface Case {
    name: string;
    who: () => Actor | null;
    path: () => string;
    method?: 'post' | 'patch';
    body: () => Record<string, unknown>;
    /** The rows the request may create or change, as the test reads them (refused: unchanged). */
    snapshot: () => unknown;
    /** After an accepted request: the field was not applied. */
    check?: (field: string) => void;
  }
  const uniq = () => randomBytes(4).toString('hex');
  let username = '';
  const CASES: Case[] = [
    {
      name: 'POST /api/auth/register',
      who: () => null,
      path: () => '/api/auth/register',
      body: () => ({ center: W()[0].slug, username: (username = `ma-${uniq()}`), password: 'Attack-Horse-9-Battery' }),
      snapshot: () => sql("SELECT COUNT(*) AS n FROM accounts WHERE role != 'client' OR center_id != ?", centerIdOf(W()[0].slug)),
      check: () =>
        expect(sql('SELECT role, center_id FROM accounts WHERE login = ?', username)).toEqual([{ role: 'client', center_id: centerIdOf(W()[0].slug) }]),
    },
    {
      name: 'PATCH /api/accounts/me',
      who: () => W()[0].counselors[1],
      method: 'patch',
      path: () => '/api/accounts/me',
      body: () => ({ teamText: 'Hallo' }),
      snapshot: () => sql('SELECT id, role, center_id, login, status, password_hash FROM accounts WHERE id = ?', W()[0].counselors[1].id),
    },
    {
      name: 'POST /api/threads (a client’s enquiry)',
      who: () => W()[0].clients[1],
      path: () => '/api/threads',
      body: () => ({ subject: 'Betreff', body: plant(`Text ${uniq()}`) }),
      snapshot: () =>
        sql(
          'SELECT COUNT(*) AS n FROM threads WHERE center_id != ? OR (counselor_id IS NOT NULL AND counselor_id NOT IN (?, ?))',
          centerIdOf(W()[0].slug),
          W()[0].counselors[0].id,
          W()[0].counselors[1].id,
        ),
    },
    {
      name: 'POST /api/threads/{id}/posts',
      who: () => W()[0].clients[0],
      path: () => `/api/threads/${W()[0].threads[0]}/posts`,
      body: () => ({ body: plant(`Beitrag ${uniq()}`), clientPostId: `ma-${uniq()}` }),
      snapshot: () =>
        sql(
          'SELECT COUNT(*) AS n FROM thread_posts WHERE thread_id = ? AND sender_id NOT IN (?, ?)',
          W()[0].threads[0],
          W()[0].clients[0].id,
          W()[0].counselors[0].id,
        ),
    },
    {
      name: 'POST /api/slots',
      who: () => W()[0].counselors[1],
      path: () => '/api/slots',
      body: () => {
        const s = new Date(Math.ceil(Date.now() / 3600_000) * 3600_000 + (60 + Math.floor(Math.random() * 200)) * 86_400_000);
        return { startsAt: s.toISOString(), endsAt: new Date(s.getTime() + 1800_000).toISOString(), forms: ['chat'] };
      },
      snapshot: () => sql('SELECT COUNT(*) AS n FROM slots WHERE counselor_id = ?', W()[1].counselors[0].id),
    },
    {
      name: 'POST /api/canned-responses',
      who: () => W()[0].counselors[1],
      path: () => '/api/canned-responses',
      body: () => ({ title: 'T', body: plant(`Vorlage ${uniq()}`) }),
      snapshot: () => sql('SELECT COUNT(*) AS n FROM canned_responses WHERE owner_id = ?', W()[1].counselors[0].id),
    },
    {
      name: 'POST /api/clients/{clientId}/notes',
      who: () => W()[0].counselors[0],
      path: () => `/api/clients/${W()[0].clients[0].id}/notes`,
      body: () => ({ body: plant(`Notiz ${uniq()}`) }),
      snapshot: () => sql('SELECT COUNT(*) AS n FROM notes WHERE author_id != ? AND client_id = ?', W()[0].counselors[0].id, W()[0].clients[0].id),
    },
    {
      name: 'PATCH /api/centers/{center}/settings',
      who: () => W()[0].admin,
      method: 'patch',
      path: () => `/api/centers/${W()[0].slug}/settings`,
      body: () => ({ liveWaitingLimit: 50 }),
      snapshot: () => sql('SELECT id, slug FROM centers ORDER BY slug'),
    },
  ];

  for (const c of CASES) {
    it(`${c.name}: role, centerId, id, accountId, counselorId, createdAt, __proto__ … refused or ignored, never applied`, async () => {
      const before = JSON.stringify(c.snapshot());
      const problems: string[] = [];
      for (const [field, value] of MASS(foreign())) {
        const req = as(c.who()?.token)[c.method ?? 'post'](c.path());
        const res = await req.send({ ...c.body(), [field]: value });
        if (res.status >= 500) problems.push(`${field}: ${res.status}`);
        else if (res.status >= 400 && (res.body as { error?: { code?: string } }).error?.code !== 'VALIDATION_FAILED')
          problems.push(`${field}: ${res.status} ${JSON.stringify(res.body)}`);
        else if (res.status < 300) c.check?.(field);
        const after = JSON.stringify(c.snapshot());
        if (after !== before) problems.push(`${field}: applied (${before} → ${after})`);
      }
      // a prototype key in raw JSON
      const raw = JSON.stringify(c.body()).replace(/^\{/, '{"__proto__":{"role":"admin","isAdmin":true},');
      const res = await as(c.who()?.token)[c.method ?? 'post'](c.path()).set('Content-Type', 'application/json').send(raw);
      if (res.status >= 500) problems.push(`__proto__: ${res.status}`);
      expect(JSON.stringify(c.snapshot())).toBe(before);
      expect(problems).toEqual([]);
    });
  }

  it('message.send and room.create over the socket: senderId, seq, createdBy, kind, centerId … are never applied', async () => {
    const [a, b] = W();
    const client = await socketOf(a.clients[0].token);
    const counselor = await socketOf(a.counselors[1].token);
    try {
      for (const [field, value] of [...MASS(foreign()), ['kind', 'live'] as [string, unknown], ['sentAt', '2000-01-01T00:00:00.000Z'] as [string, unknown]]) {
        const ack = (await callRaw(client, 'message.send', {
          roomId: a.rooms[0],
          clientMsgId: `ma-${randomBytes(4).toString('hex')}`,
          body: plant(`M ${randomBytes(3).toString('hex')}`),
          [field]: value,
        })) as Ack<{ id: string }>;
        if (ack.ok)
          expect(sql('SELECT sender_id, center_id, room_id FROM messages WHERE id = ?', ack.data.id)).toEqual([
            { sender_id: a.clients[0].id, center_id: centerIdOf(a.slug), room_id: a.rooms[0] },
          ]);
        else expect(ack.error.code).toBe('VALIDATION_FAILED');
        const room = (await callRaw(counselor, 'room.create', { name: 'R', memberIds: [a.clients[1].id], [field]: value })) as Ack<{ roomId: string }>;
        if (room.ok)
          expect(sql('SELECT created_by, center_id, kind FROM rooms WHERE id = ?', room.data.roomId)).toEqual([
            { created_by: a.counselors[1].id, center_id: centerIdOf(a.slug), kind: 'direct' },
          ]);
        else expect(room.error.code).toBe('VALIDATION_FAILED');
      }
      void b;
    } finally {
      client.close();
      counselor.close();
    }
  });
});
