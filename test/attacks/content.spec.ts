import { stripBidiControls } from '../../src/common/names';
import { cleanDocumentName } from '../../src/modules/documents/document-names';
import type { Ack } from '../../src/realtime/contract';
import { cleanPdf } from '../factories/pdfs';
import { callRaw, ok } from '../harness/ack';
import type { TestSocket } from '../harness/app';
import { type Actor, as, assignedThread, freshClient, freshStaff, freshVisitor, socketOf } from './actors';
import { HOSTILE, HOSTILE_KINDS, type HostileKind, INVISIBLE_KINDS, marker, ownCenter } from './hostile';
import { plant } from './server';

/**
 * Content attacks (docs/security.md, "Content"): every hostile text in every text field a person can
 * type is stored as text and handed back as data, byte for byte — or refused by a documented rule
 * (names refuse invisible and format characters with VALIDATION_FAILED; pseudonyms are letters,
 * digits, dot, hyphen and underscore; file names are cleaned). The browser half
 * (content-pages.spec.ts) opens the pages that show them.
 */

type Rule = 'exact' | 'name' | 'staff-name' | 'pseudonym' | 'filename';
type Written = { ok: true; read: () => Promise<string> } | { ok: false; status: number; code: string | undefined };

interface Field {
  field: string;
  rule: Rule;
  /** Confidential (encrypted at rest): planted for the privacy sweep. Public texts are not. */
  secret: boolean;
  write: (text: string) => Promise<Written>;
}

let slug = '';
let admin: Actor;
let counselor: Actor;
let client: Actor;
let threadId = '';
let roomId = '';
let topicChatId = '';
let staffSocket: TestSocket;
const sockets: TestSocket[] = [];

const codeOf = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;
const refused = (res: { status: number; body: unknown }): Written => ({ ok: false, status: res.status, code: codeOf(res.body) });
const ackRefused = (ack: Ack<unknown>): Written => ({ ok: false, status: 400, code: ack.ok ? undefined : ack.error.code });
const iso = (ms: number) => new Date(Date.now() + ms).toISOString();
const DAY = 24 * 3600_000;

async function rest<T>(res: Promise<{ status: number; body: unknown }>, expected: number, read: (body: T) => () => Promise<string>): Promise<Written> {
  const r = await res;
  return r.status === expected ? { ok: true, read: read(r.body as T) } : refused(r);
}

