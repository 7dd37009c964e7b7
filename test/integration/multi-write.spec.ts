import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { runCli } from '../../src/cli';
import type { ServerToClientEvents } from '../../src/realtime/contract';
import { RealtimePublisher } from '../../src/realtime/publisher';
import { Transactions } from '../../src/infra/database/transactions';
import { AccountsRepository } from '../../src/modules/accounts/accounts.repository';
import { AccountsService } from '../../src/modules/accounts/accounts.service';
import { TokensRepository } from '../../src/modules/auth/tokens.repository';
import { CentersService } from '../../src/modules/centers/centers.service';
import { DataKeyRepository } from '../../src/modules/crypto/data-key.repository';
import { DemoService } from '../../src/modules/demo/demo.service';
import { LiveChatsService } from '../../src/modules/live-queue/live-chats.service';
import { RoomsRepository } from '../../src/modules/rooms/rooms.repository';
import { RoomsService } from '../../src/modules/rooms/rooms.service';
import { TopicChatsRepository } from '../../src/modules/topic-chats/topic-chats.repository';
import { TopicChatsService } from '../../src/modules/topic-chats/topic-chats.service';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, login, nextEvent, seedCenter, startApp, TestApp, TestSocket, visitor } from '../harness/app';
import { createMariaDb, onMariaDb, TEST_DB, TEST_MASTER_KEY, tempDataDir } from '../harness/env';
import { expectSeatsMatchChats } from '../harness/live-invariant';
import { createCenter, createClient, createRoom, createStaff, Login, PASSWORD, uniqueSlug } from '../factories';

type Closed = Parameters<ServerToClientEvents['room.closed']>[0];

/** Makes `method` of `target` fail until the returned spy is restored. */
function failing<T extends object>(target: T, method: keyof T & string): jest.SpyInstance {
  return jest.spyOn(target, method as never).mockImplementation((() => Promise.reject(new Error('forced failure'))) as never);
}

/** Runs `work` while `method` of `target` fails, and restores it. */
async function whileFailing<T extends object, R>(target: T, method: keyof T & string, work: () => Promise<R>): Promise<R> {
  const spy = failing(target, method);
  try {
    return await work();
  } finally {
    spy.mockRestore();
  }
}

/**
 * Every operation that writes more than once is one transaction: a late write of it that fails
 * leaves nothing of the earlier ones (and nobody is told of what did not happen); the same
 * operation then goes through whole.
 */
