import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { temporaryDirectory } from '../../algorithms/src/testing/temporary-directory.js';
import { listGpus, readGpuMetrics } from './gpu-devices.js';

const directory = temporaryDirectory('gpu-devices-');
const path = process.env.PATH;

/** An nvidia-smi on PATH that answers as one with two GPUs does (its arguments are checked). */
function fakeNvidiaSmi(): void {
  const script = join(directory, 'nvidia-smi');
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      'case "$*" in',
      '  "--query-gpu=index --format=csv,noheader") printf "0\\n1\\n" ;;',
      '  "--query-gpu=memory.used,utilization.gpu --format=csv,noheader,nounits -i 1") printf "2048, 87\\n" ;;',
      '  *) echo "unexpected: $*" >&2; exit 9 ;;',
      'esac',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  process.env.PATH = `${directory}:${path}`;
}

afterEach(() => {
  process.env.PATH = path;
});

describe('GPU devices', () => {
  it("lists nvidia-smi's GPUs, or those of CUDA_VISIBLE_DEVICES, and reads a GPU's memory and utilization", async () => {
    fakeNvidiaSmi();
    expect(await listGpus({})).toEqual(['0', '1']);
    expect(await listGpus({ CUDA_VISIBLE_DEVICES: '2, 3' })).toEqual(['2', '3']);
    expect(await listGpus({ CUDA_VISIBLE_DEVICES: '-1' })).toEqual([]);
    expect(await readGpuMetrics('1')).toEqual([
      { name: 'gpu:memory_used_mib', value: 2048 },
      { name: 'gpu:utilization_percent', value: 87 },
    ]);
    expect(await readGpuMetrics('0')).toEqual([]);
  });

  it('finds no GPU and no readings without nvidia-smi', async () => {
    process.env.PATH = directory.replace(/$/, '-none');
    expect(await listGpus({})).toEqual([]);
    expect(await readGpuMetrics('0')).toEqual([]);
  });
});
