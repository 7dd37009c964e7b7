import { randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_COMMANDS, type Ack } from '../../src/realtime/contract';
import { callRaw } from '../harness/ack';
import type { TestSocket } from '../harness/app';
import { ROOT } from '../harness/spawn';
import { type CenterWorld, socketOf, world } from './actors';
import { type ActorKey, actorsOf, forbiddenIds, ROLE_OF, TOKENS, type Who } from './access';
import { plant } from './server';

/**
 * The socket half of the access matrix: every command of the runtime list CLIENT_COMMANDS
 * (src/realtime/contract.ts) × every actor with a token, on one socket each, each ack checked
 * against the table below; no socket without a token connects at all. A command without an entry
 * fails the suite, and so does a handler in src/ that the list does not name.
 */

type Command = (typeof CLIENT_COMMANDS)[number];
interface SocketRule {
  /** Actors whose command passes the access check: `ok: true`, or one of `passCodes` (a state answer, not a refusal). */
  allow: ActorKey[];
  passCodes?: string[];
  payload: (a: CenterWorld, actor: ActorKey) => Record<string, unknown>;
  /** The payload's id fields: replaced by random uuids (existence oracle) and by center B's ids. */
  ids?: (b: CenterWorld) => Record<string, string>;
  /** Refusal codes (default: FORBIDDEN for the wrong role, NOT_FOUND for the right role and another party's id). */
  refuse?: string[];
  /** Runs on a fresh room of counselor 0 with client 0 (in place of rooms[0]): the command ends it. */
  freshRoom?: boolean;
}

const uniq = () => randomBytes(4).toString('hex');
const STAFF_A: ActorKey[] = ['counselor', 'counselor2', 'admin'];
const room0 = (a: CenterWorld) => ({ roomId: a.rooms[0] });

const RULES: Record<Command, SocketRule> = {
  // staff of center A; admin2 belongs to center B: a shift there is their own business
  'shift.open': { allow: [...STAFF_A, 'admin2'], passCodes: ['CONFLICT'], payload: () => ({ maxChats: 1 }) },
  'shift.close': { allow: [...STAFF_A, 'admin2'], passCodes: ['CONFLICT', 'NOT_FOUND'], payload: () => ({}) },
  'queue.join': { allow: ['visitor'], passCodes: ['LIVE_CLOSED', 'ALREADY_WAITING'], payload: () => ({}) },
  'queue.leave': { allow: ['visitor'], passCodes: ['NOT_FOUND'], payload: () => ({}) },
  // staff open rooms with clients of their center (docs/realtime.md); center B's admin may not add center A's client
  'room.create': {
    allow: ['counselor', 'counselor2', 'admin'],
    payload: (a) => ({ name: plant(`Raum ${uniq()}`), memberIds: [a.clients[0].id] }),
    refuse: ['FORBIDDEN', 'NOT_FOUND', 'VALIDATION_FAILED'],
  },
  'room.join': { allow: ['client', 'counselor'], payload: room0, ids: (b) => ({ roomId: b.rooms[0] }) },
  'room.read': { allow: ['client', 'counselor'], payload: (a) => ({ roomId: a.rooms[0], seq: 1 }), ids: (b) => ({ roomId: b.rooms[0] }) },
  'room.typing': { allow: ['client', 'counselor'], payload: (a) => ({ roomId: a.rooms[0], typing: true }), ids: (b) => ({ roomId: b.rooms[0] }) },
  'message.send': {
    allow: ['client', 'counselor'],
    payload: (a) => ({ roomId: a.rooms[0], clientMsgId: `sm-${uniq()}`, body: plant(`Nachricht ${uniq()}`) }),
    ids: (b) => ({ roomId: b.rooms[0] }),
  },
  'room.history': { allow: ['client', 'counselor'], payload: room0, ids: (b) => ({ roomId: b.rooms[0] }) },
  // room.close runs last on a room of its own (below)
  // the creating counselor or an admin of the center
  'room.close': { allow: ['counselor', 'admin'], freshRoom: true, payload: room0, ids: (b) => ({ roomId: b.rooms[0] }), refuse: ['FORBIDDEN', 'NOT_FOUND'] },
  // anyone may try to join a topic chat; the seeded one is scheduled, not open yet
  'topic.join': {
    allow: TOKENS.filter((x) => x !== 'admin2'),
    passCodes: ['TOPIC_NOT_OPEN'],
    payload: (a) => ({ topicChatId: a.topicChatId, nickname: `Nick${uniq()}` }),
    ids: (b) => ({ topicChatId: b.topicChatId }),
  },
  // moderation works in topic rooms only: in a 1:1 room nobody (not even its counselor) moderates
  'topic.mute': {
    allow: [],
    payload: (a) => ({ roomId: a.rooms[0], participantId: a.clients[0].id }),
    ids: (b) => ({ roomId: b.rooms[0] }),
    refuse: ['FORBIDDEN', 'NOT_FOUND'],
  },
  'topic.remove': {
    allow: [],
    payload: (a) => ({ roomId: a.rooms[0], participantId: a.clients[0].id }),
    ids: (b) => ({ roomId: b.rooms[0] }),
    refuse: ['FORBIDDEN', 'NOT_FOUND'],
  },
  // live.end ends live chats only: the 1:1 room is nobody's live chat
  'live.end': { allow: [], payload: room0, ids: (b) => ({ roomId: b.rooms[0] }), refuse: ['FORBIDDEN', 'NOT_FOUND'] },
  'live.sync': { allow: [...STAFF_A, 'admin2'], payload: () => ({}) },
  // only a counselor on shift removes a waiting visitor: nobody is on shift here
  'queue.remove': { allow: [], payload: (a) => ({ visitorId: a.visitor.id }), refuse: ['FORBIDDEN', 'NOT_FOUND'] },
};

