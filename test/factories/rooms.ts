import type { RoomCreatePayload } from '../../src/realtime/contract';
import { call, ok } from '../harness/ack';
import type { TestSocket } from '../harness/app';

let roomSeq = 0;

/** A room created by the staff member on `socket` (`room.create`), with `Partial` overrides; its id. */
export async function createRoom(socket: TestSocket, overrides: Partial<RoomCreatePayload> = {}): Promise<string> {
  return ok(await call(socket, 'room.create', { name: `Raum ${++roomSeq}`, memberIds: [], ...overrides })).roomId;
}
