#!/usr/bin/env node
/* global fetch */
// `npm run load -- <scenario|seed|clean> --target <url> [options]`: the artillery scenarios of
// load/scenarios/ against any Lotse (docs/load-testing.md). Plain JavaScript, so it runs on a fresh
// clone after `npm ci` (it installs load/'s own dependencies, artillery, when they are missing).
//
//   seed    creates a center of the test's own: the center and its first admin with the operator
//           CLI (`--cli` runs it here; otherwise it prints the line to run on the server, or takes
//           `--center/--admin-login/--admin-password` of a center created there), then through the
//           API with that admin: counselors, registered clients, one direct room per client, the
//           center's settings a load test needs. The state (logins, tokens, ids) goes to
//           load/.state/<target>.json, mode 0600.
//   clean   removes through the API what seed and the scenarios created (topic chats, rooms,
//           clients with everything of theirs, counselors), checks that only the admin is left and
//           deletes the state file; then the center itself with the CLI's center:delete (`--cli`
//           runs it here; otherwise it prints the line to run on the server).
//   <name>  runs load/scenarios/<name>.yml and writes load/reports/<name>-<time>.json and .html.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderHtml } from './report-html.mjs';

const LOAD = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(LOAD);
const ARTILLERY = join(LOAD, 'node_modules', 'artillery', 'bin', 'run');
const SCENARIOS = ['live-queue', 'topic-chat', 'rooms', 'threads', 'status', 'messages'];
const COMMANDS = ['seed', 'clean', ...SCENARIOS];

// ---- arguments -----------------------------------------------------------------------------------

const USAGE = `usage: npm run load -- <${COMMANDS.join('|')}> --target <url> [options]

  --target <url>          the Lotse to test (its origin, e.g. https://staging.beratung.example)
  --duration <s>          length of the arrival phase (default: the scenario's, see docs/load-testing.md)
  --rate <n>              arrivals per second (default: the scenario's)
  --messages <n>          messages or posts per virtual user (default 3)
  --think-ms <ms>         pause between two of them (default 1000)
  --state <file>          the seed state (default load/.state/<host>_<port>.json)
  --p99-scale <f>         multiply every latency threshold of the scenario by f >= 1 (a smoke run on a
                          busy shared machine; the error-rate threshold is never scaled)
seed and clean:
  --cli                   run the operator CLI (node dist/cli.js) on this machine, with this environment
                          (for a target on this machine: the same DATA_DIR or DATABASE_URL as the server;
                          clean: center:delete, which on SQLite needs the server stopped)
  --center <slug> --admin-login <email> --admin-password <pw>
                          a center created on the server with \`npm run cli -- center:create\`
  --counselors <n>        counselors to create (default 6)
  --clients <n>           registered clients to create, one direct room each (default 12)`;

