--[[
  Commit one run transition atomically (the "persist" half of persist-then-dispatch).

  Input:
    KEYS[1] run      hash: state (RunState JSON), rev, status
    KEYS[2] history  list of HistoryEntry JSON
    KEYS[3] outbox   list of OutboxEntry JSON (commands still to dispatch)
    KEYS[4] timers   zset pending timer seq -> due ms
    KEYS[5] acts     set of activity seqs the run awaits

    ARGV[1]  expected revision; "-1" = create: the run must not exist or must be finished
             (a finished run with the same id is replaced, its old keys deleted)
    ARGV[2]  new state JSON
    ARGV[3]  new revision
    ARGV[4]  new status
    ARGV[5]  "1" when the new status is terminal
    ARGV[6]  retention in ms (PEXPIRE on every key of a finished run)
    ARGV[7]  nh  number of history entries
    ARGV[8]  no  number of outbox entries
    ARGV[9]  nta number of timers to add (pairs seq, at)
    ARGV[10] ntr number of timers to remove
    ARGV[11] naa number of activity seqs to add
    ARGV[12] nar number of activity seqs to remove
    ARGV[13] generation: on create, stored as the run's `gen` (a random token of this incarnation
             of the run id); otherwise, when not empty, must equal the stored `gen` (a process
             that decided on a cached state of a since replaced run gets a revision conflict)
    ARGV[14] ncl number of outbox entries to remove (dispatched by earlier transitions of this
             process; removed only when the commit goes through)
    ARGV[15…] the items, in that order: history, outbox, timers to add, timers to remove,
             activities to add, activities to remove, outbox entries to remove

  Output:
    {1, newRevision, oldest} committed; oldest = the outbox's oldest entry before this commit
                            ('' when it was empty), so the caller can repair a stale outbox
    {-1, currentRevision}   revision conflict: reload and decide again
    {-2, currentStatus}     create refused: a run with this id is running
    {-3, 0}                 the run does not exist (never created, or expired)
]]
local runKey, historyKey, outboxKey, timersKey, actsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5]
local expected = tonumber(ARGV[1])

local current = redis.call('HMGET', runKey, 'rev', 'status', 'gen')
local currentRev, currentStatus, currentGen = current[1], current[2], current[3]
local generation = ARGV[13]

if expected == -1 then
  if currentRev then
    if currentStatus == 'running' then
      return {-2, currentStatus}
    end
    redis.call('DEL', runKey, historyKey, outboxKey, timersKey, actsKey)
  end
else
  if not currentRev then
    return {-3, 0}
  end
  if tonumber(currentRev) ~= expected or (generation ~= '' and currentGen ~= generation) then
    return {-1, tonumber(currentRev)}
  end
end

local nh, no, nta, ntr, naa, nar, ncl =
  tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]),
  tonumber(ARGV[14])
local clearFrom = 15 + nh + no + 2 * nta + ntr + naa + nar
for c = clearFrom, clearFrom + ncl - 1 do
  redis.call('LREM', outboxKey, 1, ARGV[c])
end

local oldest = redis.call('LINDEX', outboxKey, 0) or ''
if expected == -1 then
  redis.call('HSET', runKey, 'state', ARGV[2], 'rev', ARGV[3], 'status', ARGV[4], 'gen', generation)
else
  redis.call('HSET', runKey, 'state', ARGV[2], 'rev', ARGV[3], 'status', ARGV[4])
end

-- One variadic call per chunk of ARGV[from .. from+count-1] instead of one call per item (a
-- decision may carry thousands of entries; chunks stay under Lua's unpack limit). Returns the
-- index after the range.
local CHUNK = 1000
local function eachChunk(command, key, from, count)
  local last = from + count - 1
  local first = from
  while first <= last do
    local upto = math.min(first + CHUNK - 1, last)
    redis.call(command, key, unpack(ARGV, first, upto))
    first = upto + 1
  end
  return from + count
end

local i = 15
i = eachChunk('RPUSH', historyKey, i, nh)
i = eachChunk('RPUSH', outboxKey, i, no)
-- ZADD wants score before member; ARGV holds (seq, at) pairs.
for _ = 1, nta do
  redis.call('ZADD', timersKey, ARGV[i + 1], ARGV[i]); i = i + 2
end
i = eachChunk('ZREM', timersKey, i, ntr)
i = eachChunk('SADD', actsKey, i, naa)
i = eachChunk('SREM', actsKey, i, nar)

if ARGV[5] == '1' then
  -- A finished run awaits nothing: drop its pending timers and activities, keep the rest for the
  -- retention period.
  redis.call('DEL', timersKey, actsKey)
  local ttl = tonumber(ARGV[6])
  redis.call('PEXPIRE', runKey, ttl)
  redis.call('PEXPIRE', historyKey, ttl)
  redis.call('PEXPIRE', outboxKey, ttl)
elseif currentStatus and currentStatus ~= 'running' then
  -- Re-opened (retry of a failed run): keep it for good again.
  redis.call('PERSIST', runKey)
  redis.call('PERSIST', historyKey)
  redis.call('PERSIST', outboxKey)
end

return {1, tonumber(ARGV[3]), oldest}
