// The artillery scenarios of a run (load/scenarios/*.yml): what each offers, how the runner
// overrides its phases and payload per system, and how its report becomes one row of the table.
import { join } from 'node:path';
import { command, connectSocket, Seed, writeCsv } from './seeding';
import { CENTER, Settings } from './settings';
import type { System, SystemName } from './targets';

export type ScenarioName = 'messages' | 'live-status' | 'queue';

/** The part of artillery's JSON report (`--output`) the bench reads. */
export interface ArtilleryAggregate {
  counters?: Record<string, number>;
  summaries?: Record<string, { p50?: number; p95?: number; p99?: number; count?: number }>;
  firstCounterAt?: number;
  lastCounterAt?: number;
}

/** What one scenario run answered, from the client's side. */
export interface Summary {
  unit: string;
  ok: number;
  errors: number;
  errorKinds: Record<string, number>;
  rate: number;
  p50?: number;
  p95?: number;
  p99?: number;
  seconds: number;
  requests?: number;
  visitors?: number;
}

export interface Scenario {
  name: ScenarioName;
  /** What the scenario asks for per second: messages, GETs, queue.join + queue.leave. */
  offered: number;
  /** artillery --overrides for this system (phases, payload). */
  overrides: (system: SystemName) => object;
  /** Set-up and tear-down around the artillery run (counselors on shift). */
  around?: <T>(system: System, run: () => Promise<T>) => Promise<T>;
  summarize: (aggregate: ArtilleryAggregate) => Summary;
}

type Payloads = Record<SystemName, { messages: string; queue: string }>;

/** The CSV payloads: Lotse's with the seeded tokens, the baseline's with "none" in their place. */
export function writePayloads(work: string, seed: Seed): Payloads {
  const file = (name: string) => join(work, `${name}.csv`);
  const payloads: Payloads = {
    lotse: { messages: file('messages-lotse'), queue: file('queue-lotse') },
    baseline: { messages: file('messages-baseline'), queue: file('queue-baseline') },
  };
  writeCsv(
    payloads.lotse.messages,
    'token,roomId',
    seed.rooms.flatMap((r) => r.members.map((t) => [t, r.roomId])),
  );
  writeCsv(
    payloads.baseline.messages,
    'token,roomId',
    seed.rooms.flatMap((r) => r.members.map(() => ['none', r.roomId])),
  );
  writeCsv(
    payloads.lotse.queue,
    'token',
    seed.visitorTokens.map((t) => [t]),
  );
  writeCsv(
    payloads.baseline.queue,
    'token',
    seed.visitorTokens.map(() => ['none']),
  );
  return payloads;
}

const windowSeconds = (agg: ArtilleryAggregate) => Math.max(0.001, ((agg.lastCounterAt ?? 0) - (agg.firstCounterAt ?? 0)) / 1000);
const sumPrefix = (counters: Record<string, number>, prefix: string) =>
  Object.entries(counters)
    .filter(([k]) => k.startsWith(prefix))
    .reduce((a, [, v]) => a + v, 0);
const errorKinds = (c: Record<string, number>) =>
  Object.fromEntries(Object.entries(c).filter(([k]) => k.startsWith('errors.') || k.startsWith('lotse.message_error.') || k.startsWith('http.codes.')));
const percentiles = (h: { p50?: number; p95?: number; p99?: number } | undefined) => ({ p50: h?.p50, p95: h?.p95, p99: h?.p99 });

function messages(s: Settings, payloads: Payloads): Scenario {
  const members = s.pairs * 2;
  return {
    name: 'messages',
    offered: (members * 1000) / s.sendIntervalMs,
    overrides: (system) => ({
      config: {
        phases: [{ name: 'members connect, then send', duration: 2, arrivalCount: members }],
        payload: [{ path: payloads[system].messages, fields: ['token', 'roomId'], order: 'sequence', skipHeader: true }],
      },
    }),
    summarize: (agg) => {
      const c = agg.counters ?? {};
      const ok = c['lotse.messages_acked'] ?? 0;
      const errors = sumPrefix(c, 'errors.') + sumPrefix(c, 'lotse.message_error.');
      // Every member sends for s.seconds (they start within the 2 s ramp), so acked / s.seconds is
      // the summed rate of all members: the steady rate while all of them send.
      const h = agg.summaries?.['lotse.message_ack_ms'];
      return { unit: 'msg/s', ok, errors, errorKinds: errorKinds(c), rate: ok / s.seconds, ...percentiles(h), seconds: windowSeconds(agg) };
    },
  };
}

function liveStatus(s: Settings): Scenario {
  return {
    name: 'live-status',
    offered: s.liveRate * 10,
    overrides: () => ({ config: { phases: [{ name: 'homepage visitors', duration: s.seconds, arrivalRate: s.liveRate }], variables: { center: CENTER } } }),
    summarize: (agg) => {
      const c = agg.counters ?? {};
      const [ok, responses, seconds] = [c['http.codes.200'] ?? 0, c['http.responses'] ?? 0, windowSeconds(agg)];
      const errors = sumPrefix(c, 'errors.') + Math.max(0, responses - ok);
      const h = agg.summaries?.['http.response_time'];
      return { unit: 'req/s', ok, errors, errorKinds: errorKinds(c), rate: responses / seconds, requests: c['http.requests'] ?? 0, ...percentiles(h), seconds };
    },
  };
}

/** Two counselors on shift (10 seats each) while the visitors arrive. */
function onShift(seed: Seed): Scenario['around'] {
  return async (system, run) => {
    const sockets = await Promise.all(seed.counselors.slice(0, 2).map((c) => connectSocket(system.url, c.token)));
    try {
      for (const socket of sockets) await command(socket, 'shift.open', { maxChats: 10 });
      return await run();
    } finally {
      for (const socket of sockets) {
        await command(socket, 'shift.close', {}).catch(() => undefined);
        socket.disconnect();
      }
    }
  };
}

function queue(s: Settings, payloads: Payloads, seed: Seed): Scenario {
  return {
    name: 'queue',
    offered: s.queueRate * 2,
    overrides: (system) => ({
      config: {
        phases: [{ name: 'visitors arrive', duration: s.seconds, arrivalRate: s.queueRate }],
        payload: [{ path: payloads[system].queue, fields: ['token'], order: 'sequence', skipHeader: true }],
      },
    }),
    around: onShift(seed),
    summarize: (agg) => {
      // queue.join + queue.leave acks
      const c = agg.counters ?? {};
      const h = agg.summaries?.['socketio.response_time'];
      const [ok, seconds] = [h?.count ?? 0, windowSeconds(agg)];
      const visitors = c['vusers.completed'] ?? 0;
      return { unit: 'ack/s', ok, errors: sumPrefix(c, 'errors.'), errorKinds: errorKinds(c), rate: ok / seconds, visitors, ...percentiles(h), seconds };
    },
  };
}

/** The scenarios in the order they run. */
export function scenarios(s: Settings, seed: Seed, payloads: Payloads): Scenario[] {
  return [messages(s, payloads), liveStatus(s), queue(s, payloads, seed)];
}