function parseArgs(argv) {
  const [command, ...rest] = argv;
  const opts = {};
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i];
    if (!arg.startsWith('--')) fail(`unexpected argument ${arg}\n\n${USAGE}`);
    const key = arg.slice(2);
    if (key === 'cli') opts.cli = true;
    else if (i + 1 < rest.length) opts[key] = rest[++i];
    else fail(`${arg} needs a value\n\n${USAGE}`);
  }
  if (!command || command === '--help' || command === 'help') {
    console.log(USAGE);
    process.exit(command ? 0 : 1);
  }
  if (!COMMANDS.includes(command)) fail(`unknown scenario or command "${command}"\n\n${USAGE}`);
  if (!opts.target) fail(`--target <url> is required\n\n${USAGE}`);
  let url;
  try {
    url = new URL(opts.target);
  } catch {
    fail(`--target ${opts.target} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') fail('--target must be an http:// or https:// origin');
  opts.target = url.origin;
  opts.url = url;
  for (const k of ['duration', 'rate', 'messages', 'think-ms', 'counselors', 'clients', 'p99-scale']) {
    if (opts[k] !== undefined && !(Number(opts[k]) >= 0)) fail(`--${k} must be a number`);
  }
  return { command, opts };
}

function fail(message, code = 1) {
  console.error(`load: ${message}`);
  process.exit(code);
}
const say = (line) => console.log(`load: ${line}`);

// ---- the state file ------------------------------------------------------------------------------

function stateFile(opts) {
  if (opts.state) return opts.state;
  const port = opts.url.port || (opts.url.protocol === 'https:' ? '443' : '80');
  return join(LOAD, '.state', `${opts.url.hostname.replace(/[^A-Za-z0-9.-]/g, '_')}_${port}.json`);
}
function readState(opts) {
  const file = stateFile(opts);
  return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null;
}
/**
 * Written whole under a temporary name, then renamed over the state: scenarios run side by side on
 * one state, and a reader must never see a half-written file (CI saw "Unexpected end of JSON input"
 * from a status run while a topic-chat run wrote it).
 */
function writeState(opts, state) {
  const file = stateFile(opts);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}
/** A change to the state as it is on disk now (another run may have written it since this one read it). */
function updateState(opts, change) {
  const state = readState(opts);
  change(state);
  writeState(opts, state);
}
/** A file next to the state, readable by this user only (payloads with tokens). */
function privateFile(opts, name, text) {
  const file = join(dirname(stateFile(opts)), name);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600);
  return file;
}

// ---- REST and Socket.IO ----------------------------------------------------------------------------

class ApiError extends Error {
  constructor(method, path, status, body) {
    let code = String(status);
    try {
      code = JSON.parse(body).error.code;
    } catch {
      // not the documented error body
    }
    super(
      `${method} ${path} answered ${status} ${code}${code === 'RATE_LIMITED' ? ' — the target limits requests per address: see docs/load-testing.md (RATE_LIMITS=off on staging)' : ''}`,
    );
    this.status = status;
    this.code = code;
  }
}

async function api(base, method, path, body, token) {
  const init = {
    method,
    headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
  let res;
  try {
    res = await fetch(`${base}${path}`, init);
  } catch (err) {
    // a kept-alive connection the server closed meanwhile (its keep-alive timeout): once more on a new one
    const code = err?.cause?.code;
    if (code !== 'UND_ERR_SOCKET' && code !== 'ECONNRESET') throw new Error(`${method} ${path}: ${err?.cause?.message ?? err.message}`);
    res = await fetch(`${base}${path}`, init);
  }
  const text = await res.text();
  if (!res.ok) throw new ApiError(method, path, res.status, text);
  return text ? JSON.parse(text) : null;
}

/** socket.io-client from load/'s dependencies (artillery's own), else from the root's. */
function socketIo() {
  for (const from of [join(LOAD, 'package.json'), join(ROOT, 'package.json')]) {
    try {
      return createRequire(from)('socket.io-client');
    } catch {
      // try the next
    }
  }
  fail('socket.io-client is missing: run npm ci (and see load/package.json)');
}

function connect(base, token) {
  const { io } = socketIo();
  return new Promise((resolve, reject) => {
    const socket = io(base, { auth: { token }, transports: ['websocket'], reconnection: false });
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => {
      socket.close();
      reject(new Error(`socket connect failed: ${err.message}`));
    });
  });
}

function command(socket, event, payload) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${event}: no answer within 15 s`)), 15_000);
    socket.emit(event, payload, (answer) => {
      clearTimeout(timer);
      if (answer && answer.ok) resolve(answer.data);
      else reject(new Error(`${event} failed: ${answer?.error?.code} ${answer?.error?.message ?? ''}`));
    });
  });
}

const password = () => randomBytes(18).toString('base64url');

// ---- seed -----------------------------------------------------------------------------------------

/** `node dist/cli.js …` here, with this process's environment (the target's DATA_DIR / DATABASE_URL). */
async function runCli(args) {
  const { code, out } = await tryCli(args);
  if (code !== 0) fail(`the CLI failed (${args[0]}):\n${out}`);
  return out;
}

/** The CLI's exit code and output, whatever they are. */
async function tryCli(args) {
  const cli = join(ROOT, 'dist', 'cli.js');
  if (!existsSync(cli)) fail('dist/cli.js is missing: run `npm run build:server` first (or leave out --cli)');
  // not spawnSync: a blocked event loop would miss the server closing kept-alive connections
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d.toString()));
    child.stderr.on('data', (d) => (text += d.toString()));
    child.once('exit', (c) => resolve({ code: c, out: text }));
  });
}

