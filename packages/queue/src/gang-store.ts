import type { InstancePool } from '@blazefleet/core';
import type { Redis } from 'ioredis';
import type { FleetKeys } from './fleet-keys.js';
import { releaseLease, takeLease } from './redis-lease.js';

// A job on N instances runs as a gang: the worker that takes its queue entry leads (rank 0, algo-1) and queues N - 1
// host entries; the workers that take them join the gang's record here, and all start together once every rank has
// joined. Only one gang of a pool assembles at a time (its admission), so that two half-assembled gangs never hold
// each other's workers; every change is one Lua script that names the attempt, so a superseded gang changes nothing.

export type GangState = 'assembling' | 'running' | 'aborted';

export interface Gang {
  /** The attempt id of the leader's attempt. */
  attempt: string;
  size: number;
  state: GangState;
  /** host:port where each rank's training listens, by rank; undefined for ranks not joined yet. */
  addresses: (string | undefined)[];
  /** The worker of each rank, by rank. */
  workers: (string | undefined)[];
  /** Why the gang was aborted. */
  reason?: string;
}

/** Gang records expire a day after their last change (a gang never runs longer unattended: its leader renews it). */
const GANG_TTL_SECONDS = 86_400;

/** KEYS: gang. ARGV: attempt, size, leader worker, leader address, ttl. Replaces any earlier gang of the job. */
const OPEN = `
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'attempt', ARGV[1], 'size', ARGV[2], 'state', 'assembling', 'worker:0', ARGV[3], 'addr:0', ARGV[4])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** KEYS: gang. ARGV: attempt, rank, worker, address. Returns the ranks joined so far, or -1 when the gang is not this one assembling. */
const JOIN = `
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= 'assembling' then return -1 end
local size = tonumber(redis.call('HGET', KEYS[1], 'size'))
local rank = tonumber(ARGV[2])
if rank < 1 or rank >= size or redis.call('HEXISTS', KEYS[1], 'addr:' .. ARGV[2]) == 1 then return -1 end
redis.call('HSET', KEYS[1], 'worker:' .. ARGV[2], ARGV[3], 'addr:' .. ARGV[2], ARGV[4])
local joined = 0
for r = 0, size - 1 do
  if redis.call('HEXISTS', KEYS[1], 'addr:' .. r) == 1 then joined = joined + 1 end
end
return joined
`;

/** KEYS: gang. ARGV: attempt, from state, to state, reason. Returns 1 when the gang was this one in `from` state. */
const MOVE = `
if redis.call('HGET', KEYS[1], 'attempt') ~= ARGV[1] or redis.call('HGET', KEYS[1], 'state') ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3])
if ARGV[4] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[4]) end
return 1
`;

/** The gangs of multi-instance jobs in Redis: their admission per pool and who joined at which address. */
export class GangStore {
  constructor(
    readonly redis: Redis,
    readonly keys: FleetKeys,
  ) {}

  #gang(name: string): string {
    return `${this.keys.prefix}:gang:${name}`;
  }

  #admission(pool: InstancePool): string {
    return `${this.keys.prefix}:gang-admission:${pool}`;
  }

  /** Takes (or extends) the pool's admission for this job for `ttlMs`; false while another gang of the pool assembles. */
  async admit(pool: InstancePool, name: string, ttlMs: number): Promise<boolean> {
    return takeLease(this.redis, this.#admission(pool), name, ttlMs);
  }

  /** The job whose gang holds the pool's admission, if any. */
  async admitted(pool: InstancePool): Promise<string | undefined> {
    return (await this.redis.get(this.#admission(pool))) ?? undefined;
  }

  async releaseAdmission(pool: InstancePool, name: string): Promise<void> {
    await releaseLease(this.redis, this.#admission(pool), name);
  }

  /** A new gang for the attempt, led by rank 0 at `address`; replaces the job's earlier gang. */
  async open(name: string, attempt: string, size: number, leader: { worker: string; address: string }): Promise<void> {
    await this.redis.eval(OPEN, 1, this.#gang(name), attempt, String(size), leader.worker, leader.address, String(GANG_TTL_SECONDS));
  }

  /** Joins rank `rank` at `address`; the ranks joined so far, or undefined when that gang is no longer assembling. */
  async join(name: string, attempt: string, rank: number, worker: string, address: string): Promise<number | undefined> {
    const joined = (await this.redis.eval(JOIN, 1, this.#gang(name), attempt, String(rank), worker, address)) as number;
    return joined < 0 ? undefined : joined;
  }

  /** Assembling to running: every rank may start. False when the gang is not that attempt's, assembling. */
  async start(name: string, attempt: string): Promise<boolean> {
    return (await this.redis.eval(MOVE, 1, this.#gang(name), attempt, 'assembling', 'running', '')) === 1;
  }

  /** Tells every rank of the attempt's gang to stop (or not to start), with the reason. */
  async abort(name: string, attempt: string, reason: string): Promise<void> {
    for (const from of ['assembling', 'running'] as const) {
      if ((await this.redis.eval(MOVE, 1, this.#gang(name), attempt, from, 'aborted', reason)) === 1) return;
    }
  }

  /** Keeps a running gang's record for another day. */
  async touch(name: string): Promise<void> {
    await this.redis.expire(this.#gang(name), GANG_TTL_SECONDS);
  }

  async read(name: string): Promise<Gang | undefined> {
    const fields = await this.redis.hgetall(this.#gang(name));
    if (fields.attempt === undefined) return undefined;
    const size = Number(fields.size);
    const byRank = (field: string) => Array.from({ length: size }, (_, rank) => fields[`${field}:${rank}`]);
    return {
      attempt: fields.attempt,
      size,
      state: fields.state as GangState,
      addresses: byRank('addr'),
      workers: byRank('worker'),
      ...(fields.reason === undefined ? {} : { reason: fields.reason }),
    };
  }
}
