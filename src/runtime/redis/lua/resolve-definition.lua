--[[
  Resolve a workflow name (and optional version) to its deployed version and digest, in one round
  trip; the definition JSON itself is only fetched by the caller when its digest is not cached.

  Input:
    KEYS[1] definitions hash of one workflow name: v:<n> -> JSON, d:<n> -> digest, latest -> n
    ARGV[1] version, or '' for the latest

  Output:
    {version, digest}   deployed
    {version, false}    not deployed (version 0 when the name has no versions)
]]
local version = ARGV[1]
if version == '' then
  version = redis.call('HGET', KEYS[1], 'latest') or '0'
end
return {tonumber(version), redis.call('HGET', KEYS[1], 'd:' .. version)}