const quote = (s) => (/^[\w@.:/=-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
const cliLine = (args) => `npm run cli -- ${args.map(quote).join(' ')}`;

async function login(opts, state, who) {
  const result = await api(opts.target, 'POST', '/api/auth/login', { center: state.center, login: who.login, password: who.password });
  who.token = result.token;
  who.id = result.account.id;
  return result;
}

async function seed(opts) {
  ensureArtillery(); // here, once, so that scenarios started side by side after seed never install at once
  let state = readState(opts);
  if (state?.complete) {
    say(`the target is seeded already: center "${state.center}" (${stateFile(opts)}); run clean first for a new one`);
    return;
  }
  if (!state) {
    const slug = opts.center ?? `load-${randomBytes(3).toString('hex')}`;
    state = {
      target: opts.target,
      center: slug,
      createdAt: new Date().toISOString(),
      admin: { login: opts['admin-login'] ?? `load-admin@${slug}.example`, password: opts['admin-password'] ?? password() },
      centerBy: opts['admin-login'] ? 'operator' : opts.cli ? 'cli' : 'printed',
      counselors: [],
      clients: [],
      rooms: [],
      topicChats: [],
      complete: false,
    };
    writeState(opts, state);
  }
  const createArgs = [
    'center:create',
    '--slug',
    state.center,
    '--name',
    'Lotse load test',
    '--admin-email',
    state.admin.login,
    '--admin-password',
    state.admin.password,
  ];
  try {
    await login(opts, state, state.admin);
  } catch (err) {
    if (!(err instanceof ApiError) || err.status !== 401) throw err;
    if (state.centerBy === 'cli' || opts.cli) {
      process.stdout.write((await runCli(createArgs)).replace(/password: \S+/g, 'password: (in the state file)'));
      await login(opts, state, state.admin);
    } else if (state.centerBy === 'operator') {
      fail(`cannot log in as ${state.admin.login} in "${state.center}": check --center/--admin-login/--admin-password (rm ${stateFile(opts)} to start over)`);
    } else {
      console.log(
        `\nThe test center does not exist yet. Run this on the server, in the environment of the Lotse nodes\n` +
          `(in the container: node dist/cli.js instead of npm run cli --):\n\n  ${cliLine(createArgs)}\n\n` +
          `then run seed again: npm run load -- seed --target ${opts.target}\n` +
          `(the password is kept in ${stateFile(opts)}, mode 0600)\n`,
      );
      process.exit(2);
    }
  }
  writeState(opts, state);
  say(`center "${state.center}": admin ${state.admin.login} logged in`);

  // what a load test needs of the center: room in the queue, documents for every virtual user
  await api(
    opts.target,
    'PATCH',
    `/api/centers/${state.center}/settings`,
    { liveWaitingLimit: 500, liveWaitingPerAddress: 20, documentDailyQuota: 1000, documentDailyBytes: 1024 * 1024 * 1024 },
    state.admin.token,
  );

  const counselorCount = Number(opts.counselors ?? 6);
  const pendingCli = [];
  for (let i = state.counselors.length; i < counselorCount; i++) {
    const login = `counselor${i + 1}@${state.center}.example`;
    const entry = { login, displayName: `Lasttest ${i + 1}`, password: null, id: null };
    if (opts.cli || state.mailOn) {
      entry.password = password();
      pendingCli.push([
        'staff:create',
        '--center',
        state.center,
        '--email',
        login,
        '--name',
        entry.displayName,
        '--role',
        'counselor',
        '--password',
        entry.password,
      ]);
    } else {
      const created = await api(
        opts.target,
        'POST',
        `/api/centers/${state.center}/staff`,
        { email: login, displayName: entry.displayName, role: 'counselor' },
        state.admin.token,
      );
      if (created.invitationSent) {
        // the target sends invitation mails (MAIL on): no password comes back; take that account out again
        await api(opts.target, 'DELETE', `/api/centers/${state.center}/staff/${created.id}`, undefined, state.admin.token);
        state.mailOn = true;
        i--;
        continue;
      }
      Object.assign(entry, { id: created.id, password: created.password });
    }
    state.counselors.push(entry);
    writeState(opts, state);
  }
  if (pendingCli.length && opts.cli) {
    for (const args of pendingCli) process.stdout.write(await runCli(args));
  } else if (pendingCli.length) {
    console.log(
      `\nThe target sends invitation mails (MAIL on), so the API gives no password for new staff. Create the\n` +
        `counselors on the server (or run staging with MAIL=off), then run seed again:\n\n${pendingCli.map((a) => `  ${cliLine(a)}`).join('\n')}\n`,
    );
    process.exit(2);
  }
  for (const c of state.counselors) await login(opts, state, c);
  writeState(opts, state);
  say(`${state.counselors.length} counselors logged in`);

  const clientCount = Number(opts.clients ?? 12);
  for (let i = state.clients.length; i < clientCount; i++) {
    const username = `${state.center}-client-${i + 1}`;
    const entry = { login: username, password: password() };
    const result = await api(opts.target, 'POST', '/api/auth/register', { center: state.center, username, password: entry.password });
    Object.assign(entry, { id: result.account.id, token: result.token });
    state.clients.push(entry);
    writeState(opts, state);
  }
  say(`${state.clients.length} clients registered`);

  for (let i = state.rooms.length; i < state.clients.length; i++) {
    const counselor = state.counselors[i % state.counselors.length];
    const client = state.clients[i];
    const socket = await connect(opts.target, counselor.token);
    try {
      const { roomId } = await command(socket, 'room.create', { name: `Lasttest ${i + 1}`, memberIds: [client.id] });
      state.rooms.push({ roomId, counselor: counselor.login, client: client.login });
    } finally {
      socket.close();
    }
    writeState(opts, state);
  }
  state.complete = true;
  writeState(opts, state);
  say(`${state.rooms.length} direct rooms; seeded. State: ${stateFile(opts)} (mode 0600)`);
  console.log(
    `LOAD-SEED ${JSON.stringify({ center: state.center, counselors: state.counselors.length, clients: state.clients.length, rooms: state.rooms.length })}`,
  );
}

// ---- clean ----------------------------------------------------------------------------------------

async function clean(opts) {
  const state = readState(opts);
  if (!state) {
    say(`nothing to clean: no state file ${stateFile(opts)}`);
    return;
  }
  try {
    await login(opts, state, state.admin);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) {
      say(`the admin of "${state.center}" cannot log in: the center was never created; removing the state file`);
      rmSync(stateFile(opts), { force: true });
      return;
    }
    throw err;
  }
  const token = state.admin.token;
  const gone = async (method, path) => {
    try {
      await api(opts.target, method, path, undefined, token);
      return 1;
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) return 0; // gone already
      throw err;
    }
  };
  const removed = { topicChats: 0, rooms: 0, clients: 0, counselors: 0 };
  for (const id of state.topicChats) removed.topicChats += await gone('DELETE', `/api/centers/${state.center}/topic-chats/${id}`);
  for (const r of state.rooms) removed.rooms += await gone('DELETE', `/api/rooms/${r.roomId}`);
  for (const c of state.clients) if (c.id) removed.clients += await gone('DELETE', `/api/centers/${state.center}/clients/${c.id}`);
  for (const c of state.counselors) {
    if (!c.id) {
      try {
        await login(opts, state, c);
      } catch {
        continue; // never created (printed CLI lines not run)
      }
    }
    removed.counselors += await gone('DELETE', `/api/centers/${state.center}/staff/${c.id}`);
  }
  const staff = await api(opts.target, 'GET', `/api/centers/${state.center}/staff`, undefined, token);
  const left = staff.filter((s) => s.id !== state.admin.id && s.status !== 'deleted');
  if (left.length) fail(`staff left in "${state.center}" after clean: ${left.map((s) => s.email).join(', ')} (the state file stays)`);
  rmSync(stateFile(opts), { force: true });
  for (const name of ['rooms.csv', 'threads.csv', 'messages.csv']) rmSync(join(dirname(stateFile(opts)), name), { force: true });
  say(`removed ${removed.topicChats} topic chats, ${removed.rooms} rooms, ${removed.clients} clients, ${removed.counselors} counselors; state file deleted`);
  const deleteArgs = ['center:delete', '--slug', state.center, '--confirm', state.center];
  let centerDeleted = false;
  if (opts.cli) {
    // the CLI refuses (and deletes nothing) where it cannot reach a running node: SQLite with the server running, MariaDB without REDIS_URL
    const { code, out } = await tryCli(deleteArgs);
    centerDeleted = code === 0;
    say(centerDeleted ? out.trim() : `center:delete refused: ${out.trim()}`);
  }
  if (!centerDeleted) {
    console.log(
      `\nThe center "${state.center}" itself is still there, with its admin ${state.admin.login}. Delete it, with\n` +
        `everything left of it (its closed live-chat and topic rooms, tombstones, statistics, visitor tokens, keys),\n` +
        `on the server (SQLite: with the server stopped; MariaDB + Redis: while the nodes run):\n\n  ${cliLine(deleteArgs)}\n`,
    );
  }
  console.log(`LOAD-CLEAN ${JSON.stringify({ center: state.center, ...removed, staffLeft: left.length, centerDeleted })}`);
}

