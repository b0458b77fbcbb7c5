import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { expect } from 'vitest';

// The plain `python3` on PATH may be another interpreter without gensim; the system one has the reference packages.
const SYSTEM_PYTHON = '/usr/bin/python3';

function memoized(check: () => boolean): () => boolean {
  let result: boolean | undefined;
  return () => (result ??= check());
}

function systemPythonImports(modules: string): boolean {
  return spawnSync(SYSTEM_PYTHON, ['-c', `import ${modules}`], { stdio: 'ignore' }).status === 0;
}

/** Whether the `fasttext` command is installed. */
export const hasFastText = memoized(() => spawnSync('fasttext', [], { stdio: 'ignore' }).error === undefined);
/** Whether the system Python has gensim. */
export const hasGensim = memoized(() => systemPythonImports('gensim'));
/** Whether the system Python has scipy and numpy. */
export const hasScipy = memoized(() => systemPythonImports('scipy, numpy'));

/** Runs a Python script with the system Python; `args` are its sys.argv[1:]. */
export function runSystemPython(script: string, args: string[] = []): SpawnSyncReturns<string> {
  return spawnSync(SYSTEM_PYTHON, ['-c', script, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
}

/** Words and every value, row by row, as gensim's KeyedVectors.load_word2vec_format reads them from a file. */
export function loadWithGensim(path: string, format: 'text' | 'binary'): { words: string[]; values: number[] } {
  const script = [
    'import json, sys',
    'from gensim.models import KeyedVectors',
    "kv = KeyedVectors.load_word2vec_format(sys.argv[1], binary=sys.argv[2] == 'binary')",
    'print(json.dumps({"words": list(kv.index_to_key), "values": [float(x) for x in kv.vectors.ravel()]}))',
  ].join('\n');
  const run = runSystemPython(script, [path, format]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as { words: string[]; values: number[] };
}

/** Trains with the fasttext tool in `directory`; `args` start with the command (skipgram, supervised, ...). */
export function trainFastText(directory: string, args: string[]): void {
  // -thread 2: fastText 0.9.2 initializes only a tenth of the input matrix with one thread; rows must differ.
  execFileSync('fasttext', [...args, '-thread', '2'], { cwd: directory, stdio: 'ignore' });
}

/** What the fasttext tool prints, as rows of space-separated fields. */
export function fastTextRows(args: string[], options: { cwd?: string; input?: string } = {}): string[][] {
  return execFileSync('fasttext', args, { ...options, encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/ +/));
}
