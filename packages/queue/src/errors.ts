import { BlazefleetError } from '@blazefleet/core';

/** Job names are unique, as in SageMaker: resubmitting one is an error. */
export class JobAlreadyExistsError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly jobName: string,
    readonly kind: 'training job' | 'tuning job' = 'training job',
  ) {
    super(`${kind} '${jobName}' already exists: job names are unique (choose another name)`);
  }
}

export class JobNotFoundError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly jobName: string,
    readonly kind: 'training job' | 'tuning job' = 'training job',
  ) {
    super(`${kind} '${jobName}' does not exist`);
  }
}

/** Redis could not be reached or answered with an error; names the URL without its password. */
export class FleetConnectionError extends BlazefleetError {
  constructor(
    readonly redisUrl: string,
    readonly reason: string,
  ) {
    super(`cannot reach the fleet's Redis at ${redisUrl}: ${reason} (set REDIS_URL)`);
  }
}
