/**
 * One Redis script that checks a batch of requests: the API key (exists, right hash, not revoked), its limits and
 * today's job count, and the request-rate window (count the request or refuse it). A batch is every request that
 * arrived in one turn of the event loop (access-check.repository.ts), and the script runs in the same pipeline as the
 * cache MGET of those requests: a cache hit with keys and limits on still costs one round trip.
 *
 * Hand-written rather than a library's: rate-limiter-flexible and @fastify/rate-limit (its Redis store) both count a
 * fixed window with INCR + PEXPIRE, which lets a client through twice the limit across a window edge (the issue asks
 * for a sliding window or GCRA), they cannot read the key record in the same script (so revocation would cost a
 * second command, and a flood of made-up keys would create a counter per key), and @fastify/rate-limit awaits its
 * store in a hook before the handler, a round trip of its own in front of the cache read.
 *
 * The window: a sliding window of `window` ms kept as counts per bucket of `bucket` ms (60 s in 600 buckets of 100 ms
 * in the service) in one HASH per client. A request is accepted when fewer than `limit` requests were accepted in the
 * buckets overlapping the last window (601 of them: the oldest one only partly inside is counted whole), so the
 * guarantee is exact in the direction that matters: no window of `window` ms ever holds more than `limit` accepted
 * requests, on any number of API processes (the script is atomic). A request leaves the count at most one bucket
 * (100 ms) later than from an ideal sliding log, and the window needs at most 601 small fields per client whatever
 * the limit, where a log of
 * timestamps (a ZSET) needs one member per accepted request: a key allowed 1,000,000 requests a minute would need
 * 1,000,000 members. GCRA needs one number but admits `limit` plus `rate × burst duration`, so a 1,000-request burst
 * against 300/min accepts more on a slow machine than on a fast one; this window accepts exactly 300 on any.
 *
 * Hash fields: `c` accepted requests in the window, `o` oldest bucket holding a count, `n` newest bucket counted,
 * `r`/`rl` the bucket whose expiry lets the next request through and the limit it was computed for (cached while
 * refusing, so a client hammering a closed window costs O(1)), and one field per bucket id with its count. Every
 * bucket id is dropped once and scanned at most once, so the work is O(1) per bucket over time and at most ~600 calls
 * in one request (after a pause just short of a window).
 *
 * KEYS, per check in order: `ip` checks one (the window); `key` checks three (the window, the key record, today's job
 * counter). ARGV: now (ms), window (ms), bucket (ms), number of checks, then 4 per check: kind (`key`|`ip`), the key's
 * SHA-256 (empty for `ip`), the default requests per minute, the default daily jobs (0 = no limit).
 *
 * Reply, one array per check: {status, scope, limit, remaining, reset ms, retry ms, daily job limit, jobs used today}
 * with status `allowed`, `limited`, `unknown` or `revoked` (the last two alone).
 */
export const ACCESS_CHECK_LUA = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local bucketMs = tonumber(ARGV[3])
local buckets = math.floor(windowMs / bucketMs)
local checks = tonumber(ARGV[4])

-- Counts one request in the sliding window of key, or refuses it.
-- Returns accepted (1/0), remaining, ms until the oldest counted request leaves, ms until a retry can pass.
local function slide(key, limit)
  local state = redis.call('HMGET', key, 'c', 'o', 'n', 'r', 'rl')
  local count = tonumber(state[1]) or 0
  local oldest = tonumber(state[2])
  local newest = tonumber(state[3])
  local retry = tonumber(state[4])
  local b = math.floor(now / bucketMs)
  -- A process whose clock lags never counts into a bucket older than the newest: it may have been dropped already.
  if newest and b < newest then b = newest end
  -- The oldest bucket overlapping the window (now - window, now]: counted whole, so nothing in the window is missed.
  local first = b - buckets
  local trimmed = false
  if newest == nil or oldest == nil or newest < first then
    -- Nothing counted, or everything counted has left the window.
    if newest ~= nil then redis.call('DEL', key) end
    count, oldest, newest, retry = 0, nil, nil, nil
  elseif oldest < first then
    -- Drop the buckets that left the window.
    local ids = {}
    for id = oldest, first - 1 do ids[#ids + 1] = id end
    local counts = redis.call('HMGET', key, unpack(ids))
    local dropped = {}
    for i = 1, #ids do
      if counts[i] then
        count = count - tonumber(counts[i])
        dropped[#dropped + 1] = ids[i]
      end
    end
    if #dropped > 0 then redis.call('HDEL', key, unpack(dropped)) end
    -- The oldest bucket still counted: the first non-empty one from first on (the newest is never empty).
    oldest = first
    while oldest < newest and not redis.call('HGET', key, oldest) do oldest = oldest + 1 end
    trimmed = true
  end

  if count < limit then
    redis.call('HINCRBY', key, b, 1)
    count = count + 1
    if oldest == nil then oldest = b end
    if b ~= newest then
      redis.call('HSET', key, 'c', count, 'o', oldest, 'n', b)
      -- Set once per bucket: it then outlives the newest bucket's time in the window.
      redis.call('PEXPIRE', key, windowMs + bucketMs)
    else
      redis.call('HSET', key, 'c', count, 'o', oldest)
    end
    if retry ~= nil then redis.call('HDEL', key, 'r', 'rl') end
    return {1, limit - count, (oldest + buckets + 1) * bucketMs - now, 0}
  end

  -- Refused. A retry passes once enough of the oldest buckets have left for the count to fall below the limit.
  if retry == nil or tonumber(state[5]) ~= limit or retry < oldest then
    local need = count - limit + 1
    local freed = 0
    retry = oldest
    while true do
      freed = freed + (tonumber(redis.call('HGET', key, retry)) or 0)
      if freed >= need or retry >= newest then break end
      retry = retry + 1
    end
    redis.call('HSET', key, 'r', retry, 'rl', limit)
  end
  if trimmed then redis.call('HSET', key, 'c', count, 'o', oldest) end
  return {0, 0, (oldest + buckets + 1) * bucketMs - now, (retry + buckets + 1) * bucketMs - now}
end

local replies = {}
local k = 1
local a = 5
for i = 1, checks do
  local kind = ARGV[a]
  local limit = tonumber(ARGV[a + 2])
  local scope = 'shared'
  local daily, used = 0, 0
  local known = true
  local windowKey = KEYS[k]
  if kind == 'key' then
    local record = redis.call('HMGET', KEYS[k + 1], 'secret_sha256', 'revoked_at', 'rpm', 'daily_jobs', 'cache')
    if record[1] ~= ARGV[a + 1] then
      replies[i] = {'unknown'}
      known = false
    elseif record[2] then
      replies[i] = {'revoked'}
      known = false
    else
      limit = tonumber(record[3]) or limit
      daily = tonumber(record[4]) or tonumber(ARGV[a + 3])
      used = tonumber(redis.call('GET', KEYS[k + 2])) or 0
      if record[5] == 'private' then scope = 'private' end
    end
    k = k + 3
  else
    k = k + 1
  end
  if known then
    if limit > 0 then
      local r = slide(windowKey, limit)
      replies[i] = {r[1] == 1 and 'allowed' or 'limited', scope, limit, r[2], r[3], r[4], daily, used}
    else
      replies[i] = {'allowed', scope, 0, 0, 0, 0, daily, used}
    end
  end
  a = a + 4
end
return replies
`;
