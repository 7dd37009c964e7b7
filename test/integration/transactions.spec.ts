import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import { Transactions } from '../../src/infra/database/transactions';
import { isUniqueViolation } from '../../src/infra/database/unique-violation';
import { Message } from '../../src/modules/rooms/message.entity';
import { MessagesRepository } from '../../src/modules/rooms/messages.repository';
import { RoomMember } from '../../src/modules/rooms/room-member.entity';
import { Room } from '../../src/modules/rooms/room.entity';
import { RoomsRepository } from '../../src/modules/rooms/rooms.repository';
import { createMariaDb, onMariaDb, tempDataDir } from '../harness/env';

const at = new Date('2026-12-01T10:00:00.000Z');

describe(`transactions (${onMariaDb ? 'MariaDB' : 'SQLite'})`, () => {
  let ds: DataSource;
  let drop: () => Promise<void> = async () => undefined;
  let tx: Transactions;
  let rooms: RoomsRepository;
  let messages: MessagesRepository;
  const centerId = randomUUID();

  beforeAll(async () => {
    if (onMariaDb) {
      const db = await createMariaDb();
      drop = db.drop;
      ds = new DataSource(dataSourceOptions({ database: { kind: 'mysql', url: db.url } }));
    } else {
      ds = new DataSource(dataSourceOptions({ database: { kind: 'sqlite', file: join(tempDataDir(), 'lotse.sqlite') } }));
    }
    await ds.initialize();
    await ds.runMigrations();
    tx = new Transactions(ds);
    rooms = new RoomsRepository(ds.getRepository(Room), ds.getRepository(RoomMember), tx);
    messages = new MessagesRepository(ds.getRepository(Message), tx);
  });
  afterAll(async () => {
    await ds.destroy();
    await drop();
  });

  const room = (): Room =>
    Object.assign(new Room(), {
      id: randomUUID(),
      centerId,
      kind: 'group',
      name: 'r',
      createdBy: null,
      startsAt: null,
      endsAt: null,
      closedAt: null,
      lastSeq: 0,
      createdAt: at,
    });
  const member = (roomId: string, subjectId = randomUUID()): RoomMember =>
    Object.assign(new RoomMember(), {
      roomId,
      subjectId,
      centerId,
      role: 'client',
      displayName: 'n',
      lastReadSeq: 0,
      muted: false,
      removedAt: null,
      joinedAt: at,
    });
  const roomCount = (id: string) => ds.getRepository(Room).countBy({ id });
  const memberCount = (roomId: string) => ds.getRepository(RoomMember).countBy({ roomId });

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

  it('should answer a duplicate message as duplicate inside the transaction and spend no seq', async () => {
    const r = room();
    await rooms.insertRoom(r, []);
    const sender = randomUUID();
    const msg = (): Message =>
      Object.assign(new Message(), { id: randomUUID(), centerId, roomId: r.id, seq: 0, senderId: sender, clientMsgId: 'c-1', body: 'v1:x', createdAt: at });
    await expect(messages.append(msg())).resolves.toEqual({ kind: 'stored', seq: 1 });
    await expect(messages.append(msg())).resolves.toEqual({ kind: 'duplicate' });
    await expect(ds.getRepository(Room).findOneByOrFail({ id: r.id })).resolves.toMatchObject({ lastSeq: 1 });
  });
});
