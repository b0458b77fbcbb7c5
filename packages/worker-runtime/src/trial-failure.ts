import { ArtifactStoreError, InputObjectNotFoundError } from '@blazefleet/artifact-store';
import type { TrialExit } from './trial-process.js';
import { HOST_LOST_EXIT_CODE } from './trial-script.js';

/** The exit code with which BlazingText says the job's hyperparameters or data are at fault (core's exitCode 2). */
const CLIENT_ERROR_EXIT_CODE = 2;
/** What a shell or container runtime reports for a child killed by SIGKILL: 128 + 9. */
const SIGKILL_EXIT_CODE = 137;
/** Longest failure reason; SageMaker's FailureReason holds 1024 characters. */
const MAX_REASON_LENGTH = 1024;

/**
 * Why an attempt failed: `reason` begins with its class (ClientError, InputObjectNotFound, AlgorithmError,
 * ArtifactStoreError, TrialKilled, HostLost, InternalError), and `retryable` says whether another attempt may succeed.
 */
export class TrialFailure extends Error {
  readonly reason: string;
  constructor(
    reason: string,
    readonly retryable: boolean,
  ) {
    const shortened = reason.length > MAX_REASON_LENGTH ? `${reason.slice(0, MAX_REASON_LENGTH - 3)}...` : reason;
    super(shortened);
    this.name = 'TrialFailure';
    this.reason = shortened;
  }
}

/**
 * A failure of the runtime's own work (downloading, uploading, setting up): a store error keeps its retryable flag;
 * any other error is the worker's (a full disk, say), and another attempt elsewhere may succeed.
 */
export function failureOfError(error: unknown, doing: string): TrialFailure {
  if (error instanceof TrialFailure) return error;
  if (error instanceof InputObjectNotFoundError) return new TrialFailure(`InputObjectNotFound: ${error.message} (${doing})`, false);
  if (error instanceof ArtifactStoreError) {
    return error.retryable
      ? new TrialFailure(`ArtifactStoreError: ${doing}: ${error.message}`, true)
      : new TrialFailure(`ClientError: ${doing}: ${error.message}`, false);
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TrialFailure(`InternalError: ${doing}: ${message}`, true);
}

export interface ExitDetails {
  /** Whether exit code 2 means a client error (BlazingText's convention). */
  clientErrorExitCode: boolean;
  /** The last line of output/failure, if the algorithm wrote one. */
  failureMessage: string | undefined;
  lastStderrLine: string | undefined;
}

/**
 * Why a trial that was not stopped by us did not succeed, or undefined when it did (exit code 0). A trial killed by a
 * signal nobody here sent (the out-of-memory killer, an operator) may succeed on another attempt; an algorithm
 * that exits with an error will not.
 */
export function failureOfExit(exit: TrialExit, details: ExitDetails): TrialFailure | undefined {
  const said = details.failureMessage ?? details.lastStderrLine;
  const detail = said === undefined ? '' : `: ${said}`;
  switch (exit.kind) {
    case 'not-started':
      return new TrialFailure(`AlgorithmError: cannot start the training command: ${exit.error}`, false);
    case 'supervisor-lost':
      return new TrialFailure(`TrialKilled: the trial supervisor ended unexpectedly (${exit.signal ?? `exit code ${exit.exitCode}`})`, true);
    case 'exited':
      if (exit.signal !== null) {
        const hint = exit.signal === 'SIGKILL' ? ', e.g. by the out-of-memory killer' : '';
        return new TrialFailure(`TrialKilled: the training process was killed by ${exit.signal}${hint}${detail}`, true);
      }
      if (exit.exitCode === 0) return undefined;
      if (exit.exitCode === SIGKILL_EXIT_CODE) {
        return new TrialFailure(`TrialKilled: exit code ${SIGKILL_EXIT_CODE} (a process killed by SIGKILL, e.g. by the out-of-memory killer)${detail}`, true);
      }
      if (exit.exitCode === HOST_LOST_EXIT_CODE && details.clientErrorExitCode) {
        return new TrialFailure(`HostLost${said === undefined ? ': another host of the job was lost' : detail}`, true);
      }
      if (exit.exitCode === CLIENT_ERROR_EXIT_CODE && details.clientErrorExitCode) {
        return new TrialFailure(`ClientError${said === undefined ? ': the algorithm rejected the job' : detail}`, false);
      }
      return new TrialFailure(`AlgorithmError: exit code ${exit.exitCode}${detail}`, false);
  }
}
