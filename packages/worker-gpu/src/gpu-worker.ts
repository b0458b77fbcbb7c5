import { TrainingWorker, type TrainingWorkerOptions } from '@blazefleet/worker-cpu';
import { listGpus, readGpuMetrics } from './gpu-devices.js';
import { BLAZINGTEXT_GPU_TRIAL } from './package-files.js';

export type GpuWorkerOptions = Omit<TrainingWorkerOptions, 'pool' | 'trialScripts' | 'gpus' | 'deviceMetrics'>;

/**
 * A worker of the gpu pool: takes the jobs of GPU instance types (ml.p*, ml.g*), one trial per GPU of this host (each
 * with CUDA_VISIBLE_DEVICES set to its own; one trial when nvidia-smi finds none), trains BlazingText's cbow, skipgram
 * and supervised on tensors, and records each trial's GPU memory and utilization as metrics of its job.
 */
export async function startGpuWorker(options: GpuWorkerOptions): Promise<TrainingWorker> {
  const gpus = await listGpus();
  const concurrency = options.concurrency ?? Math.max(1, gpus.length);
  options.log.info(
    { gpus, concurrency },
    gpus.length === 0 ? 'no GPU found (nvidia-smi): trials run on the best TensorFlow.js backend present' : `${gpus.length} GPU(s): one trial each`,
  );
  return TrainingWorker.start({
    ...options,
    pool: 'gpu',
    concurrency,
    trialScripts: { blazingtext: BLAZINGTEXT_GPU_TRIAL },
    gpus,
    deviceMetrics: readGpuMetrics,
  });
}
