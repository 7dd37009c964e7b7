/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node --require) */
// Preloaded into artillery (NODE_OPTIONS=--require) by `npm run load` (load/run.mjs):
// 1. artillery 2.0.21 posts an anonymous telemetry event to a public host even with
//    ARTILLERY_DISABLE_TELEMETRY set; this stubs that client out, so a load test sends nothing out.
// 2. Every outgoing TCP connection must go to the target's host (LOTSE_LOAD_TARGET_HOST) or to
//    the loopback interface; anything else throws. (An HTTP proxy in between is not supported.)
'use strict';

const Module = require('node:module');
const net = require('node:net');

const originalLoad = Module._load;
Module._load = function load(request, ...rest) {
  if (request === 'posthog-node') {
    return {
      PostHog: class {
        capture() {}
        async shutdownAsync() {}
      },
    };
  }
  return originalLoad.call(this, request, ...rest);
};

const target = String(process.env.LOTSE_LOAD_TARGET_HOST || '')
  .replace(/^\[|\]$/g, '')
  .toLowerCase();
const isLoopback = (host) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./.test(host);
const allowed = (host) => {
  const h = String(host)
    .replace(/^\[|\]$/g, '')
    .toLowerCase();
  return isLoopback(h) || (target !== '' && h === target);
};
const originalConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  let host = 'localhost';
  if (first && typeof first === 'object') {
    if (first.path) return originalConnect.apply(this, args);
    host = first.host ?? 'localhost';
  } else if (typeof args[1] === 'string') {
    host = args[1];
  } else if (typeof first === 'string' && !/^\d+$/.test(first)) {
    return originalConnect.apply(this, args); // a unix socket path
  }
  if (!allowed(host)) throw new Error(`load test: refusing a connection to ${host} (only the target ${target || '(none)'} and loopback)`);
  return originalConnect.apply(this, args);
};
