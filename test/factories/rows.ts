import { randomUUID } from 'node:crypto';
import { Clock } from '../../src/common/clock';
import { Message } from '../../src/modules/rooms/message.entity';
import { RoomMember } from '../../src/modules/rooms/room-member.entity';
import { Room } from '../../src/modules/rooms/room.entity';

/** A fixed moment for rows whose time does not matter to the test. */
const FIXED = new Date('2026-12-01T10:00:00.000Z');
const fixedClock: Clock = { now: () => FIXED };

/**
 * Entity rows for repository tests, with `Partial<T>` overrides: what the test does not name gets a
 * fresh id and a plain value; times come from `clock` (the test's `TestClock`, or a fixed moment).
 */
export function rowFactories(centerId: string, clock: Clock = fixedClock) {
  return {
    room: (overrides: Partial<Room> = {}): Room =>
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
        createdAt: clock.now(),
        ...overrides,
      }),
    member: (overrides: Partial<RoomMember> & Pick<RoomMember, 'roomId'>): RoomMember =>
      Object.assign(new RoomMember(), {
        subjectId: randomUUID(),
        centerId,
        role: 'client',
        displayName: 'n',
        lastReadSeq: 0,
        muted: false,
        removedAt: null,
        joinedAt: clock.now(),
        ...overrides,
      }),
    /** seq 0: the repository's append allocates it. */
    message: (overrides: Partial<Message> & Pick<Message, 'roomId'>): Message =>
      Object.assign(new Message(), {
        id: randomUUID(),
        centerId,
        seq: 0,
        senderId: randomUUID(),
        clientMsgId: randomUUID(),
        body: 'v1:ciphertext',
        createdAt: clock.now(),
        ...overrides,
      }),
  };
}
