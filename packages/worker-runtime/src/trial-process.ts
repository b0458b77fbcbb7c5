import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { LineSplitter } from './line-splitter.js';
import { trialScriptPath } from './package-files.js';

/** How a trial process ended. */
export type TrialExit =
  | { kind: 'exited'; exitCode: number | null; signal: NodeJS.Signals | null }
  /** The command could not be started (no such file, not executable). */
  | { kind: 'not-started'; error: string }
  /** The supervisor itself ended before it could say how the trial did (killed from outside). */
  | { kind: 'supervisor-lost'; exitCode: number | null; signal: NodeJS.Signals | null };

export interface TrialProcessOptions {
  command: readonly string[];
  cwd: string;
  env: Record<string, string>;
  onStdoutLine: (line: string) => void;
  onStderrLine: (line: string) => void;
}

/** After the supervisor ended, how long its output pipes may stay open (held by a process that left the group). */
const PIPE_DRAIN_MS = 5_000;

/**
 * The trial's command, run through this package's supervisor (trial-supervisor.ts) in a process group of its own,
 * which dies with this process. Output arrives line by line; `exited` resolves once the trial ended and its output
 * was read.
 */
export class TrialProcess {
  readonly exited: Promise<TrialExit>;
  /** The trial's own pid (its process group's id), once it started. */
  pid: number | undefined;
  private readonly supervisor: ChildProcess;
  private signalled = false;
  private graceTimer: NodeJS.Timeout | undefined;

  constructor(options: TrialProcessOptions) {
    this.supervisor = spawn(process.execPath, [trialScriptPath('trial-supervisor'), ...options.command], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    });
    // Writing to a supervisor that already ended fails with EPIPE: nothing is left to control then.
    this.supervisor.stdin!.on('error', () => {});
    this.exited = this.watch(options);
  }

  /** Whether this process asked the trial to end (SIGTERM or SIGKILL); a signal from anyone else is not ours. */
  get stopRequested(): boolean {
    return this.signalled;
  }

  /** SIGTERM to the trial's group, then SIGKILL after `graceSeconds` unless it ended (at once when 0). */
  terminate(graceSeconds: number): void {
    if (this.signalled) return;
    this.signalled = true;
    if (graceSeconds <= 0) {
      this.send('KILL');
      return;
    }
    this.send('TERM');
    this.graceTimer = setTimeout(() => this.send('KILL'), graceSeconds * 1000);
  }

  /** SIGKILL to the trial's group through the supervisor closing its input; for giving up on the trial. */
  kill(): void {
    this.signalled = true;
    this.supervisor.stdin!.end();
  }

  private send(command: 'TERM' | 'KILL'): void {
    if (this.supervisor.stdin!.writable) this.supervisor.stdin!.write(`${command}\n`);
  }

  private async watch(options: TrialProcessOptions): Promise<TrialExit> {
    let result: TrialExit | undefined;
    const status = new LineSplitter((line) => {
      let message: { pid?: number; exitCode?: number | null; signal?: NodeJS.Signals | null; error?: string };
      try {
        message = JSON.parse(line) as typeof message;
      } catch {
        return;
      }
      if (message.pid !== undefined) this.pid = message.pid;
      else if (message.error !== undefined) result = { kind: 'not-started', error: message.error };
      else result = { kind: 'exited', exitCode: message.exitCode ?? null, signal: message.signal ?? null };
    });
    const stdout = new LineSplitter(options.onStdoutLine);
    const stderr = new LineSplitter(options.onStderrLine);
    const streams: [Readable, LineSplitter][] = [
      [this.supervisor.stdio[3] as Readable, status],
      [this.supervisor.stdout!, stdout],
      [this.supervisor.stderr!, stderr],
    ];
    const drained = streams.map(
      ([stream, splitter]) =>
        new Promise<void>((resolve) => {
          stream.on('data', (chunk: Buffer) => splitter.write(chunk));
          stream.once('close', () => {
            splitter.end();
            resolve();
          });
        }),
    );
    const supervisorExit = await new Promise<{ exitCode: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      this.supervisor.once('error', () => resolve({ exitCode: null, signal: null }));
      this.supervisor.once('exit', (exitCode, signal) => resolve({ exitCode, signal }));
    });
    clearTimeout(this.graceTimer);
    await Promise.race([Promise.all(drained), new Promise((resolve) => setTimeout(resolve, PIPE_DRAIN_MS).unref())]);
    for (const [stream] of streams) stream.destroy();
    if (result !== undefined) return result;
    // The supervisor died without reporting: its group of the trial may be running still.
    if (this.pid !== undefined) {
      try {
        process.kill(-this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    return { kind: 'supervisor-lost', ...supervisorExit };
  }
}
