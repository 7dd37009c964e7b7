/* global require, module, fetch, FormData, Blob */
/* eslint-disable @typescript-eslint/no-require-imports -- artillery loads this CommonJS file */
// Artillery processor of the `npm run load` scenarios (load/run.mjs): live-queue, topic-chat, rooms
// and threads. Each function opens its own Socket.IO connection with the token of the virtual user
// (the http engine runs the REST steps around it). A refused command throws, so artillery counts the
// virtual user as failed (`vusers.failed`, `errors.<message>`) and the `ensure` error rate sees it.
// Settings come from the runner through the environment:
//   LOTSE_LOAD_TARGET       the target's origin (the runner's --target)
//   LOTSE_LOAD_MESSAGES     messages each virtual user sends (default 3)
//   LOTSE_LOAD_THINK_MS     pause between two of them (default 1000)
//   LOTSE_LOAD_WAIT_MS      how long a visitor waits for a counselor (default 60000)
'use strict';

const { randomUUID } = require('node:crypto');
const { io } = require('socket.io-client');

const ACK_TIMEOUT_MS = 15_000;
const env = (name, fallback) => {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
};
const target = () => {
  const url = process.env.LOTSE_LOAD_TARGET;
  if (!url) throw new Error('LOTSE_LOAD_TARGET is not set (run the scenario with npm run load)');
  return url.replace(/\/+$/, '');
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const since = (start) => Number(process.hrtime.bigint() - start) / 1e6;

const BODY = 'Guten Abend, ich wollte mich noch einmal melden. Seit unserem letzten Gespräch ist einiges passiert.';

/** A connected socket with the token in the handshake `auth` (never in the URL). */
function connect(token) {
  return new Promise((resolve, reject) => {
    const socket = io(target(), { auth: { token }, transports: ['websocket'], reconnection: false, timeout: ACK_TIMEOUT_MS });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`connect ${err.message}`));
    });
  });
}

