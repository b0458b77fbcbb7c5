import { BlazefleetError } from '@blazefleet/core';

/** A TrialOptions field that runTrial cannot work with. */
export class TrialOptionsError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received: unknown,
  ) {
    super(`trial option '${field}': expected ${expected}, got ${typeof received === 'string' ? JSON.stringify(received) : String(received)}`);
  }
}
