/**
 * The Lua scripts of the Redis live-queue store. Every script gets the same twelve keys of one
 * center (all under the hash tag `lotse:{<centerId>}:`, so Redis Cluster keeps them in one slot) and
 * returns a JSON object: `s` status, `p` position, `a` flat [visitor, counselor, message, joinedAt,
 * address, assignedAt, …] assignments, `q` flat [visitor, position, …] position changes, `r` removed visitors,
 * `l` last shift closed, `t` the counselor a chat was handed to.
 *
 * What a waiting person left (`entries`, `msgs`, `addr`, `addrn` and the line itself) expires after
 * the center's maximum wait plus a margin (every join refreshes it; the sweep removes older entries).
 */
export const QUEUE_KEY_NAMES = ['queue', 'entries', 'msgs', 'inchat', 'shifts', 'load', 'idle', 'seq', 'alive', 'away', 'addr', 'addrn'] as const;

export const queueKeys = (centerId: string): string[] => QUEUE_KEY_NAMES.map((k) => `lotse:{${centerId}}:live:${k}`);

const PRELUDE = `
local Q, E, M, IC, SH, LD, ID, SEQ, ALIVE = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6], KEYS[7], KEYS[8], KEYS[9]
local AW, AD, ADN = KEYS[10], KEYS[11], KEYS[12]
local out = { s = 'ok', a = {}, q = {}, r = {} }
local function pick(except)
  local best, bl, bi = false, 0, 0
  local sh = redis.call('HGETALL', SH)
  for i = 1, #sh, 2 do
    local c = sh[i]
    local max = tonumber(sh[i + 1])
    local l = tonumber(redis.call('HGET', LD, c) or '0')
    if l < max and c ~= except and redis.call('HEXISTS', AW, c) == 0 then
      local idle = tonumber(redis.call('HGET', ID, c) or '0')
      if (not best) or l < bl or (l == bl and (idle < bi or (idle == bi and c < best))) then
        best, bl, bi = c, l, idle
      end
    end
  end
  return best
end
local function assign(v, c, now, msg, joined, addr)
  redis.call('HINCRBY', LD, c, 1)
  redis.call('HSET', ID, c, now)
  redis.call('HSET', IC, v, c)
  table.insert(out.a, v)
  table.insert(out.a, c)
  table.insert(out.a, msg)
  table.insert(out.a, joined)
  table.insert(out.a, addr)
  table.insert(out.a, now)
end
-- removes a waiting visitor and answers what the entry held (read before it is deleted)
local function unqueue(v)
  local msg = redis.call('HGET', M, v) or ''
  local joined = redis.call('HGET', E, v) or '0'
  local addr = redis.call('HGET', AD, v) or ''
  redis.call('ZREM', Q, v)
  redis.call('HDEL', E, v)
  redis.call('HDEL', M, v)
  redis.call('HDEL', AD, v)
  if addr ~= '' and redis.call('HINCRBY', ADN, addr, -1) <= 0 then redis.call('HDEL', ADN, addr) end
  return msg, joined, addr
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
    local c = pick(false)
    if not c then break end
    local msg, joined, addr = unqueue(head[1])
    assign(head[1], c, now, msg, joined, addr)
    n = n + 1
  end
  if n > 0 then positionsFrom(0) end
end
`;

const script = (body: string): string => `${PRELUDE}\n${body}\nreturn cjson.encode(out)\n`;

export const QUEUE_SCRIPTS = {
  // ARGV: visitorId, now, limit, message ('' = none), address ('' = unknown), perAddress (0 = no cap), ttl (ms)
  lqJoin: script(`
local v, now, limit, msg = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), ARGV[4]
local addr, perAddr, ttl = ARGV[5], tonumber(ARGV[6]), tonumber(ARGV[7])
if redis.call('HEXISTS', IC, v) == 1 or redis.call('ZSCORE', Q, v) then
  out.s = 'already'
elseif redis.call('HLEN', SH) == 0 then
  out.s = 'closed'
else
  drain(now)
  local c = false
  if redis.call('ZCARD', Q) == 0 then c = pick(false) end
  if c then
    assign(v, c, now, msg, now, addr)
    out.s = 'assigned'
  elseif redis.call('ZCARD', Q) >= limit then
    out.s = 'full'
  elseif addr ~= '' and perAddr > 0 and tonumber(redis.call('HGET', ADN, addr) or '0') >= perAddr then
    out.s = 'address_full'
  else
    local seq = redis.call('INCR', SEQ)
    redis.call('ZADD', Q, seq, v)
    redis.call('HSET', E, v, now)
    if msg ~= '' then redis.call('HSET', M, v, msg) end
    if addr ~= '' then
      redis.call('HSET', AD, v, addr)
      redis.call('HINCRBY', ADN, addr, 1)
    end
    for _, k in ipairs({ Q, E, M, AD, ADN }) do redis.call('PEXPIRE', k, ttl) end
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
redis.call('HDEL', AW, c)
if redis.call('HEXISTS', ID, c) == 0 then redis.call('HSET', ID, c, now) end
redis.call('SET', ALIVE, '1')
drain(now)`),
  // ARGV: counselorId
  lqCloseShift: script(`
redis.call('HDEL', SH, ARGV[1])
redis.call('HDEL', AW, ARGV[1])
out.l = 0
if redis.call('HLEN', SH) == 0 then
  local all = redis.call('ZRANGE', Q, 0, -1)
  for i = 1, #all do
    table.insert(out.r, all[i])
  end
  redis.call('DEL', Q, E, M, AD, ADN)
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
  // ARGV: counselorId, away ('1' or '0'), now
  lqSetAway: script(`
local c, away, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
out.c = 0
if away == '1' then
  if redis.call('HEXISTS', SH, c) == 1 and redis.call('HSETNX', AW, c, now) == 1 then out.c = 1 end
else
  out.c = redis.call('HDEL', AW, c)
  drain(now)
end`),
  // ARGV: visitorId, from counselor, now
  lqHandOver: script(`
local v, from, now = ARGV[1], ARGV[2], tonumber(ARGV[3])
out.t = ''
if redis.call('HGET', IC, v) == from then
  local to = pick(from)
  if to then
    redis.call('HSET', IC, v, to)
    if redis.call('HINCRBY', LD, from, -1) <= 0 then redis.call('HDEL', LD, from) end
    redis.call('HINCRBY', LD, to, 1)
    redis.call('HSET', ID, to, now)
    out.t = to
  end
end`),
  lqSnapshot: script(`
local all = redis.call('ZRANGE', Q, 0, -1)
out.e = {}
for i = 1, #all do
  table.insert(out.e, all[i])
  table.insert(out.e, redis.call('HGET', E, all[i]) or '0')
  table.insert(out.e, redis.call('HGET', M, all[i]) or '')
  table.insert(out.e, redis.call('HGET', AD, all[i]) or '')
end`),
  lqSeats: script(`
out.ic = redis.call('HGETALL', IC)
out.ld = redis.call('HGETALL', LD)
out.aw = redis.call('HKEYS', AW)`),
  lqStatus: script(`
local sh = redis.call('HGETALL', SH)
local free = 0
for i = 1, #sh, 2 do
  local l = tonumber(redis.call('HGET', LD, sh[i]) or '0')
  local m = tonumber(sh[i + 1])
  if m > l and redis.call('HEXISTS', AW, sh[i]) == 0 then free = free + m - l end
end
out.st = { #sh / 2, redis.call('ZCARD', Q), free }`),
} as const;

export type QueueScriptName = keyof typeof QUEUE_SCRIPTS;
