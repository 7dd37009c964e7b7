import { spawnSync } from 'node:child_process';
import request from 'supertest';
import { io } from 'socket.io-client';
import { call, ok } from '../harness/ack';
import type { TestSocket } from '../harness/app';
import { Cluster, createCluster, loginAt, Node, PASSWORD, registerAt, ReliableMember } from '../harness/cluster';
import { onMariaDb } from '../harness/env';

// Needs the shared Redis of the machine (and MariaDB for two nodes): only the `cluster` jest
// project of the MariaDB pass runs this file; anywhere else it fails instead of passing vacuously.
if (!onMariaDb) throw new Error('redis-restart.spec.ts needs MariaDB + Redis: run it with LOTSE_TEST_DB=mariadb (npx jest --selectProjects cluster).');

const REDIS_START = [
  '--daemonize',
  'yes',
  '--bind',
  '127.0.0.1',
  '-::1',
  '--port',
  '6379',
  '--save',
  '',
  '--appendonly',
  'no',
  '--dir',
  '/var/lib/redis',
  '--logfile',
  '/var/log/redis/ci.log',
];

const redisUp = () => spawnSync('redis-cli', ['ping'], { encoding: 'utf8' }).stdout.trim() === 'PONG';

/** Starts Redis again unless it runs; other suites on this machine share it. */
function ensureRedis(): void {
  if (redisUp()) return;
  spawnSync('redis-server', REDIS_START, { stdio: 'ignore' });
  for (let i = 0; i < 50 && !redisUp(); i++) spawnSync('sleep', ['0.1']);
}

/** Polls /health (a status, not an event: there is nothing to await) until it matches. */
async function healthBecomes(url: string, status: number, redis: string, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last = '';
  while (Date.now() < deadline) {
    const res = await request(url).get('/health');
    last = `${res.status} ${JSON.stringify(res.body)}`;
    if (res.status === status && (res.body as { redis?: string }).redis === redis) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`health of ${url} never became ${status}/${redis}; last: ${last}`);
}

describe('Redis restarted during a chat', () => {
  let cluster: Cluster;
  let a: Node;
  let b: Node;
  let members: ReliableMember[] = [];

  beforeAll(async () => {
    cluster = await createCluster();
    await cluster.cli(['center:create', '--slug', 'flaky', '--name', 'Flaky Redis', '--admin-email', 'admin@flaky.example', '--admin-password', PASSWORD]);
    await cluster.cli(['staff:create', '--center', 'flaky', '--email', 'anna@flaky.example', '--name', 'Anna', '--role', 'counselor', '--password', PASSWORD]);
    [a, b] = await Promise.all([cluster.startNode(), cluster.startNode()]);
    const anna = await loginAt(a.url, 'flaky', 'anna@flaky.example');
    const kim = await registerAt(b.url, 'flaky', 'kim-flaky');
    const creator: TestSocket = io(a.url, { auth: { token: anna.token }, transports: ['websocket'], reconnection: false, forceNew: true });
    const roomId = ok(await call(creator, 'room.create', { name: 'Flaky', memberIds: [kim.account.id] })).roomId;
    creator.disconnect();
    members = [new ReliableMember('anna', anna, roomId, [a.url]), new ReliableMember('kim', kim, roomId, [b.url])];
    await Promise.all(members.map((m) => m.connect()));
  }, 120_000);

  afterAll(async () => {
    ensureRedis();
    for (const m of members) m.close();
    await cluster?.drop();
  });

  it('should keep acking sends, report the outage on /health and let members catch up through history when Redis restarts', async () => {
    const [anna, kim] = members as [ReliableMember, ReliableMember];
    for (let i = 0; i < 5; i++) {
      await anna.send(`before-a-${i}`, `before ${i}`);
      await kim.send(`before-k-${i}`, `before ${i}`);
    }
    await Promise.all(members.map((m) => m.waitForDelivered(10)));
    await healthBecomes(a.url, 200, 'up');

    try {
      spawnSync('redis-cli', ['shutdown', 'nosave']);
      expect(redisUp()).toBe(false);
      await Promise.all([healthBecomes(a.url, 503, 'down'), healthBecomes(b.url, 503, 'down')]);
      // The database holds the messages: sends are acked while Redis is away.
      const during = await Promise.all([anna.send('during-a-0', 'during 0'), kim.send('during-k-0', 'during 0')]);
      expect(during.map((r) => r.seq).sort((x, y) => x - y)).toEqual([11, 12]);
      // An outage of several seconds: the broadcasts queued for Redis give up while it stays away,
      // which must not take a node down.
      await new Promise((r) => setTimeout(r, 4000));
      expect([a.proc.child.exitCode, b.proc.child.exitCode]).toEqual([null, null]);
    } finally {
      ensureRedis();
    }
    expect(redisUp()).toBe(true);
    await Promise.all([healthBecomes(a.url, 200, 'up'), healthBecomes(b.url, 200, 'up')]);

    for (let i = 0; i < 3; i++) {
      await anna.send(`after-a-${i}`, `after ${i}`);
      await kim.send(`after-k-${i}`, `after ${i}`);
    }
    for (const m of members) {
      await m.waitForDelivered(18);
      expect(m.delivered.map((d) => d.seq)).toEqual(Array.from({ length: 18 }, (_, i) => i + 1));
    }
    // No process crashed on the way.
    expect([a.proc.child.exitCode, b.proc.child.exitCode]).toEqual([null, null]);
    expect(a.proc.stderr() + b.proc.stderr()).not.toMatch(/Unhandled|uncaught/i);
  }, 120_000);
});
