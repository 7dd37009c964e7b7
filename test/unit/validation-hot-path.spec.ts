import { WsParamtype } from '@nestjs/websockets/enums/ws-paramtype.enum';
import { PipesConsumer } from '@nestjs/core/pipes/pipes-consumer';
import { IsOptional, IsString } from 'class-validator';
import { DomainError } from '../../src/common/errors';
import { createValidationPipe, pollutingKey } from '../../src/common/validation';

/**
 * The prototype-key check of the validation pipe once walked the whole object graph of every socket
 * command's parameters — the socket, its server, every other socket — and 200 queue joins stalled
 * the server past the ping timeout. These tests pin the fix: only bodies and queries of plain JSON
 * are walked, a non-plain graph is never entered, a cyclic plain graph ends within a bound, and a
 * real `__proto__` in a body is still refused.
 */

/** Counts every read of keys and values of the objects it wraps (the walk's footprint). */
class Footprint {
  reads = 0;
  /** The property names read (a promise resolved with an object reads its `then`: not a walk). */
  readonly names = new Set<string>();
  wrap<T extends object>(target: T): T {
    const count = () => this.reads++;
    const names = this.names;
    return new Proxy(target, {
      get(t, p, r) {
        if (p === 'then') return Reflect.get(t, p, r) as unknown;
        names.add(String(p));
        count();
        return Reflect.get(t, p, r) as unknown;
      },
      ownKeys(t) {
        count();
        return Reflect.ownKeys(t);
      },
      getOwnPropertyDescriptor(t, p) {
        count();
        return Reflect.getOwnPropertyDescriptor(t, p);
      },
    });
  }
}

class FakeServer {
  sockets = new Map<string, FakeSocket>();
  engine = { clientsCount: 0 };
}
class FakeSocket {
  data: Record<string, unknown> = { auth: { subjectId: 'x' } };
  rooms = new Set<string>();
  constructor(
    public id: string,
    public server: FakeServer,
  ) {}
}

/** A socket.io-like graph: one server, `n` sockets that all reach it and each other (cyclic), every object counted. */
function socketGraph(n: number, footprint: Footprint): FakeSocket {
  const srv = footprint.wrap(new FakeServer());
  let first: FakeSocket | null = null;
  for (let i = 0; i < n; i++) {
    const s = footprint.wrap(new FakeSocket(`s${i}`, srv));
    srv.sockets.set(s.id, s);
    first ??= s;
  }
  footprint.reads = 0;
  footprint.names.clear();
  return first!;
}

class JoinDto {
  @IsOptional()
  @IsString()
  message?: string;
}

const pipes = new PipesConsumer();
const viaNest = (value: unknown, type: WsParamtype, metatype?: new () => unknown) =>
  pipes.apply(value, { type: type as never, metatype, data: undefined }, [createValidationPipe()]);

describe('validation hot path (prototype-key check)', () => {
  it('should not read a single property of the socket when the pipe gets a socket command’s socket parameter', async () => {
    const footprint = new Footprint();
    const socket = socketGraph(10_000, footprint);
    // exactly as Nest hands a gateway's @ConnectedSocket() to the gateway's pipes
    const out: unknown = await viaNest(socket, WsParamtype.SOCKET);
    const reads = footprint.reads;
    const names = [...footprint.names];
    expect(out === socket).toBe(true);
    expect(names).toEqual([]);
    expect(reads).toBe(0);
    // even a socket-shaped graph of plain objects (a socket's data, its handshake) is not entered:
    // what decides is the parameter's kind, not the shape of what it holds
    const plain: Record<string, unknown> = footprint.wrap({ id: 's', data: footprint.wrap({ auth: { subjectId: 'x' } }) });
    plain.server = footprint.wrap({ sockets: [plain, plain] });
    footprint.reads = 0;
    footprint.names.clear();
    await viaNest(plain, WsParamtype.SOCKET);
    expect([...footprint.names]).toEqual([]);
  });

  it('should not enter a non-plain object graph when pollutingKey is handed one (socket-like, cyclic, 10 000 sockets)', () => {
    const footprint = new Footprint();
    const socket = socketGraph(10_000, footprint);
    expect(pollutingKey(socket)).toBeNull();
    expect(pollutingKey({ roomId: 'r', socket })).toBeNull();
    expect(pollutingKey([socket, socket])).toBeNull();
    // the prototype is looked at, nothing else of the socket (no keys, no values)
    expect(footprint.reads).toBe(0);
  });

  it('should end within its bound when a plain object graph is cyclic and huge', () => {
    const footprint = new Footprint();
    const nodes = Array.from({ length: 1000 }, () => footprint.wrap<Record<string, unknown>>({}));
    nodes.forEach((node, i) => {
      for (let k = 0; k < 5; k++) node[`k${k}`] = nodes[(i * 7 + k * 13 + 1) % nodes.length];
    });
    footprint.reads = 0;
    const started = process.hrtime.bigint();
    expect(pollutingKey(nodes[0])).toBeNull();
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // at most 100 000 objects visited, each read once for its keys and once per key for its value
    expect(footprint.reads).toBeLessThanOrEqual(100_000 * (1 + 5 * 2) + 10);
    expect(ms).toBeLessThan(5000);
  });

  it('should still refuse a real __proto__ (and constructor, prototype) in a plain body, at any depth', async () => {
    const cases: [string, string][] = [
      ['{"__proto__":{"polluted":true}}', '__proto__'],
      ['{"message":"hi","nested":[{"a":1},{"constructor":{"prototype":{"x":1}}}]}', 'constructor'],
      ['{"a":{"b":{"prototype":1}}}', 'prototype'],
    ];
    for (const [json, key] of cases) {
      const body: unknown = JSON.parse(json);
      for (const type of [WsParamtype.PAYLOAD]) {
        const refused = await viaNest(body, type, JoinDto).then(
          () => null,
          (err: unknown) => err,
        );
        expect(refused).toBeInstanceOf(DomainError);
        expect((refused as DomainError).code).toBe('VALIDATION_FAILED');
        expect((refused as DomainError).fields).toEqual([key]);
      }
      // a REST query goes through the same check
      await expect(createValidationPipe().transform(body, { type: 'query', metatype: JoinDto })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // and a clean payload passes
    await expect(viaNest({ message: 'hello' }, WsParamtype.PAYLOAD, JoinDto)).resolves.toEqual({ message: 'hello' });
  });
});
