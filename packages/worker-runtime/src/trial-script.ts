import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { BlazefleetError, HyperparameterError } from '@blazefleet/core';
import { encodeBlazingTextEvent, type BlazingTextEvent } from './blazingtext-events.js';

// What the scripts of the built-in algorithms (blazingtext-trial, transform-trial) share: they run in a child process
// on a trial directory, print events on stdout and say why they failed as a SageMaker algorithm container does.

/** A built-in algorithm's exit code when another host of its job was lost: the job may succeed on another attempt. */
export const HOST_LOST_EXIT_CODE = 3;

export function printEvent(event: BlazingTextEvent): void {
  process.stdout.write(`${encodeBlazingTextEvent(event)}\n`);
}

/** A JSON file of the trial directory, `path` relative to it. */
export async function readTrialJson(root: string, path: string): Promise<unknown> {
  return JSON.parse(await readFile(join(root, path), 'utf8'));
}

/** A channel's directory: `input/data/<name>`. */
export function channelPath(root: string, name: string): string {
  return join(root, 'input', 'data', name);
}

/** One line naming the cause, with paths relative to the trial directory (`input/data/train/part-0.txt: ...`). */
export function failureMessage(error: unknown, root: string): string {
  let message: string;
  if (error instanceof HyperparameterError) message = `hyperParameters.${error.field}: ${error.message.replace(/^hyperparameter '[^']*': /, '')}`;
  else if (error instanceof BlazefleetError) message = error.message;
  else if (error instanceof Error) message = `${error.name}: ${error.message}`;
  else message = String(error);
  return message.split(`${root}${sep}`).join('').replace(/\s*\n\s*/g, '; ');
}

/**
 * Says why the trial failed: the reason into output/failure and onto stderr, and the error's exit code (2: the job's
 * hyperparameters or data are at fault; 1: anything else).
 */
export function recordFailure(error: unknown, root: string): void {
  const message = failureMessage(error, root);
  writeFileSync(join(root, 'output', 'failure'), `${message}\n`);
  process.stderr.write(`${message}\n`);
  process.exitCode = error instanceof BlazefleetError ? error.exitCode : 1;
}
