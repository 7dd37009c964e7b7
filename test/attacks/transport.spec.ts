import request from 'supertest';
import { call, callRaw, ok } from '../harness/ack';
import type { TestSocket } from '../harness/app';
import { handshake, rawFrame } from '../harness/raw-socket';
import { type Actor, as, freshClient, freshStaff, socketOf } from './actors';
import { dbCount } from './db';
import { marker, ownCenter } from './hostile';
import { rawRequest } from './raw-http';
import { address, plant, server } from './server';

/**
 * Transport attacks (docs/security.md, "Transport"): requests from a page of another site (REST,
 * Socket.IO polling and websocket), malformed Socket.IO packets, deeply nested JSON, frames over the
 * payload limit, and floods from one socket and one address — while another client keeps getting
 * its answers within a bound.
 */

const EVIL = 'https://evil.example';
const NO_ROOM = '00000000-0000-4000-8000-000000000000';
let slug = '';
let admin: Actor;
let counselor: Actor;
let client: Actor;
let roomId = '';
const sockets: TestSocket[] = [];

const codeOf = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;
const track = (s: TestSocket) => (sockets.push(s), s);

/** Resolves 'connected' or the connect_error message (from a fresh forwarded address). */
const handshakeFrom = (token: string, origin: string | undefined, transport: 'websocket' | 'polling') =>
  handshake(server().url, { token, origin, transport, headers: { 'x-forwarded-for': address() } });

/** Another client's command round trip while an attack runs: it must stay answered within `bound` ms. */
async function probeWhile<T>(attack: Promise<T>, probe: () => Promise<unknown>, bound: number): Promise<{ result: T; worst: number; probes: number }> {
  let finished = false;
  const result = attack.finally(() => (finished = true));
  let worst = 0;
  let probes = 0;
  while (!finished || probes < 3) {
    const t0 = Date.now();
    await probe();
    worst = Math.max(worst, Date.now() - t0);
    probes++;
    await new Promise((r) => setTimeout(r, 50));
  }
  expect(worst).toBeLessThan(bound);
  return { result: await result, worst, probes };
}

