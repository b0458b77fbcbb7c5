/** Base class of every error Blazefleet raises on purpose; `exitCode` is what the CLI exits with. */
export class BlazefleetError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A hyperparameter that is unknown, mistyped, out of range or inconsistent with another. */
export class HyperparameterError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly field: string,
    readonly expected: string,
    readonly received?: unknown,
  ) {
    super(
      `hyperparameter '${field}': expected ${expected}` +
        (received === undefined ? '' : `, got ${JSON.stringify(received)}`),
    );
  }
}

/** Training input that cannot be used: missing, empty, binary, or leaving nothing to train on. */
export class InputDataError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly source: string,
    readonly reason: string,
  ) {
    super(`${source}: ${reason}`);
  }
}

/** Training produced non-finite values; the learning rate is the usual cause. */
export class TrainingDivergedError extends BlazefleetError {
  override readonly exitCode = 2;
  constructor(
    readonly epoch: number,
    readonly detail: string,
  ) {
    super(`training diverged in epoch ${epoch} (${detail}); lower learning_rate`);
  }
}

/** A command-line usage problem: a missing or malformed option. */
export class UsageError extends BlazefleetError {
  override readonly exitCode = 2;
}
