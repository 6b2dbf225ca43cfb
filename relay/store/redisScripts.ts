// The Lua scripts behind the Redis store's atomic steps. Redis runs a script to the end before
// any other command, so each is one indivisible step, as a SQLite transaction is. Scripts that
// walk a host's threads or phones build those keys from the prefix they are given: the store
// runs on one Redis (with replicas, if any), not on a Redis Cluster.
//
// Conventions: an absent SQL NULL is an empty string in a hash; HGET and friends give `false`
// for a missing field or key.

/** KEYS: device, token. ARGV: id, kind, tokenHash, createdAt, lastSeen, revokedAt. */
export const INSERT_DEVICE = `
if redis.call('EXISTS', KEYS[1]) == 1 or redis.call('EXISTS', KEYS[2]) == 1 then
  return redis.error_reply('ERR a device with this id or token exists')
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'kind', ARGV[2], 'tokenHash', ARGV[3], 'createdAt', ARGV[4],
  'lastSeen', ARGV[5], 'revokedAt', ARGV[6])
redis.call('SET', KEYS[2], ARGV[1])
return 1`;

/** KEYS: token. ARGV: prefix. The device's hash as a flat list, or nil. */
export const DEVICE_BY_TOKEN = `
local id = redis.call('GET', KEYS[1])
if not id then return nil end
return redis.call('HGETALL', ARGV[1] .. 'device:' .. id)`;

/** KEYS: device. ARGV: at. Only an existing device: no half-made hash. */
export const TOUCH_DEVICE = `
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'lastSeen', ARGV[1]) end
return 1`;

/** KEYS: the phone's hosts, the host's phones. ARGV: phoneId, hostId, at. A link keeps its first time. */
export const LINK = `
redis.call('ZADD', KEYS[1], 'NX', ARGV[3], ARGV[2])
redis.call('ZADD', KEYS[2], 'NX', ARGV[3], ARGV[1])
return 1`;

/**
 * KEYS: the phone's hosts, the host's phones, the host's inbox order, its commands, the phone's
 * device, its push subscription. ARGV: phoneId, hostId, at. Returns { unlinked, revoked }.
 */
export const UNLINK = `
if redis.call('ZREM', KEYS[1], ARGV[2]) == 0 then return {0, 0} end
redis.call('ZREM', KEYS[2], ARGV[1])
local waiting = redis.call('HGETALL', KEYS[4])
for i = 1, #waiting, 2 do
  if cjson.decode(waiting[i + 1]).from == ARGV[1] then
    redis.call('HDEL', KEYS[4], waiting[i])
    redis.call('ZREM', KEYS[3], waiting[i])
  end
end
if redis.call('ZCARD', KEYS[1]) > 0 then return {1, 0} end
if redis.call('HGET', KEYS[5], 'revokedAt') == '' then redis.call('HSET', KEYS[5], 'revokedAt', ARGV[3]) end
redis.call('DEL', KEYS[6])
return {1, 1}`;

/** KEYS: the host's phones. ARGV: prefix. Flat [id, pairedAt, lastSeen, …] of phones not revoked. */
export const PHONES_OF_HOST = `
local out = {}
local linked = redis.call('ZRANGE', KEYS[1], 0, -1, 'WITHSCORES')
for i = 1, #linked, 2 do
  local f = redis.call('HMGET', ARGV[1] .. 'device:' .. linked[i], 'revokedAt', 'lastSeen')
  if f[1] == '' then
    table.insert(out, linked[i]); table.insert(out, linked[i + 1]); table.insert(out, f[2])
  end
end
return out`;

/**
 * KEYS: slot, the host's slots. ARGV: id, hostId, createdAt, expiresAt, joinedBy, joinedDevice,
 * closedAt, keepMs. A slot is kept a while after it expires (a late decision still finds it),
 * then Redis drops it; the host's index keeps a day of slot times for the rate limit.
 */
export const INSERT_SLOT = `
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'hostId', ARGV[2], 'createdAt', ARGV[3], 'expiresAt', ARGV[4],
  'joinedBy', ARGV[5], 'joinedDevice', ARGV[6], 'closedAt', ARGV[7])
redis.call('PEXPIRE', KEYS[1], ARGV[8])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. (tonumber(ARGV[3]) - 86400000))
redis.call('PEXPIRE', KEYS[2], 86400000)
return 1`;

/** KEYS: slot. ARGV: socketId, deviceId, now. 1 when this call joined it. */
export const JOIN_SLOT = `
local s = redis.call('HMGET', KEYS[1], 'joinedBy', 'closedAt', 'expiresAt')
if not s[3] or s[1] ~= '' or s[2] ~= '' or tonumber(s[3]) <= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'joinedBy', ARGV[1], 'joinedDevice', ARGV[2])
return 1`;

