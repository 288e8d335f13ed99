--[[
  Commit one run transition atomically (the "persist" half of persist-then-dispatch), with the
  run's index entries and, when the run ends, the `ended` notice.

  Input:
    KEYS[1] run      hash: rev, status, gen, hgen (small fields: Redis keeps it compact)
    KEYS[2] state    string: the RunState (JSON, or compressed JSON; opaque here)
    KEYS[3] history  list of HistoryEntry JSON
    KEYS[4] outbox   list of OutboxEntry JSON (commands still to dispatch)
    KEYS[5] timers   zset pending timer seq -> due ms
    KEYS[6] acts     set of activity seqs the run awaits

    ARGV[1]  expected revision; "-1" = create: the run must not exist or must be finished
             (a finished run with the same id is replaced, its old keys deleted)
    ARGV[2]  new state
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
    ARGV[15] index key prefix ("<prefix>:idx:"); the run's entries in `all`, `name:<workflow>`
             and `status:<status>` are written here when the run is created or its status changes
    ARGV[16] run id (the index member)
    ARGV[17] workflow name
    ARGV[18] start time (score in `all` and `name:<workflow>`)
    ARGV[19] score in `status:<status>` (end time of a finished run, else start time)
    ARGV[20] pub/sub channel of the `ended` notice
    ARGV[21] the `ended` notice (published when the new status is terminal)
    ARGV[22] definitions hash of the run's workflow, or '' (create only): the commit is refused
             unless its `latest` equals ARGV[23] (a start on a cached "latest" version)
    ARGV[23] the version the start resolved as latest
    ARGV[24] pub/sub channel of commit notices: the run id is published there on every commit
             (not the entries: `watchHistory` readers LRANGE what they have not seen), or '' for none
    ARGV[25] nsa number of search attribute index writes (triples command, key, score)
    ARGV[26] "1" when the run continued as new in this transition: its history list is replaced
             by this commit's entries (the new generation's, from index 0) instead of appended to
    ARGV[27…] the items, in that order: history, outbox, timers to add, timers to remove,
             activities to add, activities to remove, outbox entries to remove, search index
             writes (SADD/SREM key '' or ZADD key score / ZREM key '', member: the run id)

  The index and channel keys (and ARGV[22]) are built or passed here, not declared: a run's
  transition and its index entries change together, which needs them on one Redis node
  (Flowline does not support Redis Cluster; docs/decisions/0003-runtimes.md). Each search
  attribute's keys share one hash tag (`{sa:<name>}`), the partition it would move to under the
  cluster issue (docs/decisions/0015-migrate-and-search-attributes.md).

  Output:
    {1, newRevision, oldest} committed; oldest = the outbox's oldest entry before this commit
                            ('' when it was empty), so the caller can repair a stale outbox
    {-1, currentRevision}   revision conflict: reload and decide again
    {-2, currentStatus}     create refused: a run with this id is running
    {-3, 0}                 the run does not exist (never created, or expired)
    {-5, latest}            create refused: the workflow's latest version is no longer ARGV[23]
]]
local runKey, stateKey, historyKey, outboxKey, timersKey, actsKey = KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local expected = tonumber(ARGV[1])

local current = redis.call('HMGET', runKey, 'rev', 'status', 'gen')
local currentRev, currentStatus, currentGen = current[1], current[2], current[3]
local generation = ARGV[13]
local newStatus = ARGV[4]

if expected == -1 then
  if ARGV[22] ~= '' then
    local latest = redis.call('HGET', ARGV[22], 'latest')
    if latest ~= ARGV[23] then
      return {-5, tonumber(latest) or 0}
    end
  end
  if currentRev then
    if currentStatus == 'running' then
      return {-2, currentStatus}
    end
  end
else
  if not currentRev then
    return {-3, 0}
  end
  if tonumber(currentRev) ~= expected or (generation ~= '' and currentGen ~= generation) then
    return {-1, tonumber(currentRev)}
  end
end

-- The first write is one a full Redis refuses (a memory-growing command). Redis lets a script
-- whose first write frees memory (DEL, LREM) go on past maxmemory to its end, so a commit that
-- happened to clear outbox entries first was stored on a full Redis while others were refused.
-- So the run hash is written before anything is removed: a full Redis refuses every commit whole
-- (RedisFull, nothing stored).
if expected == -1 and currentRev then
  -- Replacing a finished run with the same id: its keys go, after a write that grows memory.
  redis.call('HSET', runKey, 'rev', ARGV[3])
  redis.call('DEL', runKey, stateKey, historyKey, outboxKey, timersKey, actsKey, runKey .. ':heartbeats')
