import type { TuningJobSpec } from '@blazefleet/core';
import { JobAlreadyExistsError, JobNotFoundError, takeLease, type FleetKeys } from '@blazefleet/queue';
import type { TunerState } from '@blazefleet/tuner';
import type { Redis } from 'ioredis';

export type TuningJobStatus = 'InProgress' | 'Completed' | 'Failed' | 'Stopping' | 'Stopped';

/** One trial of a tuning job: planned (recorded, not yet submitted), running (its training job exists), or done. */
export interface TrialRecord {
  trialId: number;
  /** 1-based, in the order the tuner suggested them. */
  index: number;
  trainingJobName: string;
  /** The tuned hyperparameters, as the training job got them. */
  tunedHyperParameters: Record<string, string>;
  state: 'planned' | 'running' | 'done';
  /** Epochs of the objective metric already reported to the tuner (early stopping). */
  reportedEpochs: number;
  /** Stopped by the tuner's early stopping. */
  stoppedEarly: boolean;
  /** The final objective value, when the trial gave one. */
  objective?: number;
  /** The training job's final status. */
  status?: string;
  failureReason?: string;
}

export interface TuningJobRecord {
  name: string;
  spec: TuningJobSpec;
  status: TuningJobStatus;
  creationTime: string;
  endTime?: string;
  stopRequested: boolean;
  completionReason?: string;
  failureReason?: string;
  /** Trials created so far (the next trial's index is this + 1). */
  trialsCreated: number;
  tuner?: TunerState;
  trials: TrialRecord[];
}

/** KEYS: hash, tunings, active, spec. ARGV: name, spec JSON, now ms, now ISO. */
const CREATE = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'InProgress', 'created', ARGV[3], 'createdIso', ARGV[4], 'trialsCreated', 0)
redis.call('SET', KEYS[4], ARGV[2])
redis.call('ZADD', KEYS[2], ARGV[3], ARGV[1])
redis.call('SADD', KEYS[3], ARGV[1])
return 1
`;

/**
 * KEYS: lease, hash, tuner, trials, active. ARGV: owner, tuner JSON ('' to keep), trials JSON {id: record}, fields JSON,
 * name, done ('1' when the job is over). Writes only while `owner` holds the lease: a scheduler that lost it (paused,
 * presumed dead) cannot overwrite the state of the one that took over.
 */
const SAVE = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[2] ~= '' then redis.call('SET', KEYS[3], ARGV[2]) end
for id, record in pairs(cjson.decode(ARGV[3])) do redis.call('HSET', KEYS[4], id, record) end
for field, value in pairs(cjson.decode(ARGV[4])) do redis.call('HSET', KEYS[2], field, value) end
if ARGV[6] == '1' then redis.call('SREM', KEYS[5], ARGV[5]) end
return 1
`;

/** Tuning jobs in Redis: spec, status, the tuner's state and the trials, under the fleet's key prefix. */
export class TuningJobStore {
  constructor(
    readonly redis: Redis,
    readonly keys: FleetKeys,
  ) {}

  #key(name: string, part?: string): string {
    return `${this.keys.prefix}:tuning:${name}${part === undefined ? '' : `:${part}`}`;
  }
  get #tunings(): string {
    return `${this.keys.prefix}:tunings`;
  }
  get #active(): string {
    return `${this.keys.prefix}:tunings:active`;
  }

  async create(spec: TuningJobSpec): Promise<void> {
    const now = Date.now();
    const created = await this.redis.eval(CREATE, 4, this.#key(spec.name), this.#tunings, this.#active, this.#key(spec.name, 'spec'), spec.name, JSON.stringify(spec), String(now), new Date(now).toISOString());
    if (created !== 1) throw new JobAlreadyExistsError(spec.name, 'tuning job');
  }

  /** Names of the tuning jobs a scheduler still has to drive. */
  active(): Promise<string[]> {
    return this.redis.smembers(this.#active);
  }

  async names(): Promise<string[]> {
    return this.redis.zrevrange(this.#tunings, 0, -1);
  }

  async get(name: string): Promise<TuningJobRecord> {
    const [[, fields], [, spec], [, tuner], [, trials]] = (await this.redis
      .multi()
      .hgetall(this.#key(name))
      .get(this.#key(name, 'spec'))
      .get(this.#key(name, 'tuner'))
      .hgetall(this.#key(name, 'trials'))
      .exec())! as [unknown, unknown][] as [[unknown, Record<string, string>], [unknown, string | null], [unknown, string | null], [unknown, Record<string, string>]];
    if (spec === null || fields.status === undefined) throw new JobNotFoundError(name, 'tuning job');
    return {
      name,
      spec: JSON.parse(spec) as TuningJobSpec,
      status: fields.status as TuningJobStatus,
      creationTime: fields.createdIso!,
      ...(fields.ended === undefined ? {} : { endTime: new Date(Number(fields.ended)).toISOString() }),
      stopRequested: fields.stop === '1',
      ...(fields.completionReason === undefined ? {} : { completionReason: fields.completionReason }),
      ...(fields.failure === undefined ? {} : { failureReason: fields.failure }),
      trialsCreated: Number(fields.trialsCreated ?? 0),
      ...(tuner === null ? {} : { tuner: JSON.parse(tuner) as TunerState }),
      trials: Object.values(trials)
        .map((value) => JSON.parse(value) as TrialRecord)
        .sort((a, b) => a.index - b.index),
    };
  }

  /** Takes (or renews) the lease on driving the job; false while another scheduler holds it. */
  async lease(name: string, owner: string, ttlMs: number): Promise<boolean> {
    return takeLease(this.redis, this.#key(name, 'lease'), owner, ttlMs);
  }

  /** Saves what a drive step changed, only while `owner` holds the lease; false when it lost it. */
  async save(
    name: string,
    owner: string,
    change: { tuner?: TunerState; trials?: TrialRecord[]; fields?: Record<string, string>; done?: boolean },
  ): Promise<boolean> {
    const trials = Object.fromEntries((change.trials ?? []).map((trial) => [String(trial.trialId), JSON.stringify(trial)]));
    const reply = await this.redis.eval(
      SAVE, 5, this.#key(name, 'lease'), this.#key(name), this.#key(name, 'tuner'), this.#key(name, 'trials'), this.#active,
      owner, change.tuner === undefined ? '' : JSON.stringify(change.tuner), JSON.stringify(trials), JSON.stringify(change.fields ?? {}), name, change.done ? '1' : '0',
    );
    return reply === 1;
  }

  /** Asks the scheduler to stop the job (it stops the running trials first). */
  async requestStop(name: string): Promise<void> {
    const status = await this.redis.hget(this.#key(name), 'status');
    if (status === null) throw new JobNotFoundError(name, 'tuning job');
    if (status === 'InProgress') await this.redis.hset(this.#key(name), 'stop', '1', 'status', 'Stopping');
  }
}