// ---- scenarios ------------------------------------------------------------------------------------

function requireSeed(opts) {
  const state = readState(opts);
  if (!state?.complete) fail(`the target is not seeded: npm run load -- seed --target ${opts.target} (state: ${stateFile(opts)})`);
  return state;
}

/** Tokens of the seed can expire between seed and run: checks one of each kind, logs in again where needed. */
async function freshTokens(opts, state) {
  const valid = async (tok) => {
    try {
      await api(opts.target, 'GET', '/api/rooms', undefined, tok);
      return true;
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) return false;
      throw err;
    }
  };
  let changed = false;
  for (const group of [[state.admin], state.counselors, state.clients]) {
    if (group.length && !(await valid(group[0].token))) {
      for (const who of group) await login(opts, state, who);
      changed = true;
    }
  }
  // only then, and only the tokens: scenarios may run side by side on one state
  if (changed)
    updateState(opts, (s) => {
      for (const key of ['counselors', 'clients']) for (const who of s[key]) who.token = state[key].find((w) => w.login === who.login)?.token ?? who.token;
      s.admin.token = state.admin.token;
    });
}

/** What differs per scenario: the payload, the variables, what the runner does around the run. */
async function prepare(name, opts, state) {
  const vars = { center: state?.center ?? opts.center ?? 'demo' };
  const overrides = { config: { variables: vars } };
  const tokenOf = (login) => [...state.counselors, ...state.clients].find((w) => w.login === login).token;
  let around = async (run) => run();
  if (name === 'rooms' || name === 'messages') {
    const rows = state.rooms.flatMap((r) => [
      [tokenOf(r.counselor), r.roomId],
      [tokenOf(r.client), r.roomId],
    ]);
    // an array: artillery has made the script's payload one already, and an array override replaces it
    overrides.config.payload = [
      {
        path: privateFile(opts, `${name}.csv`, ['token,roomId', ...rows.map((r) => r.join(','))].join('\n') + '\n'),
        fields: ['token', 'roomId'],
        order: 'sequence',
        skipHeader: true,
      },
    ];
    if (name === 'messages') {
      // load/scenarios/messages.yml is the bench's too: its thresholds and phase come from here.
      // Each member connects once and sends one message a second (BENCH_SEND_*) for --duration s.
      overrides.config.phases = [{ name: 'members connect', duration: Math.max(1, Math.min(10, Math.ceil(rows.length / 10))), arrivalCount: rows.length }];
      overrides.config.plugins = { ensure: {} };
      overrides.config.ensure = { thresholds: [{ 'lotse.message_ack_ms.p99': 500 }], maxErrorRate: 1 };
    }
  }
  if (name === 'threads') {
    overrides.config.payload = [
      {
        path: privateFile(opts, 'threads.csv', ['token', ...state.clients.map((c) => c.token)].join('\n') + '\n'),
        fields: ['token'],
        order: 'sequence',
        skipHeader: true,
      },
    ];
  }
  if (name === 'live-queue') around = (run) => withCounselorsOnShift(opts, state, run);
  if (name === 'topic-chat') {
    const host = state.counselors[0];
    const now = Date.now();
    const { id } = await api(
      opts.target,
      'POST',
      `/api/centers/${state.center}/topic-chats`,
      {
        title: 'Lasttest Themenchat',
        description: 'A topic chat of the load test',
        startsAt: new Date(now + 2000).toISOString(),
        endsAt: new Date(now + 3 * 3600_000).toISOString(),
        capacity: 500,
      },
      host.token,
    );
    state.topicChats.push(id);
    updateState(opts, (s) => s.topicChats.push(id));
    vars.topicChatId = id;
    // the runner's clock and the target's can differ: wait until the target lists it as open
    for (let waited = 0; ; waited += 500) {
      const list = await api(opts.target, 'GET', `/api/centers/${state.center}/topic-chats`);
      if (list.find((c) => c.id === id)?.status === 'open') break;
      if (waited > 60_000) fail('the topic chat did not open within a minute (clock of the target?)');
      await new Promise((r) => setTimeout(r, 500));
    }
    around = async (run) => {
      // its host is in the room while the participants come
      const socket = await connect(opts.target, host.token);
      try {
        const { roomId } = await command(socket, 'topic.join', { topicChatId: id, nickname: host.displayName });
        await command(socket, 'room.join', { roomId });
        return await run();
      } finally {
        socket.close();
      }
    };
  }
  return { overrides, around };
}

