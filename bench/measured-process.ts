import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface MeasuredRun {
  seconds: number;
  peakRssMiB: number;
  /** Empty unless asked for. */
  stdout: string;
}

/** Runs a command to completion, sampling the process's peak RSS (VmHWM) until it exits; stdout is kept only when asked. */
export async function measuredRun(command: string, argv: string[], options: { keepStdout?: boolean } = {}): Promise<MeasuredRun> {
  const started = performance.now();
  const child = spawn(command, argv, { stdio: ['ignore', options.keepStdout ? 'pipe' : 'ignore', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => void (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => void (stderr = (stderr + d.toString()).slice(-4000)));
  let peakKiB = 0;
  const sample = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
    } catch {
      // the process has just exited
    }
  };
  const poll = setInterval(sample, 100);
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`${command} ${argv.join(' ')} exited ${code}:\n${stderr}`);
  return { seconds, peakRssMiB: peakKiB / 1024, stdout };
}

/** The installed fastText's Debian package version, for the records of reference runs. */
export function fastTextVersion(): string {
  try {
    return execFileSync('dpkg-query', ['-W', '-f', '${Version}', 'fasttext']).toString().trim();
  } catch {
    return 'unknown';
  }
}