const SOCKET_ACTORS = TOKENS;

async function freshRoom(a: CenterWorld): Promise<string> {
  const s = await socketOf(a.counselors[0].token);
  try {
    const ack = (await callRaw(s, 'room.create', { name: plant(`Raum ${uniq()}`), memberIds: [a.clients[0].id] })) as Ack<{ roomId: string }>;
    if (!ack.ok) throw new Error(ack.error.message);
    return ack.data.roomId;
  } finally {
    s.close();
  }
}
const sockets = {} as Record<ActorKey, TestSocket>;
const pushes = {} as Record<ActorKey, string[]>;
let who: Record<ActorKey, Who>;

beforeAll(async () => {
  who = actorsOf();
  await Promise.all(
    SOCKET_ACTORS.map(async (actor) => {
      const s = await socketOf(who[actor]!.token);
      pushes[actor] = [];
      s.onAny((event: string, payload: unknown) => pushes[actor].push(`${event} ${JSON.stringify(payload)}`));
      sockets[actor] = s;
    }),
  );
});

afterAll(async () => {
  for (const actor of SOCKET_ACTORS) {
    if (['counselor', 'counselor2', 'admin', 'admin2'].includes(actor)) await callRaw(sockets[actor], 'shift.close', {}).catch(() => undefined);
    sockets[actor]?.close();
  }
});

const show = (a: Ack<unknown>) => (a.ok ? 'ok' : `${a.error.code} "${a.error.message}"`);

