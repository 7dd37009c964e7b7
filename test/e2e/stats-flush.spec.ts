import { EventEmitter2 } from '@nestjs/event-emitter';
import { DataSource } from 'typeorm';
import { emitEvent, STAT_COUNTED, StatMetric } from '../../src/common/events';
import { StatsService, STATS_FLUSH_MS } from '../../src/modules/stats/stats.service';
import { seedCenter, SeededCenter, startApp, TestApp } from '../harness/app';
import { onMariaDb } from '../harness/env';

/** Counts are added up in memory and written once a second (docs/perf-log-perf-queue2.md): the flush. */
describe(`statistics flush (${onMariaDb ? 'MariaDB' : 'SQLite'})`, () => {
  let t: TestApp & { dropDb: () => Promise<void> };
  let c: SeededCenter;
  const at = new Date('2026-01-15T12:00:00Z');

  beforeAll(async () => {
    t = await startApp();
    c = await seedCenter(t, { counselors: 0, clients: 0 });
  });
  afterAll(async () => {
    await t.close();
    await t.dropDb();
  });

  const emit = (metric: StatMetric, value?: number) =>
    emitEvent(t.app.get(EventEmitter2), STAT_COUNTED, { centerId: c.centerId, metric, at, ...(value === undefined ? {} : { value }) });
  const rows = () =>
    t.app
      .get(DataSource)
      .query<{ metric: string; bucket: number; count: number }[]>('SELECT metric, bucket, count FROM stat_counts WHERE center_id = ? ORDER BY metric, bucket', [
        c.centerId,
      ]);
  const sum = async () => (await rows()).reduce((n, r) => n + Number(r.count), 0);

  it('should write the counts of an interval added up, one row per day, metric and bucket, within the flush interval', async () => {
    for (let i = 0; i < 5; i++) await emit('live.started');
    await emit('live.wait', 10);
    await emit('live.wait', 12);
    const start = Date.now();
    while ((await sum()) < 7 && Date.now() - start < 5 * STATS_FLUSH_MS) await new Promise((r) => setTimeout(r, 50));
    expect(Date.now() - start).toBeLessThan(5 * STATS_FLUSH_MS);
    expect((await rows()).map((r) => [r.metric, Number(r.bucket), Number(r.count)])).toEqual([
      ['live.started', expect.any(Number), 5],
      ['live.wait', 0, 2],
    ]);
  });

  it('should write what is pending when a report is read and when the node stops', async () => {
    const stats = t.app.get(StatsService);
    const before = await sum();
    await emit('live.started');
    await emit('live.started');
    // the report flushes this node's pending counts first
    const report = await stats.report(
      { centerId: c.centerId, subjectId: c.admin.id, role: 'admin', displayName: 'Admin', tokenHash: 'x' },
      { from: '2026-01-15', to: '2026-01-15' },
    );
    expect(report.days[0]).toBeDefined();
    expect(await sum()).toBe(before + 2);
    // a graceful stop writes the rest before the database closes
    await emit('live.started');
    await stats.beforeApplicationShutdown();
    expect(await sum()).toBe(before + 3);
  });
});
