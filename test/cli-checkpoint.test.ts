import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, jsonRecords, repoRoot, writeTinyCorpus } from './blazefleet-cli.js';

const dir = temporaryDirectory('blazefleet-cli-checkpoint-');
const corpus = join(dir, 'corpus.txt');
// sampling_threshold 1 keeps every token of the small vocabulary, so that an epoch of 40,000 lines takes a moment.
writeTinyCorpus(corpus, 40_000);

const checkpointDir = join(dir, 'checkpoints');
const outputDir = join(dir, 'out');
const ARGS = [
  'train',
  ...['--mode', 'skipgram', '--train', corpus, '--output', outputDir, '--checkpoint_dir', checkpointDir],
  ...['--epochs', '8', '--min_count', '1', '--vector_dim', '10', '--sampling_threshold', '1', '--evaluation', 'false'],
  ...['--threads', '1', '--log-format', 'json'],
];

function savedEpochs(): number[] {
  if (!existsSync(checkpointDir)) return [];
  return readdirSync(checkpointDir).map((name) => Number(/^epoch-(\d+)$/.exec(name)?.[1] ?? Number.NaN));
}

describe('blazefleet train --checkpoint_dir', () => {
  it('stops cleanly on SIGTERM keeping the last epoch saved, and a second run resumes after it and finishes', async () => {
    const child = spawn(process.execPath, [join(repoRoot, 'packages', 'sdk', 'bin', 'blazefleet.js'), ...ARGS], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let running = true;
    void exited.then(() => (running = false));
    while (running && !savedEpochs().some((epoch) => epoch >= 2)) await sleep(20);
    expect(running, `the run ended before its second checkpoint: ${stderr}`).toBe(true);
    child.kill('SIGTERM');

    expect(await exited).toBe(130);
    expect(stderr).toMatch(/^error: interrupted$/m);
    const [saved, ...others] = savedEpochs();
    expect(others).toEqual([]);
    expect(saved).toBeGreaterThanOrEqual(2);
    expect(saved).toBeLessThan(8);
    expect(existsSync(outputDir)).toBe(false);

    const rerun = blazefleet(ARGS);
    expect(rerun.code, rerun.stderr).toBe(0);
    const records = jsonRecords(rerun.stdout);
    expect(records.find((record) => typeof record.msg === 'string' && record.msg.startsWith('Resumed'))).toMatchObject({
      msg: `Resumed from checkpoint after epoch ${saved} of 8`,
      checkpoint: join(checkpointDir, `epoch-${saved}`),
      completedEpochs: saved,
      epochs: 8,
    });
    expect(records.filter((record) => record.msg === 'Checkpoint written after epoch 1')).toEqual([]);
    expect(savedEpochs()).toEqual([8]);
    expect(readdirSync(outputDir).sort()).toEqual(['model.tar.gz', 'vectors.bin', 'vectors.txt']);
  });
});

describe('blazefleet train --train DIR', () => {
  it('reads the files of a directory as one corpus, and names an empty directory', () => {
    const channel = join(dir, 'channel');
    mkdirSync(join(channel, 'part'), { recursive: true });
    const lines = readFileSync(corpus, 'utf8').split('\n').slice(0, 400);
    writeFileSync(join(channel, 'a.txt'), `${lines.slice(0, 200).join('\n')}\n`);
    writeFileSync(join(channel, 'part', 'b.txt'), `${lines.slice(200).join('\n')}\n`);
    writeFileSync(join(channel, '.manifest'), 'not data');
    const run = blazefleet(['train', '--mode', 'cbow', '--train', channel, '--output', join(dir, 'from-channel'), '--min_count', '1', '--vector_dim', '10', '--epochs', '1', '--threads', '1', '--log-format', 'json']);
    expect(run.code, run.stderr).toBe(0);
    expect(jsonRecords(run.stdout).find((record) => record.msg === 'Read 4800 words')).toBeDefined();

    const empty = join(dir, 'empty-channel');
    mkdirSync(empty);
    const failed = blazefleet(['train', '--mode', 'cbow', '--train', empty, '--output', join(dir, 'never'), '--log-format', 'text']);
    expect(failed.code).toBe(2);
    expect(failed.stderr).toContain(`error: ${empty}: is a directory without input files`);
  });
});