/** live-queue: every seeded counselor on shift (maxChats 5) while artillery runs; they greet each visitor assigned. */
async function withCounselorsOnShift(opts, state, run) {
  const sockets = [];
  let greeted = 0;
  try {
    for (const c of state.counselors) {
      const socket = await connect(opts.target, c.token);
      sockets.push(socket);
      socket.on('queue.assigned', ({ roomId }) => {
        command(socket, 'room.join', { roomId })
          .then(() =>
            command(socket, 'message.send', { roomId, clientMsgId: randomBytes(16).toString('hex'), body: 'Hallo, ich bin für dich da. Was führt dich her?' }),
          )
          .then(() => greeted++)
          .catch((err) => say(`counselor ${c.login}: ${err.message}`));
      });
      await command(socket, 'shift.open', { maxChats: 5 });
    }
    say(`${sockets.length} counselors on shift`);
    return await run();
  } finally {
    for (const socket of sockets) {
      await command(socket, 'shift.close', {}).catch(() => {});
      socket.close();
    }
    say(`shifts closed; the counselors greeted ${greeted} visitors`);
  }
}

/**
 * This environment without what `npm run` passes to its children (npm_config_local_prefix would make
 * `npm ci` in load/ work on the root's packages, npm_config_loglevel=silent hides why it failed);
 * the cache, the registry and the config files stay.
 */