const FIELDS: Field[] = [
  {
    field: 'chat message (message.send)',
    rule: 'exact',
    secret: true,
    write: async (body) => {
      const ack = await callRaw(staffSocket, 'message.send', { roomId, clientMsgId: marker(), body });
      if (!ack.ok) return ackRefused(ack);
      const { id } = ack.data as { id: string };
      return {
        ok: true,
        read: async () => {
          const s = await socketOf(client.token);
          sockets.push(s);
          const history = ok(await callRaw(s, 'room.history', { roomId, limit: 100 })) as { messages: { id: string; body: string }[] };
          return history.messages.find((m) => m.id === id)?.body ?? '(missing)';
        },
      };
    },
  },
  {
    field: 'room name (room.create)',
    rule: 'exact',
    secret: true,
    write: async (name) => {
      const ack = await callRaw(staffSocket, 'room.create', { name, memberIds: [client.id] });
      if (!ack.ok) return ackRefused(ack);
      const { roomId: id } = ack.data as { roomId: string };
      return {
        ok: true,
        read: async () => ((await as(client.token).get('/api/rooms')).body as { id: string; name: string }[]).find((r) => r.id === id)?.name ?? '(missing)',
      };
    },
  },
  {
    field: 'thread subject (POST /api/threads)',
    rule: 'exact',
    secret: true,
    // a client has one open enquiry at a time (CONFLICT otherwise): a new client per text
    write: async (subject) => {
      const writer = await freshClient(slug);
      return rest<{ id: string }>(as(writer.token).post('/api/threads').send({ subject, body: 'Hallo' }), 201, ({ id }) => async () => {
        const list = (await as(writer.token).get('/api/threads')).body as { id: string; subject: string }[];
        return list.find((x) => x.id === id)?.subject ?? '(missing)';
      });
    },
  },
  {
    field: 'thread post (POST /api/threads/:id/posts)',
    rule: 'exact',
    secret: true,
    write: (body) =>
      rest<{ id: string }>(as(counselor.token).post(`/api/threads/${threadId}/posts`).send({ body, clientPostId: marker() }), 201, ({ id }) => async () => {
        const res = await as(client.token).get(`/api/threads/${threadId}/posts?afterSeq=0`);
        return (res.body as { posts: { id: string; body: string }[] }).posts.find((p) => p.id === id)?.body ?? '(missing)';
      }),
  },
  {
    field: 'note about a client (POST /api/clients/:id/notes)',
    rule: 'exact',
    secret: true,
    write: (body) =>
      rest<{ id: string }>(as(counselor.token).post(`/api/clients/${client.id}/notes`).send({ body }), 201, ({ id }) => async () => {
        const list = (await as(counselor.token).get(`/api/clients/${client.id}/notes`)).body as { id: string; body: string }[];
        return list.find((n) => n.id === id)?.body ?? '(missing)';
      }),
  },
  {
    field: 'canned response title and body',
    rule: 'exact',
    secret: true,
    write: (text) =>
      rest<{ id: string }>(as(counselor.token).post('/api/canned-responses').send({ title: text, body: text }), 201, ({ id }) => async () => {
        const list = (await as(counselor.token).get('/api/canned-responses')).body as { id: string; title: string; body: string }[];
        const found = list.find((x) => x.id === id);
        return found && found.title === found.body ? found.body : `title ${found?.title} / body ${found?.body}`;
      }),
  },
  {
    field: 'absence text (PUT /api/absence)',
    rule: 'exact',
    secret: false,
    write: (text) =>
      rest(
        as(counselor.token)
          .put('/api/absence')
          .send({ startsAt: iso(DAY), endsAt: iso(2 * DAY), text }),
        200,
        () => async () => {
          const res = await as(counselor.token).get('/api/absence');
          return (res.body as { text?: string; absence?: { text: string } }).absence?.text ?? (res.body as { text?: string }).text ?? JSON.stringify(res.body);
        },
      ),
  },
  {
    field: 'team page text (PATCH /api/accounts/me teamText)',
    rule: 'exact',
    secret: false,
    write: (teamText) =>
      rest(as(counselor.token).patch('/api/accounts/me').send({ teamText }), 200, () => async () => {
        return ((await as(counselor.token).get('/api/accounts/me/profile')).body as { teamText: string }).teamText;
      }),
  },
  {
    field: 'staff display name (PATCH /api/accounts/me displayName)',
    rule: 'staff-name',
    secret: false,
    write: (displayName) =>
      rest(as(counselor.token).patch('/api/accounts/me').send({ displayName }), 200, () => async () => {
        return ((await as(counselor.token).get('/api/accounts/me/profile')).body as { displayName: string }).displayName;
      }),
  },
  {
    field: 'staff display name at the invitation (POST /api/centers/:center/staff)',
    rule: 'staff-name',
    secret: false,
    write: (displayName) =>
      rest<{ id: string }>(
        as(admin.token)
          .post(`/api/centers/${slug}/staff`)
          .send({ email: `${marker()}@${slug}.example`, displayName, role: 'counselor' }),
        201,
        ({ id }) =>
          async () => {
            const list = (await as(admin.token).get(`/api/centers/${slug}/staff`)).body as { id: string; displayName: string }[];
            return list.find((x) => x.id === id)?.displayName ?? '(missing)';
          },
      ),
  },
  {
    field: 'center name (PATCH /api/centers/:center/settings)',
    rule: 'exact',
    secret: false,
    write: (name) =>
      rest(
        as(admin.token).patch(`/api/centers/${slug}/settings`).send({ name }),
        200,
        () => async () => ((await as(null).get(`/api/centers/${slug}`)).body as { name: string }).name,
      ),
  },
  {
    field: 'center privacy and crisis texts (privacyText, emergencyText)',
    rule: 'exact',
    secret: false,
    write: (text) =>
      rest(as(admin.token).patch(`/api/centers/${slug}/settings`).send({ privacyText: text, emergencyText: text }), 200, () => async () => {
        const c = (await as(null).get(`/api/centers/${slug}`)).body as { privacyText: string; emergencyText: string };
        return c.privacyText === c.emergencyText ? c.privacyText : `privacy ${c.privacyText} / emergency ${c.emergencyText}`;
      }),
  },
  {
    field: 'topic chat title and description',
    rule: 'exact',
    secret: false,
    write: (text) =>
      rest<{ id: string }>(
        as(admin.token)
          .post(`/api/centers/${slug}/topic-chats`)
          .send({ title: text, description: text, startsAt: iso(3 * DAY), endsAt: iso(3 * DAY + 3600_000), capacity: 5 }),
        201,
        ({ id }) =>
          async () => {
            const list = (await as(null).get(`/api/centers/${slug}/topic-chats`)).body as { id: string; title: string; description: string }[];
            const found = list.find((x) => x.id === id);
            return found && found.title === found.description ? found.title : `title ${found?.title} / description ${found?.description}`;
          },
      ),
  },
  {
    field: 'topic chat nickname (topic.join)',
    rule: 'name',
    secret: true,
    write: async (nickname) => {
      const v = await freshVisitor(slug);
      const s = await socketOf(v.token);
      sockets.push(s);
      const joined = await callRaw(s, 'topic.join', { topicChatId, nickname });
      if (!joined.ok) return ackRefused(joined);
      const room = (joined.data as { roomId: string }).roomId;
      const sent = ok(await callRaw(s, 'message.send', { roomId: room, clientMsgId: marker(), body: plant(`hallo ${marker()}`) })) as { id: string };
      return {
        ok: true,
        read: async () => {
          const history = ok(await callRaw(s, 'room.history', { roomId: room, limit: 100 })) as { messages: { id: string; sender: { displayName: string } }[] };
          return history.messages.find((m) => m.id === sent.id)?.sender.displayName ?? '(missing)';
        },
      };
    },
  },
  {
    field: 'client pseudonym (POST /api/auth/register)',
    rule: 'pseudonym',
    secret: false,
    write: (username) =>
      rest<{ account: { displayName: string } }>(
        as(null).post('/api/auth/register').send({ center: slug, username, password: 'Attack-Horse-9-Battery' }),
        201,
        (b) => () => Promise.resolve(b.account.displayName),
      ),
  },
  {
    field: 'document file name (POST /api/threads/:id/documents)',
    rule: 'filename',
    secret: true,
    write: async (name) => {
      const res = await as(client.token)
        .post(`/api/threads/${threadId}/documents`)
        .attach('file', await cleanPdf(), { filename: `${name}.pdf`, contentType: 'application/pdf' });
      if (res.status !== 201) return refused(res);
      const doc = res.body as { id: string; name: string };
      return {
        ok: true,
        read: async () => {
          const down = await as(client.token).get(`/api/documents/${doc.id}`).buffer(true);
          const disposition = String(down.headers['content-disposition']);
          const star = /filename\*=UTF-8''([^;]+)/.exec(disposition)?.[1];
          const fromHeader = star ? decodeURIComponent(star) : '(no filename*)';
          return fromHeader === doc.name ? doc.name : `upload answer ${doc.name} / download header ${fromHeader}`;
        },
      };
    },
  },
];

