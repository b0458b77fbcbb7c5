import { InputDataError } from '@blazefleet/core';
import { expect } from 'vitest';

/** Expects `promise` to reject with an InputDataError whose message (or only its reason) matches `pattern`. */
export async function expectInputDataError(promise: Promise<unknown>, pattern: RegExp, field: 'message' | 'reason' = 'message'): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(InputDataError);
  expect((error as InputDataError)[field]).toMatch(pattern);
}

/** For fuzzing a reader: it may accept the input, but the only failure it may report is an InputDataError. */
export async function expectNoErrorButInputDataError(promise: Promise<unknown>): Promise<void> {
  await promise.catch((error: unknown) => expect(error).toBeInstanceOf(InputDataError));
}
