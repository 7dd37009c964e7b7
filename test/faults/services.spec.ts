import Redis from 'ioredis';
import { createConnection } from 'mysql2/promise';
import { startMariaDb, startRedis } from '../harness/services';

// The private services themselves: a restart keeps the port (and MariaDB its rows), a kill ends the process.
describe('private services', () => {
  it('should start, kill and restart a private Redis on the same port', async () => {
    const r = await startRedis();
    try {
      expect(r.port).not.toBe(6379);
      const c = new Redis(r.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
      await c.connect();
      await c.set('k', 'v');
      await r.kill();
      expect(r.running).toBe(false);
      await r.start();
      const d = new Redis(r.url);
      expect(await d.get('k')).toBeNull(); // no persistence
      await d.set('k', 'w');
      await r.restart();
      expect(await d.ping()).toBe('PONG');
      c.disconnect();
      d.disconnect();
    } finally {
      await r.close();
    }
  });

  it('should start a private MariaDB that keeps committed rows across a restart and a kill', async () => {
    const t0 = Date.now();
    const m = await startMariaDb();
    const started = Date.now() - t0;
    try {
      expect(m.port).not.toBe(3306);
      const url = await m.createDatabase('faults_smoke');
      const q = async (sql: string) => {
        const c = await createConnection(url);
        try {
          return (await c.query(sql))[0] as Array<Record<string, unknown>>;
        } finally {
          await c.end();
        }
      };
      await q('CREATE TABLE t (id INT PRIMARY KEY) ENGINE=InnoDB');
      await q('INSERT INTO t VALUES (1)');
      await m.restart();
      await q('INSERT INTO t VALUES (2)');
      await m.kill();
      expect(m.running).toBe(false);
      await m.start();
      expect((await q('SELECT COUNT(*) AS n FROM t'))[0]).toEqual({ n: 2 });
      process.stdout.write(`private MariaDB started in ${started} ms\n`);
    } finally {
      await m.close();
    }
  });
});