function npmFreeEnv() {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig', 'npm_config_globalconfig', 'npm_config_cafile']);
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_') || keep.has(k.toLowerCase())));
}

/** load/'s own dependencies (artillery), installed on first use. */
function ensureArtillery() {
  if (existsSync(ARTILLERY)) return;
  say('installing load/ dependencies (artillery) …');
  const run = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: LOAD,
    stdio: 'inherit',
    env: { ...npmFreeEnv(), PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD: '1' },
  });
  if (run.status !== 0 || !existsSync(ARTILLERY)) fail('`cd load && npm ci` failed');
}

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, ''); // eslint-disable-line no-control-regex

async function scenario(name, opts) {
  ensureArtillery();
  const seeded = name === 'status' && !readState(opts)?.complete ? null : requireSeed(opts);
  if (seeded) await freshTokens(opts, seeded);
  const { overrides, around } = await prepare(name, opts, seeded);
  const duration = opts.duration !== undefined ? Number(opts.duration) : undefined;
  const rate = opts.rate !== undefined ? Number(opts.rate) : undefined;
  if (name !== 'messages' && (duration !== undefined || rate !== undefined)) {
    const phase = readPhase(name);
    overrides.config.phases = [
      {
        name: 'arrivals (--duration/--rate)',
        duration: duration ?? phase.duration,
        arrivalRate: rate ?? phase.arrivalRate ?? phase.arrivalCount / phase.duration,
      },
    ];
  }
  const scale = opts['p99-scale'] !== undefined ? Number(opts['p99-scale']) : 1;
  if (!(scale >= 1)) fail('--p99-scale must be a number of at least 1');
  if (scale !== 1) {
    overrides.config.plugins = { ensure: {} };
    overrides.config.ensure = scaledEnsure(overrides.config.ensure ?? readConfig(name).ensure, scale);
  }
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const reports = join(LOAD, 'reports');
  mkdirSync(reports, { recursive: true });
  const jsonFile = join(reports, `${name}-${stamp}.json`);
  const env = {
    ...process.env,
    ARTILLERY_DISABLE_TELEMETRY: 'true',
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(LOAD, 'target-only.cjs')}`.trim(),
    LOTSE_LOAD_TARGET: opts.target,
    LOTSE_LOAD_TARGET_HOST: opts.url.hostname,
    ...(opts.messages !== undefined ? { LOTSE_LOAD_MESSAGES: opts.messages } : {}),
    ...(opts['think-ms'] !== undefined ? { LOTSE_LOAD_THINK_MS: opts['think-ms'] } : {}),
    // messages.yml (the bench's): each member sends for --duration seconds, one message a second
    BENCH_SEND_SECONDS: String(duration ?? 30),
    BENCH_SEND_INTERVAL_MS: String(opts['think-ms'] ?? 1000),
  };
  const args = ['run', '--target', opts.target, '--overrides', JSON.stringify(overrides), '--output', jsonFile, join(LOAD, 'scenarios', `${name}.yml`)];
  say(`running ${name} against ${opts.target} …`);
  const startedAt = new Date();
  const { code, output } = await around(
    () =>
      new Promise((resolve) => {
        const child = spawn(process.execPath, [ARTILLERY, ...args], { cwd: LOAD, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        const tee = (stream) => (d) => {
          out += d.toString();
          stream.write(d);
        };
        child.stdout.on('data', tee(process.stdout));
        child.stderr.on('data', tee(process.stderr));
        const stop = () => child.kill('SIGINT');
        process.once('SIGINT', stop);
        child.once('exit', (c) => {
          process.off('SIGINT', stop);
          resolve({ code: c, output: out });
        });
      }),
  );
  if (!existsSync(jsonFile)) fail(`artillery exited ${code} without a report`);
  const checks = [...stripAnsi(output).matchAll(/^\s*(ok|fail): (.+)$/gm)].map((m) => ({ check: m[2].trim(), ok: m[1] === 'ok' }));
  const report = JSON.parse(readFileSync(jsonFile, 'utf8'));
  report.lotse = {
    scenario: name,
    target: opts.target,
    center: seeded?.center ?? overrides.config.variables.center,
    startedAt: startedAt.toISOString(),
    artilleryExitCode: code,
    ensure: checks,
    ensurePassed: code === 0 && checks.length > 0 && checks.every((c) => c.ok),
    p99Scale: scale,
    overrides: { ...overrides, config: { ...overrides.config, payload: overrides.config.payload ? '(written from the seed state)' : undefined } },
  };
  writeFileSync(jsonFile, JSON.stringify(report, null, 2));
  const htmlFile = jsonFile.replace(/\.json$/, '.html');
  writeFileSync(htmlFile, renderHtml(report));
  say(`reports: ${jsonFile} and ${htmlFile}`);
  say(`ensure: ${checks.map((c) => `${c.ok ? 'ok' : 'FAIL'} ${c.check}`).join('; ') || 'no checks ran'}`);
  console.log(
    `LOAD-RESULT ${JSON.stringify({ scenario: name, json: jsonFile, html: htmlFile, ensurePassed: report.lotse.ensurePassed, ensure: checks, exitCode: code })}`,
  );
  if (!report.lotse.ensurePassed) process.exitCode = 1;
}

/** A scenario file's config (js-yaml comes with artillery in load/node_modules). */
function readConfig(name) {
  const yaml = createRequire(join(LOAD, 'package.json'))('js-yaml');
  const text = readFileSync(join(LOAD, 'scenarios', `${name}.yml`), 'utf8');
  return (yaml.safeLoad ?? yaml.load)(text).config;
}

/** The first phase of a scenario file (for --duration or --rate alone). */
function readPhase(name) {
  const phase = readConfig(name).phases?.[0] ?? {};
  return { duration: phase.duration ?? 60, arrivalRate: phase.arrivalRate, arrivalCount: phase.arrivalCount };
}

/** --p99-scale: every latency threshold times the factor (the error rate stays as it is). */
function scaledEnsure(ensure, factor) {
  return {
    ...ensure,
    thresholds: (ensure.thresholds ?? []).map((t) => Object.fromEntries(Object.entries(t).map(([metric, max]) => [metric, Math.round(max * factor)]))),
  };
}

// ---- main -----------------------------------------------------------------------------------------

const { command: cmd, opts } = parseArgs(process.argv.slice(2));
try {
  if (cmd === 'seed') await seed(opts);
  else if (cmd === 'clean') await clean(opts);
  else await scenario(cmd, opts);
} catch (err) {
  fail(err instanceof Error ? err.message : String(err));
}
// every socket is closed; exit without waiting for keep-alive connections of fetch
process.exit(process.exitCode ?? 0);
