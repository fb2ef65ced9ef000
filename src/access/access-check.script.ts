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
 * Within one call, each client's window and each key's record are read once and the window written once, whatever
 * number of its requests the batch holds (all checks of a call share `now`): three Redis commands per client and call
 * in the steady state (HMGET record, HMGET window, HSET window), and a few table operations per further request.
 * Each redis.call costs about as much as the rest of a check, hence the care.
 *
 * A call names each client once, however many of its requests it checks. KEYS, per client in order: an IP has one
 * (its window), a key two (its window, the key record). ARGV: now (ms), window (ms), bucket (ms), number of clients,
 * the default requests per minute, the default daily jobs (0 = no limit), then per client the key's SHA-256 (an empty
 * string for an IP), then per check the 1-based index of its client. The day's job count is not read here: it
 * matters only to a request that makes a job, which reserves one (job-quota.repository.ts) then.
 *
 * Reply: one string of comma-separated integers, 7 per check: status (0 allowed, 1 limited, 2 unknown key, 3 revoked
 * key), scope (0 shared, 1 private), limit, remaining, reset ms, retry ms, daily job limit. Arguments and reply are
 * kept this compact because encoding and decoding them per element cost the API process more than the check itself
 * (measured: an array reply of integers took a quarter of the client's time per check).
 */
export const ACCESS_CHECK_LUA = `
local now = tonumber(ARGV[1])
local windowMs = tonumber(ARGV[2])
local bucketMs = tonumber(ARGV[3])
local buckets = math.floor(windowMs / bucketMs)
local clients = tonumber(ARGV[4])
local defaultRpm = tonumber(ARGV[5])
local defaultDaily = tonumber(ARGV[6])
local firstCheck = 7 + clients
local nowBucket = math.floor(now / bucketMs)
-- Lua turns a number into a string with '%.14g' wherever Redis needs one (a command argument, the reply), which cost
-- about 0.4 µs per number in Redis 7.0, more than the rest of a check's logic; '%d' costs a third of that. Every value
-- here is an integer, and for integers below 1e14 both give the same text, so window fields written either way match.
local format = string.format
local nowField = format('%d', nowBucket)

local windows = {}
local touched = {}

-- A client's window, read and trimmed to the window ending now, once per call.
local function window(key)
  local w = windows[key]
  if w then return w end
  local state = redis.call('HMGET', key, 'c', 'o', 'n', 'r', 'rl', nowField)
  w = {
    key = key,
    count = tonumber(state[1]) or 0,
    oldest = tonumber(state[2]),
    newest = tonumber(state[3]),
    retry = tonumber(state[4]),
    retryLimit = tonumber(state[5]),
    hadRetry = state[4] ~= false,
    bucket = nowBucket,
    inBucket = tonumber(state[6]) or 0,
    added = 0,
    trimmed = false,
    retrySet = false,
  }
  -- A process whose clock lags never counts into a bucket older than the newest: it may have been dropped already.
  if w.newest and w.bucket < w.newest then
    w.bucket = w.newest
    w.inBucket = tonumber(redis.call('HGET', key, w.bucket)) or 0
  end
  -- The oldest bucket overlapping the window (now - window, now]: counted whole, so nothing in the window is missed.
  local first = w.bucket - buckets
  if w.newest == nil or w.oldest == nil or w.newest < first then
    -- Nothing counted, or everything counted has left the window.
    if w.newest ~= nil then redis.call('DEL', key) end
    w.count, w.oldest, w.newest, w.retry, w.hadRetry, w.inBucket = 0, nil, nil, nil, false, 0
  elseif w.oldest < first then
    -- Drop the buckets that left the window.
    local ids = {}
    for id = w.oldest, first - 1 do ids[#ids + 1] = id end
    local counts = redis.call('HMGET', key, unpack(ids))
    local dropped = {}
    for i = 1, #ids do
      if counts[i] then
        w.count = w.count - tonumber(counts[i])
        dropped[#dropped + 1] = ids[i]
      end
    end
    if #dropped > 0 then redis.call('HDEL', key, unpack(dropped)) end
    -- The oldest bucket still counted: the first non-empty one from first on (the newest is never empty).
    local oldest = first
    while oldest < w.newest and not redis.call('HGET', key, oldest) do oldest = oldest + 1 end
    w.oldest = oldest
    w.trimmed = true
  end
  windows[key] = w
  touched[#touched + 1] = w
  return w
end

-- Counts one request in the window, or refuses it: accepted (1/0), remaining, reset ms, retry ms.
local function slide(w, limit)
  if w.count < limit then
    w.count = w.count + 1
    w.added = w.added + 1
    if w.oldest == nil then w.oldest = w.bucket end
    w.retry = nil
    return 1, limit - w.count, (w.oldest + buckets + 1) * bucketMs - now, 0
  end
  -- Refused. A retry passes once enough of the oldest buckets have left for the count to fall below the limit.
  if w.retry == nil or w.retryLimit ~= limit or w.retry < w.oldest then
    local last = w.newest
    if w.added > 0 then last = w.bucket end
    local need = w.count - limit + 1
    local freed = 0
    local id = w.oldest
    while true do
      if id == w.bucket then
        freed = freed + w.inBucket + w.added
      else
        freed = freed + (tonumber(redis.call('HGET', w.key, id)) or 0)
      end
      if freed >= need or id >= last then break end
      id = id + 1
    end
    w.retry, w.retryLimit, w.retrySet = id, limit, true
  end
  return 0, 0, (w.oldest + buckets + 1) * bucketMs - now, (w.retry + buckets + 1) * bucketMs - now
end

-- Each client's key record, read once: {status, scope, limit, daily job limit, window key}.
local known = {}
local keyAt = {}
local k = 1
for j = 1, clients do
  keyAt[j] = k
  if ARGV[6 + j] ~= '' then k = k + 2 else k = k + 1 end
end
local function client(j)
  local c = known[j]
  if c then return c end
  local secret = ARGV[6 + j]
  c = {0, 0, defaultRpm, 0, KEYS[keyAt[j]]}
  if secret ~= '' then
    local r = redis.call('HMGET', KEYS[keyAt[j] + 1], 'secret_sha256', 'revoked_at', 'rpm', 'daily_jobs', 'cache')
    if r[1] ~= secret then
      c[1], c[3] = 2, 0
    elseif r[2] then
      c[1], c[3] = 3, 0
    else
      c[3] = tonumber(r[3]) or defaultRpm
      c[4] = tonumber(r[4]) or defaultDaily
      if r[5] == 'private' then c[2] = 1 end
    end
  end
  known[j] = c
  return c
end

local reply = {}
for i = firstCheck, #ARGV do
  local c = client(tonumber(ARGV[i]))
  local status, limit = c[1], c[3]
  local remaining, reset, retry = 0, 0, 0
  if status == 0 and limit > 0 then
    local accepted
    accepted, remaining, reset, retry = slide(window(c[5]), limit)
    if accepted == 0 then status = 1 end
  end
  reply[#reply + 1] = format('%d,%d,%d,%d,%d,%d,%d', status, c[2], limit, remaining, reset, retry, c[4])
end

-- Write each window once.
for _, w in ipairs(touched) do
  if w.added > 0 then
    local bucket = format('%d', w.bucket)
    local inBucket, count, oldest = format('%d', w.inBucket + w.added), format('%d', w.count), format('%d', w.oldest)
    if w.bucket ~= w.newest then
      redis.call('HSET', w.key, bucket, inBucket, 'c', count, 'o', oldest, 'n', bucket)
      -- Set once per bucket: it then outlives the newest bucket's time in the window.
      redis.call('PEXPIRE', w.key, windowMs + bucketMs)
    else
      redis.call('HSET', w.key, bucket, inBucket, 'c', count, 'o', oldest)
    end
    if w.hadRetry then redis.call('HDEL', w.key, 'r', 'rl') end
  elseif w.trimmed then
    redis.call('HSET', w.key, 'c', w.count, 'o', w.oldest)
  end
  if w.retrySet and w.retry then redis.call('HSET', w.key, 'r', w.retry, 'rl', w.retryLimit) end
end
return table.concat(reply, ',')
`;