describe('socket access matrix: every command × every actor', () => {
  it('refuses a connection without a token, or with a made-up one, with UNAUTHORIZED', async () => {
    await expect(socketOf(undefined)).rejects.toThrow('UNAUTHORIZED');
    await expect(socketOf(randomBytes(32).toString('base64url'))).rejects.toThrow('UNAUTHORIZED');
  });

  it('has an entry for every command of CLIENT_COMMANDS, and CLIENT_COMMANDS names every handler in src/', () => {
    expect(CLIENT_COMMANDS.filter((c) => !RULES[c])).toEqual([]);
    const handlers = new Set<string>();
    const walk = (dir: string) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) for (const m of readFileSync(p, 'utf8').matchAll(/@Command\('([\w.]+)'\)/g)) handlers.add(m[1]!);
      }
    };
    walk(join(ROOT, 'src'));
    expect(handlers.size).toBeGreaterThan(10);
    expect([...handlers].filter((h) => !(CLIENT_COMMANDS as readonly string[]).includes(h))).toEqual([]);
    expect(CLIENT_COMMANDS.filter((c) => !handlers.has(c))).toEqual([]);
  });

  for (const command of CLIENT_COMMANDS) {
    const rule = RULES[command];
    it(`${command} — passes for ${rule.allow.length ? rule.allow.join(', ') : 'nobody here'}`, async () => {
      const [seeded, b] = world().centers;
      const a: CenterWorld = rule.freshRoom ? { ...seeded, rooms: [await freshRoom(seeded), seeded.rooms[1]] } : seeded;
      const problems: string[] = [];
      const forbidden = forbiddenIds({ a, b, who });
      for (const actor of SOCKET_ACTORS) {
        const payload = rule.payload(a, actor);
        const ack = await callRaw(sockets[actor], command, payload);
        const text = JSON.stringify(ack);
        const leaked = forbidden[actor].filter((id) => text.includes(id) && !JSON.stringify(payload).includes(id));
        if (leaked.length) problems.push(`${actor}: the ack carries ids it may not know: ${leaked.join(', ')}`);
        if (rule.allow.includes(actor)) {
          if (!ack.ok && !(rule.passCodes ?? []).includes(ack.error.code)) problems.push(`${actor}: expected to pass, got ${show(ack)}`);
          // another center's id answers exactly like a random one
          if (rule.ids) {
            const foreign = await callRaw(sockets[actor], command, { ...payload, ...rule.ids(b) });
            const random = await callRaw(sockets[actor], command, {
              ...payload,
              ...Object.fromEntries(Object.keys(rule.ids(b)).map((k) => [k, randomUUID()])),
            });
            if (foreign.ok || show(foreign) !== show(random))
              problems.push(`${actor}: another center's id answers ${show(foreign)}, a random one ${show(random)}`);
          }
        } else {
          const sameRole = rule.allow.some((x) => ROLE_OF[x] === ROLE_OF[actor]);
          const want = rule.refuse ?? (sameRole && rule.ids ? ['NOT_FOUND'] : ['FORBIDDEN', 'NOT_FOUND']);
          if (ack.ok || !want.includes(ack.error.code)) problems.push(`${actor}: expected ${want.join(' or ')}, got ${show(ack)}`);
          // the room's own members know it exists: only strangers must not be able to tell
          if (rule.ids && !ack.ok && actor !== 'client' && actor !== 'counselor') {
            const random = await callRaw(sockets[actor], command, {
              ...payload,
              ...Object.fromEntries(Object.keys(rule.ids(b)).map((k) => [k, randomUUID()])),
            });
            if (show(random) !== show(ack)) problems.push(`${actor}: existence oracle — the real id answers ${show(ack)}, a random one ${show(random)}`);
          }
        }
      }
      expect(problems).toEqual([]);
    });
  }

  it('pushed nothing of another party to anyone while the matrix ran', async () => {
    await new Promise((r) => setTimeout(r, 300));
    const [a, b] = world().centers;
    const forbidden = forbiddenIds({ a, b, who });
    const leaks = SOCKET_ACTORS.flatMap((actor) =>
      pushes[actor].filter((p) => forbidden[actor].some((id) => p.includes(id))).map((p) => `${actor}: ${p.slice(0, 200)}`),
    );
    expect(leaks).toEqual([]);
    // the pushes that were meant to arrive did: the room's two members saw the messages sent in it
    expect(pushes.client.some((p) => p.startsWith('message.created'))).toBe(true);
    expect(pushes.counselor.some((p) => p.startsWith('message.created'))).toBe(true);
  });
});