describe('transport attacks', () => {
  beforeAll(async () => {
    const own = await ownCenter('transport');
    slug = own.slug;
    admin = own.admin;
    counselor = await freshStaff(slug, admin);
    client = await freshClient(slug);
    const s = track(await socketOf(counselor.token));
    roomId = ok(await call(s, 'room.create', { name: plant(`Raum ${marker()}`), memberIds: [client.id] })).roomId;
  });
  afterAll(() => {
    for (const s of sockets) s.close();
  });

  describe('foreign origins', () => {
    it('should refuse a REST write from a foreign origin with FORBIDDEN and store nothing', async () => {
      const before = dbCount('SELECT COUNT(*) AS n FROM threads');
      const res = await as(client.token).post('/api/threads').set('Origin', EVIL).send({ subject: 'x', body: 'y' });
      expect([res.status, codeOf(res.body)]).toEqual([403, 'FORBIDDEN']);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      expect(dbCount('SELECT COUNT(*) AS n FROM threads')).toBe(before);
    });

    it.each([
      ['another site', EVIL],
      ['a look-alike host', `http://127.0.0.1.evil.example:${new URL(server().url).port}`],
      ['another port of this host', `http://127.0.0.1:${Number(new URL(server().url).port) + 1}`],
      ['the opaque origin null', 'null'],
    ])('should refuse a REST read from %s with FORBIDDEN', async (_, origin) => {
      const res = await as(client.token).get('/api/threads').set('Origin', origin);
      expect([res.status, codeOf(res.body)]).toEqual([403, 'FORBIDDEN']);
    });

    it('should answer the same REST read from the server’s own origin and without Origin', async () => {
      await as(client.token).get('/api/threads').set('Origin', server().url).expect(200);
      await as(client.token).get('/api/threads').expect(200);
    });

    it('should answer the public status reads from any origin (the homepage button)', async () => {
      for (const path of [`/api/centers/${slug}/live`, `/api/centers/${slug}/topic-chats`, `/api/centers/${slug}`]) {
        const res = await as(null).get(path).set('Origin', EVIL).expect(200);
        expect(res.headers['access-control-allow-origin']).toBe('*');
      }
    });

    it('should not let a foreign origin pass the CORS preflight of a write', async () => {
      const res = await request(server().url).options('/api/threads').set('Origin', EVIL).set('Access-Control-Request-Method', 'POST');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });

    it.each(['websocket', 'polling'] as const)('should refuse a %s handshake from a foreign origin and accept the own one', async (transport) => {
      await expect(handshakeFrom(client.token, EVIL, transport)).resolves.not.toBe('connected');
      await expect(handshakeFrom(client.token, 'null', transport)).resolves.not.toBe('connected');
      await expect(handshakeFrom(client.token, server().url, transport)).resolves.toBe('connected');
    });

    it('should answer a raw polling handshake from a foreign origin with 403 and no session', async () => {
      const res = await as(null).get('/socket.io/?EIO=4&transport=polling').set('Origin', EVIL);
      expect(res.status).toBe(403);
      expect(res.text).not.toMatch(/"sid"/);
    });
  });

  describe('malformed Socket.IO packets', () => {
    const malformed: [string, string][] = [
      ['a text frame with broken JSON', '2["room.history",{"roomId":'],
      ['an event that is not an array', '2{"roomId":"x"}'],
      ['a number as the event name', '2[7,{}]'],
      ['an event without a name', '2[]'],
      ['an unknown packet type', '9["room.history"]'],
      ['a CONNECT_ERROR packet from the client', '4{"message":"x"}'],
      ['an attachment claim that never sends its binary', '51-["room.history",{"_placeholder":true,"num":0}]'],
      ['a claim of a million attachments', '51000000-["room.history",{"_placeholder":true,"num":0}]'],
      ['a packet for a namespace that does not exist', '2/admin,["room.history",{}]'],
    ];
    it.each(malformed)('should drop or ignore %s and keep serving others', async (_, frame) => {
      const attacker = track(await socketOf(client.token));
      const bystander = track(await socketOf(counselor.token));
      const outcome = await rawFrame(attacker, frame, undefined, 800).catch(() => 'ignored');
      expect(['disconnected', 'ignored']).toContain(outcome);
      // after a frame it could not read, the attacker's socket is either gone or still answers properly
      if (attacker.connected) {
        // a pending attachment claim swallows the next frame: then the socket is dropped
        const next = await callRaw(attacker, 'room.history', { roomId: NO_ROOM }, 1000).catch(() => 'no answer');
        expect(next === 'no answer' || (typeof next === 'object' && !next.ok && next.error.code === 'NOT_FOUND')).toBe(true);
      }
      expect(await call(bystander, 'room.history', { roomId, limit: 1 })).toMatchObject({ ok: true });
      await as(null).get('/health').expect(200);
    });

    it('should answer a placeholder object where a string belongs with VALIDATION_FAILED', async () => {
      const s = track(await socketOf(counselor.token));
      const answer = await rawFrame(s, '217["room.history",{"roomId":{"_placeholder":true,"num":0}}]', 17);
      expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(s.connected).toBe(true);
    });

    it('should answer wrong payload types with VALIDATION_FAILED and store nothing', async () => {
      const s = track(await socketOf(counselor.token));
      const before = dbCount('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId]);
      const payloads: unknown[] = [
        null,
        'a string',
        42,
        [roomId, 'x', 'body'],
        { roomId, clientMsgId: 'a', body: { $gt: '' } },
        { roomId, clientMsgId: ['a'], body: 'x' },
        { roomId: [roomId], clientMsgId: 'b', body: 'x' },
        { roomId, clientMsgId: 'c', body: 'x'.repeat(5000) },
      ];
      for (const p of payloads) {
        const answer = await callRaw(s, 'message.send', p);
        expect({ p, code: answer.ok ? 'ok' : answer.error.code }).toEqual({ p, code: 'VALIDATION_FAILED' });
      }
      expect(dbCount('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId])).toBe(before);
    });

    it('should refuse a REST body with an own __proto__ key as VALIDATION_FAILED and store nothing', async () => {
      const before = dbCount('SELECT COUNT(*) AS n FROM threads');
      const res = await as(client.token)
        .post('/api/threads')
        .set('Content-Type', 'application/json')
        .send('{"subject":"x","body":"y","__proto__":{"admin":true}}');
      expect([res.status, codeOf(res.body)]).toEqual([400, 'VALIDATION_FAILED']);
      expect(dbCount('SELECT COUNT(*) AS n FROM threads')).toBe(before);
    });

    it.each([
      ['__proto__', '{"admin":true}'],
      ['constructor', '{"prototype":{"admin":true}}'],
    ])('should refuse a payload with an own %s key (prototype pollution) as VALIDATION_FAILED', async (key, value) => {
      const s = track(await socketOf(counselor.token));
      const before = dbCount('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId]);
      const answer = await rawFrame(s, `231["message.send",{"roomId":"${roomId}","clientMsgId":"${marker()}","body":"x","${key}":${value}}]`, 31);
      expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(dbCount('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [roomId])).toBe(before);
      expect(({} as Record<string, unknown>).admin).toBeUndefined();
    });
  });

  describe('deeply nested JSON', () => {
    it('should answer a REST body nested 10 000 arrays deep on an authenticated route with VALIDATION_FAILED', async () => {
      const body = `{"subject":"x","body":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
      const res = await as(client.token).post('/api/threads').set('Content-Type', 'application/json').send(body);
      expect([res.status, codeOf(res.body)]).toEqual([400, 'VALIDATION_FAILED']);
      expect(JSON.stringify(res.body)).not.toMatch(/stack|\.js:\d+/);
    });

    it('should answer a socket payload nested 20 000 arrays deep with VALIDATION_FAILED and keep the socket', async () => {
      const s = track(await socketOf(counselor.token));
      const answer = await rawFrame(s, `223["message.send",{"roomId":${'['.repeat(20_000)}${']'.repeat(20_000)}}]`, 23);
      expect(answer).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
      expect(await call(s, 'room.history', { roomId, limit: 1 })).toMatchObject({ ok: true });
    });
  });

  describe('oversized frames', () => {
    it('should drop a websocket frame over the payload limit, store nothing and keep serving others', async () => {
      const s = track(await socketOf(counselor.token));
      const bystander = track(await socketOf(client.token));
      const before = dbCount('SELECT COUNT(*) AS n FROM messages');
      const dropped = new Promise<string>((resolve) => s.once('disconnect', resolve));
      s.emit('message.send', { roomId, clientMsgId: marker(), body: 'x'.repeat(200 * 1024) }, () => undefined);
      await expect(dropped).resolves.toBe('transport close');
      expect(dbCount('SELECT COUNT(*) AS n FROM messages')).toBe(before);
      expect(await call(bystander, 'room.history', { roomId, limit: 1 })).toMatchObject({ ok: true });
    });

    it('should refuse a polling POST over the payload limit without keeping the session', async () => {
      const open = await as(null).get('/socket.io/?EIO=4&transport=polling');
      expect(open.status).toBe(200);
      const sid = (JSON.parse(open.text.slice(1)) as { sid: string }).sid;
      const big = await as(null)
        .post(`/socket.io/?EIO=4&transport=polling&sid=${sid}`)
        .set('Content-Type', 'text/plain;charset=UTF-8')
        .send(`40${JSON.stringify({ token: 'x'.repeat(200 * 1024) })}`);
      expect(big.status).toBeGreaterThanOrEqual(400);
      const after = await as(null).get(`/socket.io/?EIO=4&transport=polling&sid=${sid}`);
      expect(after.status).toBe(400);
    });

    it('should answer a JSON body declared as 100 MB with PAYLOAD_TOO_LARGE before it is sent', async () => {
      const started = Date.now();
      const req = rawRequest(
        `POST /api/threads HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${client.token}\r\nX-Forwarded-For: ${address()}\r\n` +
          `Content-Type: application/json\r\nContent-Length: ${100 * 1024 * 1024}\r\n\r\n{"subject":"`,
      );
      const answer = await req.answer;
      req.end();
      expect([answer.status, codeOf(JSON.parse(answer.body))]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
      expect(answer.at - started).toBeLessThan(3000);
    });
  });

  describe('floods', () => {
    it('should answer a socket that floods 400 commands at once with RATE_LIMITED beyond its limit while another client is answered', async () => {
      const attacker = track(await socketOf(client.token));
      const bystander = track(await socketOf(counselor.token));
      const flood = Promise.all(Array.from({ length: 400 }, () => callRaw(attacker, 'room.history', { roomId: NO_ROOM }, 15_000).catch(() => null)));
      const { result } = await probeWhile(flood, () => call(bystander, 'room.history', { roomId, limit: 1 }), 2000);
      const codes = result.map((a) => (a === null ? 'none' : a.ok ? 'ok' : a.error.code));
      expect(codes.filter((c) => c === 'RATE_LIMITED').length).toBeGreaterThan(200);
      expect(codes.filter((c) => c !== 'RATE_LIMITED' && c !== 'NOT_FOUND' && c !== 'none')).toEqual([]);
    });

    it('should store only the acknowledged messages of a flood of 120 sends and refuse the rest with RATE_LIMITED', async () => {
      const flooder = await freshStaff(slug, admin);
      const s = track(await socketOf(flooder.token));
      const room = ok(await call(s, 'room.create', { name: plant(`Raum ${marker()}`), memberIds: [client.id] })).roomId;
      const acks = await Promise.all(
        Array.from({ length: 120 }, (_, i) =>
          callRaw(s, 'message.send', { roomId: room, clientMsgId: `flood-${i}`, body: plant(`flood ${marker()}`) }, 15_000),
        ),
      );
      const okCount = acks.filter((a) => a.ok).length;
      expect(okCount).toBeGreaterThan(0);
      expect(acks.filter((a) => !a.ok && a.error.code !== 'RATE_LIMITED')).toEqual([]);
      expect(acks.some((a) => !a.ok && a.error.code === 'RATE_LIMITED')).toBe(true);
      expect(dbCount('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', [room])).toBe(okCount);
    });

    it('should answer a flood of 80 logins from one address with RATE_LIMITED while others are answered', async () => {
      const flooder = address();
      const attempt = () =>
        as(null)
          .post('/api/auth/login')
          .set('X-Forwarded-For', flooder)
          .send({ center: slug, login: `nobody-${marker()}`, password: 'wrong-password-123' })
          .then((r) => r.status);
      const flood = Promise.all(Array.from({ length: 80 }, attempt));
      const { result } = await probeWhile(
        flood,
        async () => {
          await as(client.token).get('/api/threads').expect(200);
        },
        5000,
      );
      // 50 tries per address and 15 minutes (loginAddress), then RATE_LIMITED
      expect(result.filter((s) => s === 429).length).toBeGreaterThanOrEqual(30);
      expect(result.filter((s) => s !== 429 && s !== 401)).toEqual([]);
    });
  });
});
