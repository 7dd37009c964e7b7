/**
 * The Lua scripts of the Redis live-queue store. Every script gets the same nine keys of one center
 * (all under the hash tag `lotse:{<centerId>}:`, so Redis Cluster keeps them in one slot) and
 * returns a JSON object: `s` status, `p` position, `a` flat [visitor, counselor, …] assignments,
 * `q` flat [visitor, position, …] position changes, `r` removed visitors, `l` last shift closed.
 */
export const QUEUE_KEY_NAMES = ['queue', 'entries', 'msgs', 'inchat', 'shifts', 'load', 'idle', 'seq', 'alive'] as const;

export const queueKeys = (centerId: string): string[] => QUEUE_KEY_NAMES.map((k) => `lotse:{${centerId}}:live:${k}`);

const PRELUDE = `
local Q, E, M, IC, SH, LD, ID, SEQ, ALIVE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local out = { s = 'ok', a = {}, q = {}, r = {} }
local function pick()
  local best, bl, bi = false, 0, 0
  local sh = redis.call('HGETALL', SH)
  for i = 1, #sh, 2 do
    local c = sh[i]
    local max = tonumber(sh[i + 1])
    local l = tonumber(redis.call('HGET', LD, c) or '0')
    if l < max then
      local idle = tonumber(redis.call('HGET', ID, c) or '0')
      if (not best) or l < bl or (l == bl and (idle < bi or (idle == bi and c < best))) then
        best, bl, bi = c, l, idle
      end
    end
  end
  return best
end
local function assign(v, c, now)
  redis.call('HINCRBY', LD, c, 1)
  redis.call('HSET', ID, c, now)
  redis.call('HSET', IC, v, c)
  table.insert(out.a, v)
  table.insert(out.a, c)
end
local function unqueue(v)
  redis.call('ZREM', Q, v)
  redis.call('HDEL', E, v)
  redis.call('HDEL', M, v)
end
local function positionsFrom(rank)
  local rest = redis.call('ZRANGE', Q, rank, -1)
  for i = 1, #rest do
    table.insert(out.q, rest[i])
    table.insert(out.q, rank + i)
  end
end
local function drain(now)
  local n = 0
  while true do
    local head = redis.call('ZRANGE', Q, 0, 0)
    if #head == 0 then break end
    local c = pick()
    if not c then break end
    unqueue(head[1])
    assign(head[1], c, now)
    n = n + 1
  end
  if n > 0 then positionsFrom(0) end
end
`;

const script = (body: string): string => `${PRELUDE}\n${body}\nreturn cjson.encode(out)\n`;

export const QUEUE_SCRIPTS = {
  // ARGV: visitorId, now, limit, message ('' = none)
  lqJoin: script(`
local v, now, limit, msg = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
if redis.call('HEXISTS', IC, v) == 1 or redis.call('ZSCORE', Q, v) then
  out.s = 'already'
elseif redis.call('HLEN', SH) == 0 then
  out.s = 'closed'
else
  drain(now)
  local c = false
  if redis.call('ZCARD', Q) == 0 then c = pick() end
  if c then
    assign(v, c, now)
    out.s = 'assigned'
  elseif redis.call('ZCARD', Q) >= limit then
    out.s = 'full'
  else
    local seq = redis.call('INCR', SEQ)
    redis.call('ZADD', Q, seq, v)
    redis.call('HSET', E, v, now)
    if msg ~= '' then redis.call('HSET', M, v, msg) end
    out.s = 'waiting'
    out.p = redis.call('ZCARD', Q)
  end
end`),
  // ARGV: visitorId
  lqLeave: script(`
local v = ARGV[1]
local rank = redis.call('ZRANK', Q, v)
if rank then
  unqueue(v)
  table.insert(out.r, v)
  positionsFrom(rank)
  out.s = 'left'
else
  out.s = 'none'
end`),
  // ARGV: visitorId, counselorId, now
  lqRelease: script(`
local v, c, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
if redis.call('HGET', IC, v) == c then
  redis.call('HDEL', IC, v)
  if redis.call('HINCRBY', LD, c, -1) <= 0 then redis.call('HDEL', LD, c) end
  redis.call('HSET', ID, c, now)
  out.s = 'released'
end
drain(now)`),
  // ARGV: counselorId, maxChats, now
  lqOpenShift: script(`
local c, max, now = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('HSET', SH, c, max)
if redis.call('HEXISTS', ID, c) == 0 then redis.call('HSET', ID, c, now) end
redis.call('SET', ALIVE, '1')
drain(now)`),
  // ARGV: counselorId
  lqCloseShift: script(`
redis.call('HDEL', SH, ARGV[1])
out.l = 0
if redis.call('HLEN', SH) == 0 then
  local all = redis.call('ZRANGE', Q, 0, -1)
  for i = 1, #all do
    table.insert(out.r, all[i])
  end
  redis.call('DEL', Q, E, M)
  out.l = 1
end`),
  // ARGV: cutoff (ms)
  lqSweep: script(`
local cutoff = tonumber(ARGV[1])
local all = redis.call('ZRANGE', Q, 0, -1)
local first = false
for i = 1, #all do
  local t = tonumber(redis.call('HGET', E, all[i]) or '0')
  if t < cutoff then
    if not first then first = i - 1 end
    table.insert(out.r, all[i])
  end
end
for i = 1, #out.r do unqueue(out.r[i]) end
if first then positionsFrom(first) end`),
  // ARGV: now, shifts JSON [[counselor, max], …], chats JSON [[visitor, counselor], …]
  lqRestore: script(`
if redis.call('EXISTS', ALIVE) == 1 then
  out.s = 'kept'
else
  local now = tonumber(ARGV[1])
  for _, sh in ipairs(cjson.decode(ARGV[2])) do
    redis.call('HSETNX', SH, sh[1], sh[2])
    redis.call('HSETNX', ID, sh[1], now)
  end
  for _, ch in ipairs(cjson.decode(ARGV[3])) do
    if redis.call('HSETNX', IC, ch[1], ch[2]) == 1 then redis.call('HINCRBY', LD, ch[2], 1) end
  end
  redis.call('SET', ALIVE, '1')
  drain(now)
  out.s = 'restored'
end`),
  lqSnapshot: script(`
local all = redis.call('ZRANGE', Q, 0, -1)
out.e = {}
for i = 1, #all do
  table.insert(out.e, all[i])
  table.insert(out.e, redis.call('HGET', E, all[i]) or '0')
  table.insert(out.e, redis.call('HGET', M, all[i]) or '')
end`),
  lqStatus: script(`
local sh = redis.call('HGETALL', SH)
local free = 0
for i = 1, #sh, 2 do
  local l = tonumber(redis.call('HGET', LD, sh[i]) or '0')
  local m = tonumber(sh[i + 1])
  if m > l then free = free + m - l end
end
out.st = { #sh / 2, redis.call('ZCARD', Q), free }`),
} as const;

export type QueueScriptName = keyof typeof QUEUE_SCRIPTS;
