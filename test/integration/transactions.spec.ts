import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { AppConfig } from '../../src/config/config';
import { Transactions } from '../../src/infra/database/transactions';
import { ClusterBus } from '../../src/infra/redis/cluster-bus';
import { RedisService } from '../../src/infra/redis/redis.service';
import { MembershipCache } from '../../src/modules/rooms/membership-cache';
import { isUniqueViolation } from '../../src/infra/database/unique-violation';
import { Message } from '../../src/modules/rooms/message.entity';
import { MessagesRepository } from '../../src/modules/rooms/messages.repository';
import { RoomMember } from '../../src/modules/rooms/room-member.entity';
import { Room } from '../../src/modules/rooms/room.entity';
import { RoomsRepository } from '../../src/modules/rooms/rooms.repository';
import { rowFactories } from '../factories';
import { openTestDatabase } from '../harness/database';
import { onMariaDb } from '../harness/env';

describe(`transactions (${onMariaDb ? 'MariaDB' : 'SQLite'})`, () => {
  let ds: DataSource;
  let close: () => Promise<void>;
  let tx: Transactions;
  let rooms: RoomsRepository;
  let messages: MessagesRepository;
  const centerId = randomUUID();
  const rows = rowFactories(centerId);

  beforeAll(async () => {
    ({ ds, close } = await openTestDatabase());
    tx = new Transactions(ds);
    // an in-process bus: this file does not test the cache
    const cache = new MembershipCache(new ClusterBus(new RedisService({ redisUrl: null } as AppConfig)));
    rooms = new RoomsRepository(ds.getRepository(Room), ds.getRepository(RoomMember), tx, cache);
    messages = new MessagesRepository(ds.getRepository(Message), tx);
  });
  afterAll(async () => {
    await close();
  });

  const room = (): Room => rows.room();
  const member = (roomId: string, subjectId = randomUUID()): RoomMember => rows.member({ roomId, subjectId });
  const roomCount = (id: string) => ds.getRepository(Room).countBy({ id });
  const memberCount = (roomId: string) => ds.getRepository(RoomMember).countBy({ roomId });

  it('should let timers and I/O run between queued transactions (SQLite answers synchronously: a chain of them starved the event loop)', async () => {
    const made = Array.from({ length: 200 }, () => room());
    let done = 0;
    let doneWhenTimerFired: number | null = null;
    setTimeout(() => (doneWhenTimerFired = done), 0);
    await Promise.all(
      made.map((r) =>
        tx.run(async () => {
          await rooms.insertRoom(r, []);
          done++;
        }),
      ),
    );
    // the timer came due while the transactions were still being worked off
    expect(doneWhenTimerFired).not.toBeNull();
    expect(doneWhenTimerFired).toBeLessThan(made.length);
  });

  it('should answer 60 transactions at once that each also query through an unbound repository (a second pool connection)', async () => {
    // Without a bound on the transactions open at once, MariaDB's pool of 20 was held by 20
    // transactions that each waited for a 21st connection, and nothing was answered again.
    const unbound = ds.getRepository(Room);
    const made = Array.from({ length: 60 }, () => room());
    const started = Date.now();
    await Promise.all(
      made.map((r) =>
        tx.run(async () => {
          await rooms.insertRoom(r, []);
          await new Promise((resolve) => setTimeout(resolve, 20));
          return unbound.countBy({ centerId });
        }),
      ),
    );
    expect(Date.now() - started).toBeLessThan(20_000);
    for (const r of made) expect(await roomCount(r.id)).toBe(1);
  }, 30_000);

  it('should store neither the room nor any member when a member row hits a unique index', async () => {
    const r = room();
    const m = member(r.id);
    const err: unknown = await rooms.insertRoom(r, [member(r.id), m, { ...m }]).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
    expect([await roomCount(r.id), await memberCount(r.id)]).toEqual([0, 0]);
    // the same room with valid members is stored whole
    await rooms.insertRoom(r, [m, member(r.id)]);
    expect([await roomCount(r.id), await memberCount(r.id)]).toEqual([1, 2]);
  });

  it('should roll back the writes of a nested run with the outer one, and keep what a concurrent run committed', async () => {
    const failed = room();
    const kept = room();
    const outcome = await Promise.allSettled([
      tx.run(async () => {
        await rooms.insertRoom(failed, [member(failed.id)]);
        await rooms.upsertMember(member(failed.id));
        throw new Error('forced failure after the writes');
      }),
      rooms.insertRoom(kept, [member(kept.id)]),
    ]);
    expect(outcome.map((o) => o.status)).toEqual(['rejected', 'fulfilled']);
    expect([await roomCount(failed.id), await memberCount(failed.id)]).toEqual([0, 0]);
    expect([await roomCount(kept.id), await memberCount(kept.id)]).toEqual([1, 1]);
  });

  it('should delete the members with the room or neither', async () => {
    const r = room();
    await rooms.insertRoom(r, [member(r.id), member(r.id)]);
    await expect(
      tx.run(async () => {
        await rooms.deleteRoom(centerId, r.id);
        throw new Error('forced failure after the delete');
      }),
    ).rejects.toThrow('forced failure');
    expect([await roomCount(r.id), await memberCount(r.id)]).toEqual([1, 2]);
    await rooms.deleteRoom(centerId, r.id);
    expect([await roomCount(r.id), await memberCount(r.id)]).toEqual([0, 0]);
  });

  it('should run afterCommit callbacks once the outermost run committed, and none after a rollback', async () => {
    const seen: string[] = [];
    const r = room();
    await tx.run(async () => {
      await rooms.insertRoom(r, [member(r.id)]);
      await tx.run(async () => {
        await tx.afterCommit(async () => {
          // after the commit, outside the transaction: the row is there for everyone, and a new run is free to open
          seen.push(`committed ${await ds.getRepository(Room).countBy({ id: r.id })}`);
          await tx.run(async () => rooms.upsertMember(member(r.id)));
        });
      });
      seen.push('still inside');
    });
    expect(seen).toEqual(['still inside', 'committed 1']);
    expect(await memberCount(r.id)).toBe(2);

    const failed = room();
    await expect(
      tx.run(async () => {
        await rooms.insertRoom(failed, []);
        await tx.afterCommit(() => {
          seen.push('after a rollback');
        });
        throw new Error('forced failure after the write');
      }),
    ).rejects.toThrow('forced failure');
    expect(seen).toEqual(['still inside', 'committed 1']);
    // outside of a run: at once
    await tx.afterCommit(() => {
      seen.push('no transaction');
    });
    expect(seen).toEqual(['still inside', 'committed 1', 'no transaction']);
  });

  it('should answer a duplicate message as duplicate inside the transaction and spend no seq', async () => {
    const r = room();
    const sender = randomUUID();
    await rooms.insertRoom(r, [member(r.id, sender)]);
    const msg = (): Message => rows.message({ roomId: r.id, senderId: sender, clientMsgId: 'c-1', body: 'v1:x' });
    await expect(messages.append(msg())).resolves.toEqual({ kind: 'stored', seq: 1 });
    await expect(messages.append(msg())).resolves.toEqual({ kind: 'duplicate' });
    await expect(ds.getRepository(Room).findOneByOrFail({ id: r.id })).resolves.toMatchObject({ lastSeq: 1 });
  });
});
