import type { Redis } from 'ioredis';

// A lease: a key that one owner holds for a while and renews, that others cannot take meanwhile, and that lapses when
// its owner stops renewing it (a scheduler driving a tuning job, the gang of a pool that is assembling).

/** KEYS: lease. ARGV: owner, ttl ms. Takes or renews the lease; 1 when `owner` holds it afterwards. */
const TAKE = `
local holder = redis.call('GET', KEYS[1])
if holder and holder ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** KEYS: lease. ARGV: owner. Deletes the lease only if `owner` holds it. */
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** Takes (or renews) the lease at `key` for `ttlMs`; false while another owner holds it. */
export async function takeLease(redis: Redis, key: string, owner: string, ttlMs: number): Promise<boolean> {
  return (await redis.eval(TAKE, 1, key, owner, String(ttlMs))) === 1;
}

/** Gives the lease up, if `owner` holds it. */
export async function releaseLease(redis: Redis, key: string, owner: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, owner);
}
