/** Base class of every error the tuner raises on purpose. */
export class TunerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tuner configuration field that is missing, mistyped, out of range or inconsistent with another. */
export class TunerConfigError extends TunerError {
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received?: unknown,
  ) {
    super(`tuner config '${field}': expected ${expected}` + (received === undefined ? '' : `, got ${JSON.stringify(received)}`));
  }
}

/** A call about a trial that does not exist or is not in a state that allows it (e.g. telling a completed trial). */
export class TrialStateError extends TunerError {
  constructor(
    readonly trialId: number,
    readonly reason: string,
  ) {
    super(`trial ${trialId}: ${reason}`);
  }
}

/** A request the tuner cannot answer in its current state, or a saved state that cannot be restored. */
export class TunerStateError extends TunerError {}
