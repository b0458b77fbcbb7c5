import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** nvidia-smi's output for `args`; rejects when it is missing, fails or takes over 10 s. */
export async function runNvidiaSmi(args: string[]): Promise<string> {
  return (await run('nvidia-smi', args, { timeout: 10_000 })).stdout;
}

async function nvidiaSmi(args: string[]): Promise<string | undefined> {
  return runNvidiaSmi(args).catch(() => undefined);
}

/**
 * The CUDA devices this host's trials may use, one trial each: those of CUDA_VISIBLE_DEVICES when it is set, else
 * every GPU nvidia-smi lists; none without nvidia-smi.
 */
export async function listGpus(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const visible = env.CUDA_VISIBLE_DEVICES?.trim();
  if (visible !== undefined && visible !== '') return visible.split(',').map((id) => id.trim()).filter((id) => id !== '' && id !== '-1');
  const listed = await nvidiaSmi(['--query-gpu=index', '--format=csv,noheader']);
  return listed === undefined ? [] : listed.split('\n').map((line) => line.trim()).filter((line) => /^\d+$/.test(line));
}

/** The device's memory in use (MiB) and utilization (%), as metrics; none when nvidia-smi cannot tell. */
export async function readGpuMetrics(device: string): Promise<{ name: string; value: number }[]> {
  const line = await nvidiaSmi(['--query-gpu=memory.used,utilization.gpu', '--format=csv,noheader,nounits', '-i', device]);
  const [memory, utilization] = (line ?? '').trim().split(',').map((field) => Number(field.trim()));
  if (!Number.isFinite(memory) || !Number.isFinite(utilization)) return [];
  return [
    { name: 'gpu:memory_used_mib', value: memory! },
    { name: 'gpu:utilization_percent', value: utilization! },
  ];
}