describe(`multi-write operations in one transaction (${TEST_DB})`, () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let ds: DataSource;

  beforeAll(async () => {
    t = await startApp();
    ds = t.app.get(DataSource);
  });
  afterAll(async () => {
    closeAllSockets();
    await t.close();
    await t.dropDb();
  });

  const count = async (sql: string, ...params: unknown[]): Promise<number> => Number((await ds.query<{ n: number | string }[]>(sql, params))[0]!.n);
  const bearer = (l: Login) => `Bearer ${l.token}`;

  /** What the database holds of a room, counted by kind. */
  const roomTraces = async (roomId: string) => ({
    open: await count('SELECT COUNT(*) AS n FROM rooms WHERE id = ? AND closed_at IS NULL', roomId),
    messages: await count('SELECT COUNT(*) AS n FROM messages WHERE room_id = ?', roomId),
    members: await count('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ? AND removed_at IS NULL', roomId),
    roomKey: await count('SELECT COUNT(*) AS n FROM data_keys WHERE scope = ?', `room:${roomId}`),
    memberKeys: await count('SELECT COUNT(*) AS n FROM data_keys WHERE scope LIKE ?', `room:${roomId}:%`),
  });

  function recordClosed(socket: TestSocket): Closed[] {
    const seen: Closed[] = [];
    socket.on('room.closed', (p) => seen.push(p));
    return seen;
  }

  describe('rooms and accounts', () => {
    it('should keep the old password and every other session when revoking the sessions fails after the password was written', async () => {
      const center = await createCenter(t);
      const client = await createClient(t, center);
      const other = await login(t, center.slug, client.login, PASSWORD);
      const change = () =>
        t.http().post('/api/auth/password').set('Authorization', bearer(client)).send({ currentPassword: PASSWORD, newPassword: 'Brand-New-Secret-42' });

      await whileFailing(t.app.get(TokensRepository), 'deleteBySubject', () => change().expect(500));
      await login(t, center.slug, client.login, PASSWORD);
      await t.http().get('/api/auth/me').set('Authorization', bearer(other)).expect(200);

      await change().expect(204);
      await t.http().post('/api/auth/login').send({ center: center.slug, login: client.login, password: PASSWORD }).expect(401);
      await login(t, center.slug, client.login, 'Brand-New-Secret-42');
      await t.http().get('/api/auth/me').set('Authorization', bearer(other)).expect(401);
    });

    it('should keep the client’s session and account when deleting the account row fails as an admin deletes the client', async () => {
      const center = await createCenter(t);
      const admin = await createStaff(t, center, { role: 'admin' });
      const client = await createClient(t, center);
      const remove = () => t.http().delete(`/api/centers/${center.slug}/clients/${client.id}`).set('Authorization', bearer(admin));
      const accountRows = () => count('SELECT COUNT(*) AS n FROM accounts WHERE id = ?', client.id);

      await whileFailing(t.app.get(AccountsRepository), 'delete', () => remove().expect(500));
      expect(await accountRows()).toBe(1);
      await t.http().get('/api/auth/me').set('Authorization', bearer(client)).expect(200);

      await remove().expect(204);
      expect(await accountRows()).toBe(0);
      await t.http().get('/api/auth/me').set('Authorization', bearer(client)).expect(401);
    });

    it('should keep the room open with its messages, members and keys when destroying its keys fails during DELETE /api/rooms/:id', async () => {
      const center = await createCenter(t);
      const counselor = await createStaff(t, center);
      const client = await createClient(t, center);
      const cs = await connect(t.url, counselor.token);
      const ls = await connect(t.url, client.token);
      const roomId = await createRoom(cs, { memberIds: [client.id] });
      ok(await call(ls, 'room.join', { roomId }));
      ok(await call(ls, 'message.send', { roomId, clientMsgId: 'm1', body: 'Ich brauche Hilfe' }));
      const before = await roomTraces(roomId);
      expect(before).toEqual({ open: 1, messages: 1, members: 2, roomKey: 1, memberKeys: 2 });
      const closedSeen = recordClosed(ls);
      const remove = () => t.http().delete(`/api/rooms/${roomId}`).set('Authorization', bearer(counselor));

      // the last write of the deletion: the member keys, after the close, the messages, members, room row and room key
      await whileFailing(t.app.get(DataKeyRepository), 'deleteScopesLike', () => remove().expect(500));
      expect(await roomTraces(roomId)).toEqual(before);
      expect(ok(await call(ls, 'room.history', { roomId })).messages.map((m) => m.body)).toEqual(['Ich brauche Hilfe']);

      const closed = nextEvent(ls, 'room.closed');
      await remove().expect(204);
      await expect(closed).resolves.toEqual({ roomId, reason: 'deleted' });
      // told once, only of the deletion that happened
      expect(closedSeen).toEqual([{ roomId, reason: 'deleted' }]);
      expect(await roomTraces(roomId)).toEqual({ open: 0, messages: 0, members: 0, roomKey: 0, memberKeys: 0 });
    });

    it('should keep the members of a room when destroying their keys fails in forgetMembers', async () => {
      const center = await createCenter(t);
      const counselor = await createStaff(t, center);
      const client = await createClient(t, center);
      const cs = await connect(t.url, counselor.token);
      const roomId = await createRoom(cs, { memberIds: [client.id] });
      const rooms = t.app.get(RoomsService);
      const before = await roomTraces(roomId);
      expect(before.members).toBe(2);
      expect(before.memberKeys).toBe(2);

      await expect(whileFailing(t.app.get(DataKeyRepository), 'deleteScopesLike', () => rooms.forgetMembers(center.id, roomId))).rejects.toThrow(
        'forced failure',
      );
      expect(await roomTraces(roomId)).toEqual(before);

      await rooms.forgetMembers(center.id, roomId);
      expect(await roomTraces(roomId)).toMatchObject({ members: 0, memberKeys: 0 });
    });
  });

  describe('topic chats', () => {
    interface Topic {
      center: { id: string; slug: string };
      host: Login;
      hs: TestSocket;
      id: string;
    }

    /** A topic chat in a new center; `startsInMs` from now, ending `endsInMs` from now. */
    async function topic(startsInMs: number, endsInMs: number): Promise<Topic> {
      const center = await createCenter(t);
      const host = await createStaff(t, center);
      const hs = await connect(t.url, host.token);
      const now = Date.now();
      const res = await t
        .http()
        .post(`/api/centers/${center.slug}/topic-chats`)
        .set('Authorization', bearer(host))
        .send({
          title: 'Prüfungsangst',
          description: 'Austausch',
          capacity: 10,
          startsAt: new Date(now + startsInMs).toISOString(),
          endsAt: new Date(now + endsInMs).toISOString(),
        })
        .expect(201);
      return { center, host, hs, id: (res.body as { id: string }).id };
    }

    /** An open topic chat with a client who joined under a nickname and wrote a message. */
    async function running(endsInMs = 3_600_000): Promise<Topic & { client: Login; roomId: string }> {
      const tc = await topic(-60_000, endsInMs);
      const client = await createClient(t, tc.center);
      const ls = await connect(t.url, client.token);
      const roomId = ok(await call(ls, 'topic.join', { topicChatId: tc.id, nickname: `Motte${randomBytes(3).toString('hex')}` })).roomId;
      ok(await call(ls, 'message.send', { roomId, clientMsgId: 't1', body: 'Ich habe auch Angst' }));
      return { ...tc, client, roomId };
    }

    const chatRow = async (id: string) =>
      (await ds.query<{ status: string; title: string; room_id: string | null }[]>('SELECT status, title, room_id FROM topic_chats WHERE id = ?', [id]))[0]!;
    const topicTraces = async (tc: { id: string; roomId: string }) => ({
      status: (await chatRow(tc.id)).status,
      nicknames: await count('SELECT COUNT(*) AS n FROM topic_participants WHERE topic_chat_id = ? AND removed_at IS NULL', tc.id),
      ...(await roomTraces(tc.roomId)),
    });

    it('should leave the chat scheduled and create no room when linking the room fails while the chat opens', async () => {
      const tc = await topic(60_000, 3_600_000);
      const topicRooms = () => count("SELECT COUNT(*) AS n FROM rooms WHERE center_id = ? AND kind = 'topic'", tc.center.id);
      const joined = jest.spyOn(t.app.get(RealtimePublisher), 'joinSubject');
      const sweeps = t.app.get(TopicChatsService);
      try {
        await whileFailing(t.app.get(TopicChatsRepository), 'setRoomIfNone', () => sweeps.sweep(new Date(Date.now() + 120_000)));
        expect(await chatRow(tc.id)).toMatchObject({ status: 'scheduled', room_id: null });
        expect(await topicRooms()).toBe(0);
        // nobody's sockets joined the room that was rolled back
        expect(joined.mock.calls.filter(([subject]) => subject === tc.host.id)).toEqual([]);
      } finally {
        joined.mockRestore();
      }

      await sweeps.sweep(new Date(Date.now() + 120_000));
      expect(await chatRow(tc.id)).toMatchObject({ status: 'open', room_id: expect.any(String) as string });
      expect(await topicRooms()).toBe(1);
    });

    it('should keep the title when moving the room’s window fails during PATCH', async () => {
      const tc = await running();
      const patch = () =>
        t
          .http()
          .patch(`/api/centers/${tc.center.slug}/topic-chats/${tc.id}`)
          .set('Authorization', bearer(tc.host))
          .send({ title: 'Neuer Titel', endsAt: new Date(Date.now() + 7_200_000).toISOString() });
      const windowOf = async () => (await ds.query<{ ends_at: unknown }[]>('SELECT ends_at FROM rooms WHERE id = ?', [tc.roomId]))[0]!.ends_at;
      const endsBefore = await windowOf();

      await whileFailing(t.app.get(RoomsRepository), 'setWindow', () => patch().expect(500));
      expect((await chatRow(tc.id)).title).toBe('Prüfungsangst');

      await patch().expect(200);
      expect((await chatRow(tc.id)).title).toBe('Neuer Titel');
      expect(await windowOf()).not.toEqual(endsBefore);
    });

    it('should keep the chat open with its nicknames, room, messages and keys when forgetting the members fails during DELETE (cancel)', async () => {
      const tc = await running();
      const before = await topicTraces(tc);
      expect(before).toEqual({ status: 'open', nicknames: 1, open: 1, messages: 1, members: 2, roomKey: 1, memberKeys: 2 });
      const closedSeen = recordClosed(tc.hs);
      const cancel = () => t.http().delete(`/api/centers/${tc.center.slug}/topic-chats/${tc.id}`).set('Authorization', bearer(tc.host));

      await whileFailing(t.app.get(DataKeyRepository), 'deleteScopesLike', () => cancel().expect(500));
      expect(await topicTraces(tc)).toEqual(before);

      const closed = nextEvent(tc.hs, 'room.closed');
      await cancel().expect(204);
      await expect(closed).resolves.toEqual({ roomId: tc.roomId, reason: 'cancelled' });
      expect(closedSeen).toEqual([{ roomId: tc.roomId, reason: 'cancelled' }]);
      expect(await topicTraces(tc)).toMatchObject({ status: 'cancelled', nicknames: 0, open: 0, messages: 0, members: 0, memberKeys: 0 });
    });

    it('should keep the chat open with everything in it when forgetting the members fails as the sweep ends it', async () => {
      const tc = await running(120_000);
      const before = await topicTraces(tc);
      const sweeps = t.app.get(TopicChatsService);
      const closedSeen = recordClosed(tc.hs);

      await whileFailing(t.app.get(DataKeyRepository), 'deleteScopesLike', () => sweeps.sweep(new Date(Date.now() + 130_000)));
      expect(await topicTraces(tc)).toEqual(before);

      const closed = nextEvent(tc.hs, 'room.closed');
      await sweeps.sweep(new Date(Date.now() + 130_000));
      await expect(closed).resolves.toEqual({ roomId: tc.roomId, reason: 'ended' });
      expect(closedSeen).toEqual([{ roomId: tc.roomId, reason: 'ended' }]);
      expect(await topicTraces(tc)).toMatchObject({ status: 'ended', nicknames: 0, open: 0, messages: 0, members: 0, memberKeys: 0 });
    });

    it('should keep the participant when removing them from the room fails during topic.remove', async () => {
      const tc = await running();
      const remove = () => call(tc.hs, 'topic.remove', { roomId: tc.roomId, participantId: tc.client.id });
      const removedAt = async () => count('SELECT COUNT(*) AS n FROM topic_participants WHERE topic_chat_id = ? AND removed_at IS NOT NULL', tc.id);

      const failed = await whileFailing(t.app.get(RoomsRepository), 'markRemoved', remove);
      expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect([await removedAt(), (await roomTraces(tc.roomId)).members]).toEqual([0, 2]);

      ok(await remove());
      expect([await removedAt(), (await roomTraces(tc.roomId)).members]).toEqual([1, 1]);
    });
  });

  describe('live chats', () => {
    async function liveChat(counselors = 1) {
      const c = await seedCenter(t, { counselors: Math.max(counselors, 1), clients: 0 });
      const sockets: TestSocket[] = [];
      for (const cl of c.counselors.slice(0, counselors)) {
        const s = await connect(t.url, cl.token);
        ok(await call(s, 'shift.open', { maxChats: 2 }));
        sockets.push(s);
      }
      const v = await visitor(t, c.slug);
      const vs = await connect(t.url, v.token);
      const assigned = nextEvent(vs, 'queue.assigned');
      ok(await call(vs, 'queue.join', {}));
      const { roomId } = await assigned;
      ok(await call(vs, 'message.send', { roomId, clientMsgId: 'v1', body: 'Hallo?' }));
      return { c, sockets, visitorId: v.visitorId, vs, roomId };
    }

    const liveRow = async (roomId: string) =>
      (
        await ds.query<{ ended_at: unknown; counselor_id: string; end_reason: string | null }[]>(
          'SELECT ended_at, counselor_id, end_reason FROM live_chats WHERE room_id = ?',
          [roomId],
        )
      )[0]!;

    it('should keep the chat running, the room open and the visitor unblocked when revoking the visitor’s tokens fails during live.end with block', async () => {
      const { c, sockets, visitorId, vs, roomId } = await liveChat();
      const blocks = () => count('SELECT COUNT(*) AS n FROM visitor_blocks WHERE visitor_id = ?', visitorId);
      const endAndBlock = () => call(sockets[0]!, 'live.end', { roomId, block: true });

      const failed = await whileFailing(t.app.get(TokensRepository), 'deleteBySubject', endAndBlock);
      expect(failed).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
      expect(await liveRow(roomId)).toMatchObject({ ended_at: null, end_reason: null });
      expect([await blocks(), (await roomTraces(roomId)).open, (await roomTraces(roomId)).messages]).toEqual([0, 1, 1]);
      await expectSeatsMatchChats(t, c.centerId);
      // the visitor's session goes on
      ok(await call(vs, 'message.send', { roomId, clientMsgId: 'v2', body: 'Noch da?' }));

      ok(await endAndBlock());
      expect(await liveRow(roomId)).toMatchObject({ end_reason: 'blocked' });
      expect([await blocks(), (await roomTraces(roomId)).open]).toEqual([1, 0]);
      await expectSeatsMatchChats(t, c.centerId);
    });

    it('should leave the chat with its counselor and end it, with the seats matching the chats, when the hand-over’s last write fails', async () => {
      const { c, roomId } = await liveChat(2);
      const [first, second] = c.counselors;
      expect((await liveRow(roomId)).counselor_id).toBe(first!.id);
      const member = (subjectId: string) => count('SELECT COUNT(*) AS n FROM room_members WHERE room_id = ? AND subject_id = ?', roomId, subjectId);

      // the last write of the hand-over: the gone counselor's membership
      await whileFailing(t.app.get(RoomsRepository), 'markRemoved', () => t.app.get(LiveChatsService).counselorGone(c.centerId, first!.id));
      // nothing of the reassignment or the new member; the chat ended as if nobody could take it
      expect(await liveRow(roomId)).toMatchObject({ counselor_id: first!.id, end_reason: 'counselor_gone' });
      expect([await member(second!.id), await member(first!.id)]).toEqual([0, 1]);
      await expectSeatsMatchChats(t, c.centerId);
    });
  });

  describe('demo seeding', () => {
    it('should create no center and print no logins when the last demo login cannot be created, and seed whole at the next try', async () => {
      const fresh = await startApp();
      try {
        const accounts = fresh.app.get(AccountsService);
        const centers = fresh.app.get(CentersService);
        const demo = new DemoService({ ...fresh.config, demo: true, demoPassword: 'Demo-Password-123' }, centers, accounts, fresh.app.get(Transactions));
        const printed = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
        try {
          const original = accounts.createStaff.bind(accounts);
          let made = 0;
          const third = jest.spyOn(accounts, 'createStaff').mockImplementation(async (...args) => {
            if (++made === 3) throw new Error('forced failure');
            return original(...args);
          });
          try {
            await expect(demo.onApplicationBootstrap()).rejects.toThrow('forced failure');
          } finally {
            third.mockRestore();
          }
          expect(made).toBe(3);
          const freshDs = fresh.app.get(DataSource);
          expect(await centers.count()).toBe(0);
          expect(Number((await freshDs.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM accounts'))[0]!.n)).toBe(0);
          expect(printed).not.toHaveBeenCalled();

          await demo.onApplicationBootstrap();
          expect(printed).toHaveBeenCalledTimes(1);
        } finally {
          printed.mockRestore();
        }
        await login(fresh, 'demo', 'ben@demo.example', 'Demo-Password-123');
      } finally {
        await fresh.close();
        await fresh.dropDb();
      }
    });
  });

  describe('center:create', () => {
    it('should create no center when its admin cannot be created, and both at the next try', async () => {
      const env: Record<string, string> = { DATA_DIR: tempDataDir(), MASTER_KEY: TEST_MASTER_KEY };
      let drop = async (): Promise<void> => undefined;
      if (onMariaDb) {
        const db = await createMariaDb();
        env.DATABASE_URL = db.url;
        drop = db.drop;
      }
      try {
        const cli = async (...argv: string[]) => {
          const lines: string[] = [];
          const code = await runCli(argv, env, (l) => lines.push(l));
          return { code, out: lines.join('\n') };
        };
        const slug = uniqueSlug('cli');
        const create = () =>
          cli('center:create', '--slug', slug, '--name', 'Beratung', '--admin-email', `admin@${slug}.example`, '--admin-password', 'Given-Admin-Pass-1');

        const failed = await whileFailing(AccountsService.prototype, 'createStaff', create);
        expect(failed.code).toBe(1);
        expect((await cli('center:settings', '--center', slug)).out).toContain('NOT_FOUND');

        const created = await create();
        expect(created).toMatchObject({ code: 0 });
        expect(created.out).toContain(`Created center "${slug}"`);
        const staff = await cli('staff:create', '--center', slug, '--email', `admin@${slug}.example`, '--name', 'Again', '--role', 'admin');
        // the admin exists (its email is taken)
        expect(staff.out).toContain('CONFLICT');
      } finally {
        await drop();
      }
    });
  });
});
