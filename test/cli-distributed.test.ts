import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../packages/algorithms/src/testing/temporary-directory.js';
import { blazefleet, jsonRecords, writeTinyCorpus } from './blazefleet-cli.js';

const dir = temporaryDirectory('blazefleet-cli-distributed-');
const corpus = join(dir, 'tiny.txt');
writeTinyCorpus(corpus, 2000);

/** The vectors digest each rank logs after training. */
function digestOf(records: Record<string, unknown>[]): unknown {
  return records.find((record) => typeof record.vectorsSha256 === 'string')?.vectorsSha256;
}

describe('blazefleet train --instance_count', () => {
  it('trains batch_skipgram as 2 local hosts with the same model on both, written once by rank 0', () => {
    const output = join(dir, 'out');
    const run = blazefleet(['train', '--mode', 'batch_skipgram', '--instance_count', '2', '--threads', '1', '--train', corpus, '--output', output, '--min_count', '1', '--epochs', '2', '--log-format', 'json']);
    expect(run.stderr.split('\n').filter((line) => !line.startsWith('[rank 1] ') && line !== '')).toEqual([]);
    expect(run.code).toBe(0);
    const rank0 = jsonRecords(run.stdout);
    const rank1 = jsonRecords(run.stderr.split('\n').map((line) => line.replace(/^\[rank 1\] /, '')).join('\n'));
    const messages = rank0.map((record) => record.msg);
    expect(messages).toContain('Running distributed CPU BlazingText-style training using batch_skipgram on 2 hosts');
    expect(messages.filter((message) => typeof message === 'string' && /^Host 127\.0\.0\.1:\d+: rank [01]$/.test(message))).toHaveLength(2);
    expect(messages.some((message) => typeof message === 'string' && /^Trained on 2 hosts: \d+ words\/s for the whole job/.test(message))).toBe(true);
    expect(digestOf(rank0)).toMatch(/^[0-9a-f]{64}$/);
    expect(digestOf(rank1)).toBe(digestOf(rank0));
    expect(readdirSync(output).sort()).toEqual(['eval.json', 'model.tar.gz', 'vectors.bin', 'vectors.txt']);
  });

  it('refuses instance_count > 1 for modes other than batch_skipgram, as BlazingText', () => {
    const run = blazefleet(['train', '--mode', 'skipgram', '--instance_count', '2', '--train', corpus, '--output', join(dir, 'refused'), '--log-format', 'json']);
    expect(run.code).toBe(2);
    expect(run.stderr + run.stdout).toContain('--instance_count 2: only --mode batch_skipgram trains on several hosts');
  });
});
