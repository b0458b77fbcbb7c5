import { Redis } from 'ioredis';
import { FleetConnectionError } from './errors.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_PREFIX = 'blazefleet';

/** Where the fleet's Redis is and its key prefix: REDIS_URL and BLAZEFLEET_PREFIX, or the local defaults. */
export interface FleetLocation {
  redisUrl: string;
  prefix: string;
}

export function fleetLocation(env: NodeJS.ProcessEnv = process.env, overrides: Partial<FleetLocation> = {}): FleetLocation {
  return {
    redisUrl: overrides.redisUrl ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
    prefix: overrides.prefix ?? env.BLAZEFLEET_PREFIX ?? DEFAULT_PREFIX,
  };
}

/** The URL with its password replaced, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(invalid REDIS_URL)';
  }
}

/**
 * A connection that fails fast when Redis is down (for clients), or, with `blocking`, one that waits and retries
 * forever as BullMQ's workers need (maxRetriesPerRequest: null).
 */
export async function connectRedis(url: string, options: { blocking?: boolean } = {}): Promise<Redis> {
  let redis: Redis;
  try {
    redis = new Redis(url, {
      lazyConnect: true,
      maxRetriesPerRequest: options.blocking ? null : 2,
      enableOfflineQueue: true,
      retryStrategy: options.blocking ? (times) => Math.min(times * 200, 5000) : (times) => (times > 2 ? null : 200),
    });
  } catch (error) {
    throw new FleetConnectionError(redactedUrl(url), (error as Error).message);
  }
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new FleetConnectionError(redactedUrl(url), (error as Error).message);
  }
  return redis;
}