end
if expected == -1 then
  redis.call('HSET', runKey, 'rev', ARGV[3], 'status', newStatus, 'gen', generation)
elseif currentStatus ~= newStatus then
  redis.call('HSET', runKey, 'rev', ARGV[3], 'status', newStatus)
else
  redis.call('HSET', runKey, 'rev', ARGV[3])
end

local nh, no, nta, ntr, naa, nar, ncl =
  tonumber(ARGV[7]), tonumber(ARGV[8]), tonumber(ARGV[9]), tonumber(ARGV[10]), tonumber(ARGV[11]), tonumber(ARGV[12]),
  tonumber(ARGV[14])
local ITEMS = 27
local clearFrom = ITEMS + nh + no + 2 * nta + ntr + naa + nar
for c = clearFrom, clearFrom + ncl - 1 do
  redis.call('LREM', outboxKey, 1, ARGV[c])
end

local oldest = redis.call('LINDEX', outboxKey, 0) or ''
redis.call('SET', stateKey, ARGV[2])

-- Index entries: only what changed (the previous status set loses the run, the new one gains it).
local indexPrefix, runId = ARGV[15], ARGV[16]
if expected == -1 then
  if currentStatus then
    redis.call('ZREM', indexPrefix .. 'status:' .. currentStatus, runId)
  end
  redis.call('ZADD', indexPrefix .. 'all', ARGV[18], runId)
  redis.call('ZADD', indexPrefix .. 'name:' .. ARGV[17], ARGV[18], runId)
  redis.call('ZADD', indexPrefix .. 'status:' .. newStatus, ARGV[19], runId)
elseif currentStatus ~= newStatus then
  if currentStatus then
    redis.call('ZREM', indexPrefix .. 'status:' .. currentStatus, runId)
  end
  redis.call('ZADD', indexPrefix .. 'status:' .. newStatus, ARGV[19], runId)
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

if ARGV[26] == '1' then
  -- Continue-as-new: the old generation's history goes (docs/decisions/0014-continue-as-new.md);
  -- `hgen` counts the restarts, so history watchers know to start again from entry 0.
  redis.call('DEL', historyKey)
  redis.call('HINCRBY', runKey, 'hgen', 1)
end
local i = ITEMS
i = eachChunk('RPUSH', historyKey, i, nh)
i = eachChunk('RPUSH', outboxKey, i, no)
-- ZADD wants score before member; ARGV holds (seq, at) pairs.
for _ = 1, nta do
  redis.call('ZADD', timersKey, ARGV[i + 1], ARGV[i]); i = i + 2
end
i = eachChunk('ZREM', timersKey, i, ntr)
i = eachChunk('SADD', actsKey, i, naa)
i = eachChunk('SREM', actsKey, i, nar)

-- Search attribute indexes: only the attributes whose value changed (the caller computed them).
local sa = clearFrom + ncl
for _ = 1, tonumber(ARGV[25]) do
  local command, key, score = ARGV[sa], ARGV[sa + 1], ARGV[sa + 2]
  if command == 'ZADD' then
    redis.call('ZADD', key, score, runId)
  else
    redis.call(command, key, runId)
  end
  sa = sa + 3
end

if ARGV[5] == '1' then
  -- A finished run awaits nothing: drop its pending timers and activities and the heartbeat
  -- details of its steps (RunKeys.heartbeats, same hash tag), keep the rest for the retention period.
  redis.call('DEL', timersKey, actsKey, runKey .. ':heartbeats')
  local ttl = tonumber(ARGV[6])
  redis.call('PEXPIRE', runKey, ttl)
  redis.call('PEXPIRE', stateKey, ttl)
  redis.call('PEXPIRE', historyKey, ttl)
  redis.call('PEXPIRE', outboxKey, ttl)
  redis.call('PUBLISH', ARGV[20], ARGV[21])
elseif currentStatus and currentStatus ~= 'running' then
  -- Re-opened (retry of a failed run): keep it for good again.
  redis.call('PERSIST', runKey)
  redis.call('PERSIST', stateKey)
  redis.call('PERSIST', historyKey)
  redis.call('PERSIST', outboxKey)
end

if ARGV[24] ~= '' then
  redis.call('PUBLISH', ARGV[24], runId)
end

return {1, tonumber(ARGV[3]), oldest}
