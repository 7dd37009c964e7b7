/* global require, module */
/* eslint-disable @typescript-eslint/no-require-imports -- artillery loads this CommonJS file */
// Artillery processor for load/scenarios/messages.yml (CommonJS, loaded by artillery's worker).
'use strict';

const { randomUUID } = require('node:crypto');

const ACK_TIMEOUT_MS = 10_000;
const BODY =
  'Guten Abend, ich wollte mich noch einmal melden. Seit unserem letzten Gespräch ist einiges passiert, und ich würde gern erzählen, wie es mir ging.';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Emits with an ack callback; resolves with the ack or null after ACK_TIMEOUT_MS. */
function emitWithAck(socket, event, payload) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), ACK_TIMEOUT_MS);
    socket.emit(event, payload, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
  });
}

/**
 * Sends `message.send` every BENCH_SEND_INTERVAL_MS for BENCH_SEND_SECONDS on the VU's socket,
 * one message in flight at a time (a member waits for the ack, as the client helper does). The
 * schedule is fixed, so a slow ack does not lower the offered rate unless it takes longer than
 * the interval. Metrics: histogram lotse.message_ack_ms, counters lotse.messages_acked and
 * lotse.message_error.<CODE|TIMEOUT>.
 */
async function sendMessages(context, events) {
  const socket = context.sockets && context.sockets[''];
  if (!socket) throw new Error('sendMessages: no socket (the flow must start with an emit)');
  const seconds = Number(process.env.BENCH_SEND_SECONDS || 20);
  const interval = Number(process.env.BENCH_SEND_INTERVAL_MS || 100);
  const start = Date.now();
  const deadline = start + seconds * 1000;
  for (let k = 1; Date.now() < deadline; k++) {
    const startedAt = process.hrtime.bigint();
    const answer = await emitWithAck(socket, 'message.send', { roomId: context.vars.roomId, clientMsgId: randomUUID(), body: `${BODY} (${k})` });
    const ms = Number(process.hrtime.bigint() - startedAt) / 1e6;
    if (answer && answer.ok) {
      events.emit('histogram', 'lotse.message_ack_ms', ms);
      events.emit('counter', 'lotse.messages_acked', 1);
    } else {
      events.emit('counter', `lotse.message_error.${answer ? answer.error.code : 'TIMEOUT'}`, 1);
    }
    const wait = start + k * interval - Date.now();
    if (wait > 0) await sleep(wait);
  }
}

module.exports = { sendMessages };