/** KEYS: slot. ARGV: at. 1 when this call closed it. */
export const CLOSE_SLOT = `
if redis.call('HGET', KEYS[1], 'closedAt') ~= '' then return 0 end
redis.call('HSET', KEYS[1], 'closedAt', ARGV[1])
return 1`;

/**
 * Appends a host's events, in order. KEYS: the host's threads, its events by age, its sealed
 * bytes, the hosts with events, then each event's thread's events (scored by seq). ARGV: hostId,
 * then five values per event: seq, the event as JSON, threadId, its sealed size (iv and ct,
 * ASCII), at. The ciphertext goes once, inside the JSON, and is read back only to tell a retry
 * from a conflict. Returns, per event, "stored", "duplicate" (same seq, same ciphertext) or
 * "conflict". The age entry is "<seq>:<size>:<threadId>", so the sweep knows what to delete and
 * how much it frees.
 */
export const APPEND_EVENTS = `
local out = {}
local added = 0
for i = 1, #KEYS - 4 do
  local a = 1 + (i - 1) * 5
  local seq, json, thread, size = ARGV[a + 1], ARGV[a + 2], ARGV[a + 3], ARGV[a + 4]
  local key = KEYS[4 + i]
  local held = redis.call('ZRANGE', key, seq, seq, 'BYSCORE')
  if #held == 0 then
    redis.call('ZADD', key, seq, json)
    redis.call('ZADD', KEYS[1], 0, thread)
    redis.call('ZADD', KEYS[2], ARGV[a + 5], seq .. ':' .. size .. ':' .. thread)
    added = added + tonumber(size)
    out[i] = 'stored'
  else
    local e = cjson.decode(held[1])
    local new = cjson.decode(json)
    if e.iv == new.iv and e.ct == new.ct then out[i] = 'duplicate' else out[i] = 'conflict' end
  end
end
if added > 0 then
  redis.call('INCRBY', KEYS[3], added)
  redis.call('SADD', KEYS[4], ARGV[1])
end
return out`;

/**
 * KEYS: the host's threads (same score, so in thread id order). ARGV: the prefix of the host's
 * event keys, limit, cursors as JSON. Returns { more, [threadId, event JSON, …] }: threads in
 * order, each from its cursor, until `limit` events; one more row is read to know of a next page.
 */
export const EVENTS_AFTER = `
local limit = tonumber(ARGV[2])
local cursors = cjson.decode(ARGV[3])
local out = {}
local n = 0
local more = 0
for _, thread in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local room = limit - n
  if room <= 0 then more = 1; break end
  local after = tonumber(cursors[thread]) or 0
  local rows = redis.call('ZRANGE', ARGV[1] .. thread, '(' .. string.format('%d', after), '+inf', 'BYSCORE', 'LIMIT', 0, room + 1)
  if #rows > room then more = 1 end
  for i = 1, math.min(#rows, room) do
    table.insert(out, thread); table.insert(out, rows[i]); n = n + 1
  end
end
return {more, out}`;

/**
 * KEYS: the thread's pages (scored by from), its events. ARGV: from, to, the page as JSON.
 * "stored"; "duplicate" (that page again); "conflict" (it overlaps another page of the thread);
 * "missing" (an event from..to is not stored).
 */
export const APPEND_PAGE = `
local before = redis.call('ZRANGE', KEYS[1], ARGV[2], '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 1)
if #before > 0 then
  local held = cjson.decode(before[1])
  if held.to >= tonumber(ARGV[1]) then
    local new = cjson.decode(ARGV[3])
    if held.from == new.from and held.to == new.to and held.iv == new.iv and held.ct == new.ct then return 'duplicate' end
    return 'conflict'
  end
end
if redis.call('ZCOUNT', KEYS[2], ARGV[1], ARGV[2]) ~= tonumber(ARGV[2]) - tonumber(ARGV[1]) + 1 then return 'missing' end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
return 'stored'`;

/**
 * KEYS: the host's threads (in id order). ARGV: the prefix of the host's page keys, limit,
 * cursors as JSON. Per thread, the chain of pages from its cursor: the page holding cursor + 1,
 * then the one holding the seq after it. Returns { more, [threadId, page JSON, …] }; stops
 * (more = 1) once the pages bring limit events.
 */
export const PAGES_AFTER = `
local limit = tonumber(ARGV[2])
local cursors = cjson.decode(ARGV[3])
local out = {}
local n = 0
for _, thread in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local cursor = tonumber(cursors[thread]) or 0
  while true do
    if n >= limit then return {1, out} end
    local rows = redis.call('ZRANGE', ARGV[1] .. thread, string.format('%d', cursor + 1), '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 1)
    if #rows == 0 then break end
    local page = cjson.decode(rows[1])
    if page.to <= cursor then break end
    table.insert(out, thread); table.insert(out, rows[1])
    n = n + page.to - cursor
    cursor = page.to
  end
end
return {0, out}`;

/**
 * KEYS: the phone's hosts, the host's inbox order, its commands, the inbox counter.
 * ARGV: hostId, id, the command as JSON. "alone" (nothing else waits), "stored", "duplicate" or "unlinked".
 */
