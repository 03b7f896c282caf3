import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * One atomic publish: PUBLISH for pub/sub subscribers, plus XADD into the stream of every
 * registered stream pattern (queue groups, durables) that matches the topic. Doing both in one
 * script means a publish can never land in pub/sub but miss a stream, and no publisher needs a
 * cached copy of which patterns exist.
 * ARGV: topic, payload, pattern-set key, stream key prefix, maxlen, then the patterns this
 * publisher has seen before. Those are added back to the set: after a Redis restart without
 * persistence the set is gone, and this keeps streams filling until their consumers return and
 * re-create their groups. Returns the pattern set, which the publisher remembers. With no pattern
 * registered (plain pub/sub only, the common case) it stops after an SCARD: no split, no SMEMBERS.
 * Standalone Redis only: the stream keys are computed inside the script, which Redis Cluster
 * does not allow.
 */
const LUA = `
local function split(s)
  local t = {}
  for tok in string.gmatch(s, '[^.]+') do t[#t + 1] = tok end
  return t
end
local function match(p, s)
  for i = 1, #p do
    if p[i] == '>' then return #s >= i end
    if s[i] == nil then return false end
    if p[i] ~= '*' and p[i] ~= s[i] then return false end
  end
  return #p == #s
end
local topic, payload = ARGV[1], ARGV[2]
redis.call('PUBLISH', topic, payload)
for i = 6, #ARGV do redis.call('SADD', ARGV[3], ARGV[i]) end
if redis.call('SCARD', ARGV[3]) == 0 then return {} end
local tt = split(topic)
local patterns = redis.call('SMEMBERS', ARGV[3])
for _, pattern in ipairs(patterns) do
  if match(split(pattern), tt) then
    redis.call('XADD', ARGV[4] .. pattern, 'MAXLEN', '~', ARGV[5], '*', 't', topic, 'm', payload)
  end
end
return patterns
`;
const SHA = createHash('sha1').update(LUA).digest('hex');

/**
 * Runs the publish script (loading it on the first NOSCRIPT, e.g. after a Redis restart) with
 * ARGV `fixed` (topic, payload, pattern-set key, stream key prefix, maxlen) then `patterns`;
 * returns the registered patterns.
 */
export async function runPublish(redis: Redis, fixed: (string | Buffer | number)[], patterns: Iterable<string>): Promise<string[]> {
  const args: (string | Buffer | number)[] = [SHA, 0, ...fixed];
  for (const p of patterns) args.push(p);
  let reply: unknown;
  try {
    reply = await redis.call('EVALSHA', args);
  } catch (e) {
    if (!String((e as Error).message).startsWith('NOSCRIPT')) throw e;
    args[0] = LUA;
    reply = await redis.call('EVAL', args);
  }
  return Array.isArray(reply) ? reply.map(String) : [];
}
