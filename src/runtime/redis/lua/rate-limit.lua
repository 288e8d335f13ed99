-- Admits one activity call into its rate-limit windows, or says how long to wait
-- (docs/decisions/0016-rate-limits.md). Each window is a sorted set of call start times (ms, Redis
-- clock: every worker counts on the same clock) plus a string holding the longest `per` any limit
-- on it used, so a shorter limit never trims starts a longer one still counts.
-- KEYS: for each window, its log then its horizon key. ARGV[1]: the call's unique member;
-- ARGV[2]: the number of windows; then for each window: the number of limits, then max and per of each.
-- Returns 0 when admitted (the call is recorded in every window), else the wait in ms (nothing recorded).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local member = ARGV[1]
local windows = tonumber(ARGV[2])
local wait = 0
local horizons = {}
local a = 3
for w = 1, windows do
  local log = KEYS[2 * w - 1]
  local horizon = tonumber(redis.call('GET', KEYS[2 * w]) or '0')
  local count = tonumber(ARGV[a])
  local first = a + 1
  for i = 0, count - 1 do
    local per = tonumber(ARGV[first + 2 * i + 1])
    if per > horizon then horizon = per end
  end
  horizons[w] = horizon
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - horizon)
  for i = 0, count - 1 do
    local max = tonumber(ARGV[first + 2 * i])
    local per = tonumber(ARGV[first + 2 * i + 1])
    local inside = redis.call('ZCOUNT', log, '(' .. (now - per), '+inf')
    if inside >= max then
      -- The start that must leave the window before one more fits.
      local leaving = redis.call('ZRANGEBYSCORE', log, '(' .. (now - per), '+inf', 'WITHSCORES', 'LIMIT', inside - max, 1)
      local until_free = tonumber(leaving[2]) + per - now
      if until_free < 1 then until_free = 1 end
      if until_free > wait then wait = until_free end
    end
  end
  a = first + 2 * count
end
if wait > 0 then return wait end
for w = 1, windows do
  redis.call('ZADD', KEYS[2 * w - 1], now, member)
  redis.call('PEXPIRE', KEYS[2 * w - 1], horizons[w])
  redis.call('SET', KEYS[2 * w], horizons[w], 'PX', horizons[w])
end
return 0
