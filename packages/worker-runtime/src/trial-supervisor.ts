// Runs the trial (the command in the arguments) in a process group of its own and ends that group when its parent
// goes away, so that a trial never outlives the worker that runs it, even one killed with SIGKILL.
//
// The trial's stdout and stderr are this process's own (no copying). Protocol with the parent:
//   stdin:  lines "TERM" (SIGTERM to the group) and "KILL" (SIGKILL to the group); end of input (the parent ended
//           or gave up on the trial) is KILL.
//   fd 3:   JSON lines, {"pid":N} once the trial has started, then {"exitCode":C,"signal":S} when it ended, or
//           {"error":"..."} when it could not be started.
// When the trial's main process ends, whatever it left running in its group is killed, as a container's are.
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';

const STATUS_FD = 3;
/** How long to wait for the killed trial to be reaped before leaving anyway. */
const REAP_WAIT_MS = 10_000;

function report(message: Record<string, unknown>): void {
  try {
    writeSync(STATUS_FD, `${JSON.stringify(message)}\n`);
  } catch {
    // The parent is gone; the group is killed on end of input.
  }
}

const [command, ...args] = process.argv.slice(2);
if (command === undefined) {
  report({ error: 'no command given to the trial supervisor' });
  process.exit(1);
}

const trial = spawn(command, args, { detached: true, stdio: ['ignore', 'inherit', 'inherit'] });

function signalGroup(signal: NodeJS.Signals): void {
  if (trial.pid === undefined) return;
  try {
    process.kill(-trial.pid, signal);
  } catch {
    // The group is empty already.
  }
}

trial.once('spawn', () => report({ pid: trial.pid }));
trial.once('error', (error) => {
  report({ error: error.message });
  process.exit(0);
});
trial.once('exit', (exitCode, signal) => {
  signalGroup('SIGKILL');
  report({ exitCode, signal });
  process.exit(0);
});

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  for (let end = input.indexOf('\n'); end >= 0; end = input.indexOf('\n')) {
    const line = input.slice(0, end).trim();
    input = input.slice(end + 1);
    if (line === 'TERM') signalGroup('SIGTERM');
    else if (line === 'KILL') signalGroup('SIGKILL');
  }
});
const parentGone = (): void => {
  signalGroup('SIGKILL');
  setTimeout(() => process.exit(0), REAP_WAIT_MS).unref();
};
process.stdin.once('end', parentGone);
process.stdin.once('error', parentGone);

// A terminal's Ctrl-C reaches the worker's whole process group, this process included: the worker decides what
// happens to the trial. SIGTERM sent to this process alone is passed on.
process.on('SIGINT', () => {});
process.on('SIGHUP', () => {});
process.on('SIGTERM', () => signalGroup('SIGTERM'));