/** What a field must do with a hostile text: keep it exactly, or refuse it with VALIDATION_FAILED, or store a cleaned name. */
function expected(rule: Rule, kind: HostileKind, text: string): { stored: string } | { refused: 'VALIDATION_FAILED' } {
  if (rule === 'exact') return { stored: text };
  if (rule === 'name') return INVISIBLE_KINDS.includes(kind) ? { refused: 'VALIDATION_FAILED' } : { stored: text };
  // staff display names lose bidi controls before the check (docs/names.md), then refuse what is still invisible
  if (rule === 'staff-name') return kind === 'bidi override (U+202E)' ? { stored: stripBidiControls(text) } : expected('name', kind, text);
  if (rule === 'pseudonym') return { refused: 'VALIDATION_FAILED' };
  return { stored: cleanDocumentName(`${text}.pdf`) };
}

describe('content attacks: hostile texts are stored and returned as data', () => {
  beforeAll(async () => {
    const own = await ownCenter('content');
    slug = own.slug;
    admin = own.admin;
    counselor = await freshStaff(slug, admin);
    client = await freshClient(slug);
    threadId = await assignedThread(slug, admin, client, counselor);
    staffSocket = await socketOf(counselor.token);
    sockets.push(staffSocket);
    roomId = (ok(await callRaw(staffSocket, 'room.create', { name: plant(`Raum ${marker()}`), memberIds: [client.id] })) as { roomId: string }).roomId;
    const topic = await as(admin.token)
      .post(`/api/centers/${slug}/topic-chats`)
      .send({ title: 'Offener Abend', description: 'Für alle', startsAt: iso(-60_000), endsAt: iso(3600_000), capacity: 50 });
    expect(topic.status).toBe(201);
    topicChatId = (topic.body as { id: string }).id;
  });
  afterAll(() => {
    for (const s of sockets) s.close();
  });

  describe.each(FIELDS)('$field', (f) => {
    it.each(HOSTILE_KINDS)('should keep a %s as data or refuse it by rule', async (kind) => {
      const raw = `${marker()} ${HOSTILE[kind]}`;
      const text = f.secret ? plant(raw) : raw;
      const want = expected(f.rule, kind, text);
      const written = await f.write(text);
      if ('refused' in want) {
        expect(written).toEqual({ ok: false, status: 400, code: want.refused });
        return;
      }
      if (!written.ok) throw new Error(`${f.field}: ${kind} refused with ${written.status} ${written.code}, expected stored`);
      const back = await written.read();
      expect(Buffer.from(back, 'utf8').toString('hex')).toBe(Buffer.from(want.stored, 'utf8').toString('hex'));
      if (f.rule === 'filename') {
        expect(back).not.toMatch(/[<>"\u202E\u200B\u2060\uFEFF]/u);
        expect(back.endsWith('.pdf')).toBe(true);
      }
    });
  });

  it('should refuse an SQL-like login without an oracle and keep the accounts table', async () => {
    const res = await as(null).post('/api/auth/login').send({ center: slug, login: "' OR '1'='1' --", password: "' OR '1'='1" });
    expect([res.status, codeOf(res.body)]).toEqual([401, 'UNAUTHORIZED']);
    // the table the payloads tried to drop still answers
    await as(admin.token).get(`/api/centers/${slug}/staff`).expect(200);
  });
});
