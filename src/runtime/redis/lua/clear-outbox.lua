--[[
  Remove dispatched commands from a run's outbox (the end of persist-then-dispatch).

  Input:
    KEYS[1] outbox   list of OutboxEntry JSON
    ARGV[1…] the exact entries that were dispatched

  Output:
    the number of entries still in the outbox (committed by other transitions meanwhile)
]]
for i = 1, #ARGV do
  redis.call('LREM', KEYS[1], 1, ARGV[i])
end
return redis.call('LLEN', KEYS[1])
