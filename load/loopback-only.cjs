/* global require */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node --require) */
// Preloaded into artillery (NODE_OPTIONS=--require) by the bench runner (load/bench/driver.ts):
// 1. artillery 2.0.21 posts an anonymous telemetry event to a public host even with
//    ARTILLERY_DISABLE_TELEMETRY set; this stubs that client out, so the bench sends nothing out.
// 2. Every outgoing TCP connection must go to the loopback interface; anything else throws.
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

const isLoopback = (host) => host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host) || /^::ffff:127\./.test(host);
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
  if (!isLoopback(String(host))) throw new Error(`load test: refusing a connection to ${host} (loopback targets only)`);
  return originalConnect.apply(this, args);
};