export const ENQUEUE = `
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return 'unlinked' end
if redis.call('HEXISTS', KEYS[3], ARGV[2]) == 1 then return 'duplicate' end
redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[4]), ARGV[2])
redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
if redis.call('ZCARD', KEYS[2]) == 1 then return 'alone' end
return 'stored'`;

/** KEYS: the inbox order, its commands. ARGV: limit. Flat [id, command JSON, …], oldest first. */
export const PENDING = `
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #ids == 0 then return {} end
local cmds = redis.call('HMGET', KEYS[2], unpack(ids))
local out = {}
for i, id in ipairs(ids) do
  if cmds[i] then table.insert(out, id); table.insert(out, cmds[i]) end
end
return out`;

/** KEYS: the inbox order, its commands. ARGV: id. */
export const DELETE_COMMAND = `
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
return 1`;

/** KEYS: subscription. ARGV: kind, target JSON, muted JSON, at. Keeps the first createdAt. */
export const PUT_PUSH = `
local created = redis.call('HGET', KEYS[1], 'createdAt') or ARGV[4]
redis.call('HSET', KEYS[1], 'kind', ARGV[1], 'target', ARGV[2], 'muted', ARGV[3], 'createdAt', created, 'updatedAt', ARGV[4])
return 1`;

/** KEYS: subscription. ARGV: target JSON. Deletes it only while it is that target. */
export const DELETE_PUSH_IF = `
if redis.call('HGET', KEYS[1], 'target') == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: the host's phones. ARGV: prefix. Flat [phoneId, target, muted, createdAt, updatedAt, …]
 * of linked phones, not revoked, with a subscription, in pairing order. Muting is checked by
 * the caller.
 */
export const PUSH_OF_HOST = `
local out = {}
for _, phone in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if redis.call('HGET', ARGV[1] .. 'device:' .. phone, 'revokedAt') == '' then
    local p = redis.call('HMGET', ARGV[1] .. 'push:' .. phone, 'target', 'muted', 'createdAt', 'updatedAt')
    if p[1] then
      table.insert(out, phone); table.insert(out, p[1]); table.insert(out, p[2]); table.insert(out, p[3]); table.insert(out, p[4])
    end
  end
end
return out`;

/** KEYS: meta. ARGV: key, value. What is stored after it, the first value set. */
export const INIT_META = `
redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2])
return redis.call('HGET', KEYS[1], ARGV[1])`;

/**
 * Retention for one host. KEYS: its events by age, its sealed bytes, its trims (thread → first
 * seq kept), its threads. ARGV: the prefix of its event keys, olderThan, quotaBytes (0: none),
 * max, the prefix of its page keys. Deletes the oldest while they are older or the host is over
 * its quota, and the pages starting at or before a deleted event; { deleted, more }.
 */
export const TRIM_EVENTS = `
local olderThan = tonumber(ARGV[2])
local quota = tonumber(ARGV[3])
local max = tonumber(ARGV[4])
local bytes = tonumber(redis.call('GET', KEYS[2]) or '0')
local deleted = 0
while true do
  local first = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  if #first == 0 then break end
  if not (tonumber(first[2]) < olderThan or (quota > 0 and bytes > quota)) then break end
  if deleted == max then
    redis.call('SET', KEYS[2], math.max(0, bytes))
    return {deleted, 1}
  end
  local seq, size, thread = string.match(first[1], '^(%d+):(%d+):(.*)$')
  redis.call('ZREMRANGEBYSCORE', ARGV[1] .. thread, seq, seq)
  redis.call('ZREMRANGEBYSCORE', ARGV[5] .. thread, '-inf', seq)
  redis.call('ZREM', KEYS[1], first[1])
  bytes = bytes - tonumber(size)
  local kept = tonumber(seq) + 1
  if kept > tonumber(redis.call('HGET', KEYS[3], thread) or '0') then redis.call('HSET', KEYS[3], thread, kept) end
  deleted = deleted + 1
end
if deleted > 0 then redis.call('SET', KEYS[2], math.max(0, bytes)) end
return {deleted, 0}`;

/**
 * Forgets a thread. KEYS: its events, the host's threads, records, events by age, sealed bytes,
 * trims, its pages. ARGV: threadId, the thread's record key.
 */
export const DELETE_THREAD = `
local freed = 0
for _, json in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local e = cjson.decode(json)
  local size = string.len(e.iv) + string.len(e.ct)
  freed = freed + size
  redis.call('ZREM', KEYS[4], string.format('%d', e.seq) .. ':' .. size .. ':' .. ARGV[1])
end
redis.call('DEL', KEYS[1])
redis.call('DEL', KEYS[7])
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[2])
redis.call('HDEL', KEYS[6], ARGV[1])
if freed > 0 then redis.call('DECRBY', KEYS[5], freed) end
return 1`;
