import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { FleetKeys } from '../fleet-keys.js';
import { connectRedis, fleetLocation } from '../redis-connection.js';

/** Deletes every key under `prefix` (a test's or a benchmark's). */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, found] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    if (found.length > 0) await redis.del(...found);
    cursor = next;
  } while (cursor !== '0');
}

/** Keys under a prefix of their own (one per test file), on the real Redis of REDIS_URL or 127.0.0.1:6379. */
export async function testFleet(label: string): Promise<{ redis: Redis; keys: FleetKeys; redisUrl: string; cleanup: () => Promise<void> }> {
  const { redisUrl } = fleetLocation();
  const redis = await connectRedis(redisUrl);
  const keys = new FleetKeys(`bftest:${label}:${process.pid}:${randomBytes(3).toString('hex')}`);
  const cleanup = async () => {
    await deleteKeysUnder(redis, keys.prefix);
    redis.disconnect();
  };
  return { redis, keys, redisUrl, cleanup };
}
