// The bare baseline of `npm run bench`: a plain socket.io 4.8 server on node:http that answers the
// same event names with the same ack shapes as Lotse, but with no auth, no database, no encryption,
// no validation and no rate limits. Whatever Lotse costs beyond these figures is the price of
// durability, encryption and access control. Usage: node load/baseline/bare-server.mjs [port]
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { Server } from 'socket.io';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
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
  } else if (req.method === 'GET' && url === '/health') {
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('{"status":"ok"}');
  } else if (!url.startsWith('/socket.io/')) {
    res.writeHead(404).end();
  }
});

const io = new Server(http, { serveClient: false });
const lastSeq = new Map();

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
  socket.on('queue.join', (_p, ack) => ack(ok({ position: 0 })));
  socket.on('queue.leave', (_p, ack) => ack(ok({})));
});

http.listen(port, '127.0.0.1', () => {
  const addr = http.address();
  process.stdout.write(`bare baseline listens on port ${typeof addr === 'object' && addr ? addr.port : port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => io.close(() => process.exit(0)));
