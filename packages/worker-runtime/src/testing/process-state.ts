import { readFileSync } from 'node:fs';

/** Whether process `pid` exists and is not a zombie waiting to be reaped. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // /proc/<pid>/stat: "pid (comm) state ..."; comm may hold spaces and parentheses.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Resolves once process `pid` is gone; rejects after `patienceMs`, a bound for a hung test rather than a timing claim. */
export async function waitForProcessEnd(pid: number, patienceMs = 20_000): Promise<void> {
  const deadline = Date.now() + patienceMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) throw new Error(`process ${pid} is still running after ${patienceMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
