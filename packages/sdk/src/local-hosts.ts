import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BlazefleetError } from '@blazefleet/core';
import { loopbackHosts } from '@blazefleet/algorithms';
import type { CliIo } from './cli-io.js';
import type { TrainingReporter } from './training-reporter.js';

/** A host process of a local distributed job that failed or was killed; the job fails with it. */
export class HostFailedError extends BlazefleetError {
  constructor(
    readonly rank: number,
    readonly address: string,
    readonly reason: string,
  ) {
    super(`host ${address} (rank ${rank}) ${reason}: the distributed training failed`);
  }
}

/** The train arguments without --instance_count (both `--instance_count N` and `--instance_count=N`). */
function withoutInstanceCount(argv: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--instance_count') i++;
    else if (!argv[i]!.startsWith('--instance_count=')) kept.push(argv[i]!);
  }
  return kept;
}

/**
 * Runs `train` as `count` processes of this command on this machine, one host each, over loopback ports (as torchrun
 * does): rank 0's output is this command's, the other ranks' output goes to stderr prefixed with their rank. The
 * first host to fail fails the job, and the others are stopped.
 */
export async function launchLocalHosts(argv: readonly string[], count: number, reporter: TrainingReporter, io: CliIo): Promise<void> {
  const hosts = await loopbackHosts(count);
  const childArgs = withoutInstanceCount(argv);
  const children = hosts.map((address, rank) => {
    reporter.log(`Host ${address}: rank ${rank}`, { rank, address });
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'train', ...childArgs, '--hosts', hosts.join(','), '--rank', String(rank)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (rank === 0) child.stdout.pipe(io.stdout, { end: false });
    else forwardLines(child.stdout, io.stderr, `[rank ${rank}] `);
    forwardLines(child.stderr, io.stderr, `[rank ${rank}] `);
    return child;
  });
  const stopAll = () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  };
  io.signal?.addEventListener('abort', stopAll, { once: true });
  try {
    await Promise.all(children.map((child, rank) => exitOf(child, rank, hosts[rank]!)));
  } catch (error) {
    stopAll();
    throw error;
  } finally {
    io.signal?.removeEventListener('abort', stopAll);
  }
}

function exitOf(child: ChildProcess, rank: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once('error', (error) => reject(new HostFailedError(rank, address, `could not start (${error.message})`)));
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else reject(new HostFailedError(rank, address, signal ? `was killed by ${signal}` : `exited with status ${code}`));
    });
  });
}

function forwardLines(stream: NodeJS.ReadableStream, to: NodeJS.WritableStream, prefix: string): void {
  createInterface({ input: stream }).on('line', (line) => to.write(`${prefix}${line}\n`));
}
