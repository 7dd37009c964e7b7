import { DataSource } from 'typeorm';
import { ShiftsService } from '../../src/modules/live-queue/shifts.service';
import { onMariaDb } from './env';
import type { TestApp } from './app';

/** Resolves when the node's shift presence handler (connect or disconnect) has finished for this subject. */
export function presenceHandled(node: TestApp, handler: 'onConnected' | 'onDisconnected', subjectId: string): Promise<void> {
  const shifts = node.app.get(ShiftsService);
  const original = shifts[handler].bind(shifts);
  return new Promise((resolve, reject) => {
    const spy = jest.spyOn(shifts, handler).mockImplementation(async (event) => {
      if (event.auth.subjectId !== subjectId) return original(event);
      spy.mockRestore();
      await original(event).then(resolve, reject);
    });
  });
}

/**
 * The database's time decides a shift's grace: instead of waiting for it, a started grace of the
 * counselor is made due, then the grace sweep runs on every node (one after another).
 */
export async function expireGraceAndSweep(nodes: TestApp[], counselorId: string): Promise<void> {
  await nodes[0]!.app
    .get(DataSource)
    .query('UPDATE shifts SET grace_until = ? WHERE counselor_id = ? AND closed_at IS NULL AND grace_until IS NOT NULL', [
      onMariaDb ? new Date(0) : '1970-01-01 00:00:00.000',
      counselorId,
    ]);
  for (const n of nodes) await n.app.get(ShiftsService).sweepGrace();
}
