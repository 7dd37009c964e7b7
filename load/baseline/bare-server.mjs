// The bare baseline of `npm run bench`: a plain socket.io 4.8 server on node:http that answers the
// same event names with the same ack shapes as Lotse, but with no auth, no database, no encryption,
// no validation and no rate limits. Whatever Lotse costs beyond these figures is the price of
// durability, encryption and access control. Usage:
//   node load/baseline/bare-server.mjs [port] [--redis redis://127.0.0.1:6379 [--key prefix]]
// With --redis it is one node of a bare cluster: the @socket.io/redis-adapter (the adapter Lotse uses)
// relays room broadcasts between the nodes; `--key` keeps its channels apart from anyone else's.
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Server } from 'socket.io';

const args = process.argv.slice(2);
const option = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const positional = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1]?.startsWith('--')));
const port = Number(positional[0] ?? process.env.PORT ?? 0);
const redisUrl = option('--redis');
const ok = (data) => ({ ok: true, data });

const LIVE = JSON.stringify({ open: true, full: false, waiting: 0 });
const http = createServer((req, res) => {
  const url = req.url ?? '/';
  if (req.method === 'GET' && /^\/api\/centers\/[^/]+\/live$/.test(url)) {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(LIVE);
  } else if (req.method === 'POST' && /^\/api\/centers\/[^/]+\/visitors$/.test(url)) {
    req.resume();
    req.on('end', () => {
      const body = JSON.stringify({ token: randomUUID(), visitorId: randomUUID() });
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(body);
    });
  } else if (req.method === 'POST' && /^\/api\/threads\/[^/]+\/posts$/.test(url)) {
    // A thread post: the body read and parsed, an id and a seq answered (Lotse: 201 { id, seq }).
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const threadId = url.split('/')[3];
      JSON.parse(body || '{}');
      const seq = (lastSeq.get(threadId) ?? 0) + 1;
      lastSeq.set(threadId, seq);
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ id: randomUUID(), seq }));
    });
  } else if (req.method === 'POST' && /^\/api\/threads\/[^/]+\/documents$/.test(url)) {
    // A document upload: the body streamed into a scratch file (no parsing, no inspection, no
    // encryption), deleted again; answered like Lotse (201 { id, name, size }).
    const file = join(tmpdir(), `bare-upload-${randomUUID()}`);
    let size = 0;
    req.on('data', (d) => (size += d.length));
    pipeline(req, createWriteStream(file, { mode: 0o600 }))
      .then(() => res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ id: randomUUID(), name: 'Bench.pdf', size })))
      .catch(() => res.writeHead(400).end())
      .finally(() => rm(file, { force: true }));
  } else if (req.method === 'GET' && url === '/memory') {
    // what Lotse's /metrics says as nodejs_heap_size_used_bytes and nodejs_external_memory_bytes
    const m = process.memoryUsage();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify({ heap: m.heapUsed, external: m.external }));
  } else if (req.method === 'GET' && url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"status":"ok"}');
  } else if (!url.startsWith('/socket.io/')) {
    res.writeHead(404).end();
  }
});

const io = new Server(http, { serveClient: false });
const lastSeq = new Map();
if (redisUrl) {
  const [{ createAdapter }, { default: Redis }] = await Promise.all([import('@socket.io/redis-adapter'), import('ioredis')]);
  const pub = new Redis(redisUrl);
  const sub = pub.duplicate();
  io.adapter(createAdapter(pub, sub, { key: option('--key') ?? 'bare-bench' }));
}

io.on('connection', (socket) => {
  const sender = { id: randomUUID(), displayName: 'bench', role: 'client' };
  socket.on('room.create', (_p, ack) => ack(ok({ roomId: randomUUID() })));
  socket.on('room.join', (p, ack) => {
    void socket.join(p.roomId);
    ack(ok({ roomId: p.roomId, name: 'bench', lastSeq: lastSeq.get(p.roomId) ?? 0 }));
  });
  socket.on('message.send', (p, ack) => {
    const seq = (lastSeq.get(p.roomId) ?? 0) + 1;
    lastSeq.set(p.roomId, seq);
    const result = { id: randomUUID(), seq, sentAt: new Date().toISOString() };
    ack(ok(result));
    // The same fan-out as Lotse: every socket in the room gets the message.
    io.to(p.roomId).emit('message.created', { roomId: p.roomId, ...result, clientMsgId: p.clientMsgId, sender, body: p.body });
  });
  socket.on('shift.open', (_p, ack) => ack(ok({ shiftId: randomUUID() })));
  socket.on('shift.close', (_p, ack) => ack(ok({})));
  socket.on('queue.join', (_p, ack) => ack(ok({ position: 0 })));
  socket.on('queue.leave', (_p, ack) => ack(ok({})));
});

http.listen(port, '127.0.0.1', () => {
  const addr = http.address();
  process.stdout.write(`bare baseline listens on port ${typeof addr === 'object' && addr ? addr.port : port}${redisUrl ? ' (redis adapter)' : ''}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => io.close(() => process.exit(0)));