/** A command with its ack: the ack's data, or an error named after the command and the code. */
function command(socket, event, payload) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event} TIMEOUT`)), ACK_TIMEOUT_MS);
    socket.emit(event, payload, (answer) => {
      clearTimeout(timer);
      if (answer && answer.ok) resolve(answer.data);
      else reject(new Error(`${event} ${answer && answer.error ? answer.error.code : 'NO_ANSWER'}`));
    });
  });
}

/** Sends LOTSE_LOAD_MESSAGES messages into the room, LOTSE_LOAD_THINK_MS apart, each acked before the next. */
async function chat(socket, roomId, events, label) {
  const count = env('LOTSE_LOAD_MESSAGES', 3);
  const think = env('LOTSE_LOAD_THINK_MS', 1000);
  for (let k = 1; k <= count; k++) {
    if (k > 1) await sleep(think);
    const start = process.hrtime.bigint();
    await command(socket, 'message.send', { roomId, clientMsgId: randomUUID(), body: `${BODY} (${label} ${k})` });
    events.emit('histogram', 'lotse.message_ack_ms', since(start));
    events.emit('counter', 'lotse.messages_acked', 1);
  }
}

async function withSocket(token, fn) {
  const socket = await connect(token);
  try {
    return await fn(socket);
  } finally {
    socket.close();
  }
}

/**
 * live-queue: the visitor (its token from POST /visitors, `visitorToken`) joins the queue, waits for
 * `queue.assigned`, joins the room, chats and leaves (which ends the chat and frees the seat).
 * Metrics: lotse.queue_join_ms (the join's ack), lotse.queue_assigned_ms (join to assignment).
 */
async function visitorLiveChat(context, events) {
  await withSocket(context.vars.visitorToken, async (socket) => {
    const assigned = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('queue.assigned TIMEOUT')), env('LOTSE_LOAD_WAIT_MS', 60_000));
      socket.once('queue.assigned', (p) => {
        clearTimeout(timer);
        resolve(p);
      });
      socket.once('queue.closed', (p) => {
        clearTimeout(timer);
        reject(new Error(`queue.closed ${p && p.reason}`));
      });
    });
    assigned.catch(() => {}); // awaited below; a rejection before that is not unhandled
    const start = process.hrtime.bigint();
    await command(socket, 'queue.join', { message: 'Hallo, ich möchte gern mit jemandem sprechen.' });
    events.emit('histogram', 'lotse.queue_join_ms', since(start));
    const { roomId } = await assigned;
    events.emit('histogram', 'lotse.queue_assigned_ms', since(start));
    await command(socket, 'room.join', { roomId });
    await chat(socket, roomId, events, 'visitor');
    await command(socket, 'queue.leave', {});
    events.emit('counter', 'lotse.live_chats_done', 1);
  });
}

/**
 * topic-chat: a participant (a visitor token) joins the open topic chat `topicChatId` under a
 * nickname of its own, chats and leaves. Metric: lotse.topic_join_ms.
 */
async function topicParticipant(context, events) {
  await withSocket(context.vars.visitorToken, async (socket) => {
    const start = process.hrtime.bigint();
    const nickname = `Gast ${randomUUID().slice(0, 8)}`;
    const { roomId } = await command(socket, 'topic.join', { topicChatId: context.vars.topicChatId, nickname });
    events.emit('histogram', 'lotse.topic_join_ms', since(start));
    await command(socket, 'room.join', { roomId });
    await chat(socket, roomId, events, 'topic');
    events.emit('counter', 'lotse.topic_participants_done', 1);
  });
}

/** rooms: a registered member (`token`, `roomId` from the payload) joins, reads the history and chats. */
async function memberSession(context, events) {
  await withSocket(context.vars.token, async (socket) => {
    const start = process.hrtime.bigint();
    await command(socket, 'room.join', { roomId: context.vars.roomId });
    await command(socket, 'room.history', { roomId: context.vars.roomId, limit: 50 });
    events.emit('histogram', 'lotse.room_join_history_ms', since(start));
    await chat(socket, context.vars.roomId, events, 'room');
  });
}

/** A small real PDF (one page, one line of text, a correct cross-reference table). */
function smallPdf() {
  const text = 'Lotse load test document';
  const stream = `BT /F1 18 Tf 72 720 Td (${text}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let out = '%PDF-1.4\n';
  const offsets = [];
  objects.forEach((body, i) => {
    offsets.push(out.length);
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
  });
  const xref = out.length;
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const o of offsets) out += `${String(o).padStart(10, '0')} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}
const PDF = smallPdf();

async function rest(method, path, token, body) {
  const init = { method, headers: { authorization: `Bearer ${token}` } };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(`${target()}${path}`, init);
  const text = await res.text();
  if (!res.ok) {
    let code = String(res.status);
    try {
      code = JSON.parse(text).error.code;
    } catch {
      // not the documented error body
    }
    throw new Error(`${method} ${path.replace(/[0-9a-f-]{36}/g, ':id')} ${code}`);
  }
  return text ? JSON.parse(text) : null;
}

/**
 * threads: in the client's thread `threadId` (opened by the flow), LOTSE_LOAD_MESSAGES posts and one
 * PDF upload, then the posts read back. Metrics: lotse.post_ms, lotse.upload_ms.
 */
async function threadPostsAndDocument(context, events) {
  const { token, threadId } = context.vars;
  if (!threadId) throw new Error('threads: no thread id captured');
  const count = env('LOTSE_LOAD_MESSAGES', 3);
  const think = env('LOTSE_LOAD_THINK_MS', 1000);
  for (let k = 1; k <= count; k++) {
    if (k > 1) await sleep(think);
    const start = process.hrtime.bigint();
    await rest('POST', `/api/threads/${threadId}/posts`, token, { body: `${BODY} (post ${k})`, clientPostId: randomUUID() });
    events.emit('histogram', 'lotse.post_ms', since(start));
    events.emit('counter', 'lotse.posts_created', 1);
  }
  const form = new FormData();
  form.append('file', new Blob([PDF], { type: 'application/pdf' }), 'befund.pdf');
  const start = process.hrtime.bigint();
  await rest('POST', `/api/threads/${threadId}/documents`, token, form);
  events.emit('histogram', 'lotse.upload_ms', since(start));
  events.emit('counter', 'lotse.documents_uploaded', 1);
  const { posts } = await rest('GET', `/api/threads/${threadId}/posts`, token);
  if (!Array.isArray(posts) || posts.length < count) throw new Error('threads: posts missing on read-back');
}

module.exports = { visitorLiveChat, topicParticipant, memberSession, threadPostsAndDocument, smallPdf };
