import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeLines } from '../packages/algorithms/src/testing/corpus-files.js';

/** Spawns the built `blazefleet` command line the way users run it, from the repository root. */

export const repoRoot = fileURLToPath(new URL('..', import.meta.url));
const bin = join(repoRoot, 'packages', 'sdk', 'bin', 'blazefleet.js');

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export const blazefleetBin = bin;

export function blazefleet(args: string[], options: { input?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  if (!existsSync(join(repoRoot, 'packages', 'sdk', 'dist', 'bundle', 'blazefleet.js'))) {
    throw new Error('packages/sdk/dist/bundle/blazefleet.js is missing: build first (npm run build)');
  }
  const env = { ...process.env, ...options.env };
  delete env.BLAZEFLEET_DEBUG;
  const result = spawnSync(process.execPath, [bin, ...args], {
    cwd: repoRoot,
    env,
    input: options.input ?? '',
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A file of the shared data sets, or undefined when they are not installed. */
export function sharedData(relative: string): string | undefined {
  const path = join(repoRoot, '..', 'shared', 'data', relative);
  return existsSync(path) ? path : undefined;
}

const TOPICS = [
  ['king', 'queen', 'prince', 'royal', 'palace', 'crown'],
  ['car', 'road', 'drive', 'engine', 'wheel', 'truck'],
  ['cat', 'dog', 'animal', 'pet', 'tiger', 'horse'],
  ['money', 'bank', 'cash', 'stock', 'market', 'price'],
];

/** A small corpus with topical sentences, from a fixed-seed generator so every run gets the same file. */
export function writeTinyCorpus(path: string, lines = 400): void {
  let state = 12345;
  const next = (n: number): number => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return (state >>> 8) % n;
  };
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const topic = TOPICS[next(TOPICS.length)]!;
    const words: string[] = [];
    for (let j = 0; j < 12; j++) words.push(next(5) === 0 ? TOPICS[next(TOPICS.length)]![next(6)]! : topic[next(topic.length)]!);
    out.push(words.join(' '));
  }
  writeLines(path, out);
}

/** JSON log lines of stdout; throws on a line that is not JSON. */
export function jsonRecords(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
