import type { Ack, CenterPublicInfo, LiveSyncResult, RoomMemberView, ShiftOpenResult } from '../../src/realtime/contract';
import type { CenterPublicView } from '../../src/modules/centers/centers.service';
import type { RoomsService } from '../../src/modules/rooms/rooms.service';
import type { CommandPayload, CommandResult } from '../../client/src/lib/contract';
import { command, LotseSocket } from '../../client/src/lib/socket';

/** A socket that answers every emit with `answer` and records what was sent. */
function answering(answer: Ack<unknown>): { socket: LotseSocket; sent: { event: string; payload: unknown }[] } {
  const sent: { event: string; payload: unknown }[] = [];
  const socket = {
    emit(event: string, payload: unknown, ack: (a: Ack<unknown>) => void) {
      sent.push({ event, payload });
      ack(answer);
      return socket;
    },
  };
  return { socket: socket as unknown as LotseSocket, sent };
}

describe('client command (typed by the socket contract)', () => {
  it('should send the payload and resolve with the ack typed as the contract result', async () => {
    const { socket, sent } = answering({ ok: true, data: { shiftId: 's1' } });
    const ack = await command(socket, 'shift.open', { maxChats: 2 });
    expect(sent).toEqual([{ event: 'shift.open', payload: { maxChats: 2 } }]);
    // the result type is the contract's: this assignment only compiles because it is ShiftOpenResult
    const data: ShiftOpenResult | undefined = ack.ok ? ack.data : undefined;
    expect(data).toEqual({ shiftId: 's1' });
  });

  it('should resolve a missing ack as INTERNAL after the timeout', async () => {
    const socket = { emit: () => socket } as unknown as LotseSocket;
    await expect(command(socket, 'live.sync', {}, 5)).resolves.toEqual({ ok: false, error: { code: 'INTERNAL', message: 'timeout' } });
  });

  it('should take payload and result types from the contract (checked by tsc in npm run check)', () => {
    const { socket } = answering({ ok: true, data: {} });
    const result: CommandResult<'live.sync'> extends LiveSyncResult ? true : false = true;
    const payload: CommandPayload<'queue.join'> = { message: 'hallo' };
    // @ts-expect-error maxChats is a number in the contract
    void command(socket, 'shift.open', { maxChats: 'two' });
    // @ts-expect-error not a command of the contract
    void command(socket, 'shift.nope', {});
    expect([result, payload]).toEqual([true, { message: 'hallo' }]);
  });

  it('should describe the REST shapes the server answers (checked by tsc in npm run check)', () => {
    // what GET /api/centers/:center and GET /api/rooms/:id/members build is what the client reads
    const center: CenterPublicView extends CenterPublicInfo ? true : false = true;
    const members: Awaited<ReturnType<RoomsService['members']>> extends RoomMemberView[] ? true : false = true;
    expect([center, members]).toEqual([true, true]);
  });
});
