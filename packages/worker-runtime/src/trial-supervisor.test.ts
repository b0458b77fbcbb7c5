import { spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { LineSplitter } from './line-splitter.js';
import { trialScriptPath } from './package-files.js';
import { isProcessAlive, waitForProcessEnd } from './testing/process-state.js';

/** The JSON lines of `stream`, one at a time. */
function jsonLines(stream: Readable): AsyncIterableIterator<Record<string, unknown>> {
  const queue: Record<string, unknown>[] = [];
  let wake: (() => void) | undefined;
  const splitter = new LineSplitter((line) => {
    queue.push(JSON.parse(line) as Record<string, unknown>);
    wake?.();
  });
  stream.on('data', (chunk: Buffer) => splitter.write(chunk));
  const iterator: AsyncIterableIterator<Record<string, unknown>> = {
    async next() {
      while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
      return { value: queue.shift()!, done: false };
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
}

describe('trial supervisor', () => {
  it('kills the trial when the process that started it is killed with SIGKILL', async () => {
    // A throwaway parent, as a worker would be: it starts the supervisor and reports the pids on its stdout.
    const parentScript = `
      const { spawn } = require('node:child_process');
      const supervisor = spawn(process.execPath, [${JSON.stringify(trialScriptPath('trial-supervisor'))}, process.execPath, '-e', 'setInterval(() => {}, 1000)'],
        { stdio: ['pipe', 'ignore', 'ignore', 'pipe'] });
      supervisor.stdio[3].on('data', (chunk) => {
        const { pid } = JSON.parse(chunk.toString().split('\\n')[0]);
        console.log(JSON.stringify({ supervisor: supervisor.pid, trial: pid }));
      });
    `;
    const parent = spawn(process.execPath, ['-e', parentScript], { stdio: ['ignore', 'pipe', 'inherit'] });
    const { value } = await jsonLines(parent.stdout).next();
    const { supervisor, trial } = value as { supervisor: number; trial: number };
    expect(isProcessAlive(trial)).toBe(true);

    const parentExited = once(parent, 'exit');
    parent.kill('SIGKILL');
    await parentExited;
    await waitForProcessEnd(trial);
    await waitForProcessEnd(supervisor);
  });

  it('passes TERM on to the trial\'s process group and reports how the trial ended', async () => {
    const script = `process.on('SIGTERM', () => process.exit(42)); console.log('ready'); setInterval(() => {}, 1000)`;
    const supervisor = spawn(process.execPath, [trialScriptPath('trial-supervisor'), process.execPath, '-e', script], { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] });
    const exited = once(supervisor, 'exit');
    const status = jsonLines(supervisor.stdio[3] as Readable);
    expect((await status.next()).value).toEqual({ pid: expect.any(Number) });
    await once(supervisor.stdout!, 'data');
    supervisor.stdin!.write('TERM\n');
    expect((await status.next()).value).toEqual({ exitCode: 42, signal: null });
    await exited;
  });

  it('kills what the trial left running in its group when the trial itself ends', async () => {
    const supervisor = spawn(process.execPath, [trialScriptPath('trial-supervisor'), '/bin/sh', '-c', 'sleep 300 & echo $!'], { stdio: ['pipe', 'pipe', 'inherit', 'pipe'] });
    const exited = once(supervisor, 'exit');
    const [output] = (await once(supervisor.stdout!, 'data')) as [Buffer];
    const sleeper = Number(output.toString().trim());
    await exited;
    await waitForProcessEnd(sleeper);
    supervisor.stdin!.end();
  });

  it('reports a command that cannot be started', async () => {
    const supervisor = spawn(process.execPath, [trialScriptPath('trial-supervisor'), '/nonexistent/program'], { stdio: ['pipe', 'ignore', 'inherit', 'pipe'] });
    const exited = once(supervisor, 'exit');
    const status = jsonLines(supervisor.stdio[3] as Readable);
    expect((await status.next()).value).toEqual({ error: expect.stringContaining('ENOENT') });
    await exited;
  });
});
