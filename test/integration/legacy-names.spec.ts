import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/infra/database/data-source-options';
import { MIGRATIONS } from '../../src/infra/database/migrations';
import { CiphertextNamesAndKeyIds1764900000000 } from '../../src/infra/database/migrations/1764900000000-ciphertext-names-and-key-ids';
import { call, ok } from '../harness/ack';
import { closeAllSockets, connect, seedCenter, startApp } from '../harness/app';
import { createMariaDb, onMariaDb, tempDataDir, TEST_DB } from '../harness/env';

/**
 * An installation from before names were encrypted: the migration marks the plain names and the
 * next start encrypts them with the room's keys before the server serves.
 */
describe(`room and member names stored in plain text before the upgrade (${TEST_DB})`, () => {
  it('should encrypt them at start and still show them when the database is upgraded', async () => {
    const dataDir = tempDataDir();
    const db = onMariaDb ? await createMariaDb() : null;
    const database = db ? ({ kind: 'mysql', url: db.url } as const) : ({ kind: 'sqlite', file: join(dataDir, 'lotse.sqlite') } as const);
    try {
      // a current installation with a center, a counselor and a client ...
      const t = await startApp({ dataDir, databaseUrl: db?.url });
      const c = await seedCenter(t, { counselors: 1, clients: 1 });
      await t.close();
      // ... taken back to the schema before names were encrypted (that migration and every later one
      // undone), with a room as the old code wrote it
      const old = await new DataSource({ ...dataSourceOptions({ database }), migrations: MIGRATIONS }).initialize();
      const laterSteps = MIGRATIONS.length - MIGRATIONS.findIndex((m) => m.name === CiphertextNamesAndKeyIds1764900000000.name);
      for (let i = 0; i < laterSteps; i++) await old.undoLastMigration();
      const roomId = randomUUID();
      const now = new Date().toISOString().replace('T', ' ').replace('Z', '');
      await old.query('INSERT INTO rooms (id, center_id, kind, name, created_by, last_seq, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)', [
        roomId,
        c.centerId,
        'direct',
        'Gespräch mit Jana',
        c.counselors[0]!.id,
        now,
      ]);
      for (const [subject, role, name] of [
        [c.counselors[0]!.id, 'counselor', 'Counselor 1'],
        [c.clients[0]!.id, 'client', 'Jana'],
      ] as const) {
        await old.query(
          'INSERT INTO room_members (room_id, subject_id, center_id, role, display_name, last_read_seq, muted, joined_at) VALUES (?, ?, ?, ?, ?, 0, 0, ?)',
          [roomId, subject, c.centerId, role, name, now],
        );
      }
      await old.destroy();

      // the upgrade: migrations and the start
      const t2 = await startApp({ dataDir, databaseUrl: db?.url });
      try {
        const ds = t2.app.get(DataSource);
        const [room] = await ds.query<{ name: string }[]>('SELECT name FROM rooms WHERE id = ?', [roomId]);
        expect(room!.name).toMatch(/^v1:/);
        const names = await ds.query<{ display_name: string }[]>('SELECT display_name FROM room_members WHERE room_id = ?', [roomId]);
        expect(names.map((n) => n.display_name)).toEqual([expect.stringMatching(/^v1:/), expect.stringMatching(/^v1:/)]);
        const s = await connect(t2.url, c.clients[0]!.token);
        expect(ok(await call(s, 'room.join', { roomId })).name).toBe('Gespräch mit Jana');
        ok(await call(s, 'message.send', { roomId, clientMsgId: 'after-upgrade', body: 'Hallo' }));
        const history = ok(await call(s, 'room.history', { roomId })).messages;
        expect(history.map((m) => m.sender.displayName)).toEqual(['Jana']);
      } finally {
        closeAllSockets();
        await t2.close();
      }
    } finally {
      await db?.drop();
    }
  });
});
