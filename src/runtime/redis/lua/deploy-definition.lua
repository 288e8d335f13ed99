--[[
  Register one workflow definition by name + version, immutably.

  Input:
    KEYS[1] definitions hash of one workflow name: v:<n> -> JSON, d:<n> -> digest, latest -> n
    ARGV[1] version
    ARGV[2] digest
    ARGV[3] definition JSON

  Output:
    1   stored (new name+version)
    0   the same content was already deployed: nothing changed
    -4  this name+version is deployed with a different digest: refused
]]
local version = ARGV[1]
local existing = redis.call('HGET', KEYS[1], 'd:' .. version)
if existing then
  if existing == ARGV[2] then
    return 0
  end
  return -4
end
redis.call('HSET', KEYS[1], 'v:' .. version, ARGV[3], 'd:' .. version, ARGV[2])
local latest = tonumber(redis.call('HGET', KEYS[1], 'latest') or '0')
if tonumber(version) > latest then
  redis.call('HSET', KEYS[1], 'latest', version)
end
return 1
