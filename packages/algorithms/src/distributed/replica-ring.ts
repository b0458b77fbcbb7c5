import type { ModelReplicas } from '../word2vec/trainer.js';
import { RingAllReduce, type RingAllReduceOptions } from './ring-allreduce.js';

/** Corpus positions per replica between two syncs of the whole model; not tuned yet (see bench/distributed.ts). */
export const DEFAULT_SYNC_POSITIONS = 1 << 16;

export interface ReplicaRing extends ModelReplicas {
  /** Bytes this host sent to synchronize so far. */
  readonly bytesSent: number;
  close(): void;
}

/** Connects this host to the others of a distributed job; its replicas synchronize the model over a ring all-reduce. */
export async function connectReplicaRing(options: RingAllReduceOptions & { syncPositions?: number }): Promise<ReplicaRing> {
  const ring = await RingAllReduce.connect(options);
  // The model at the last sync: each replica sends what it changed since, and all add up every replica's changes
  // (Hogwild across hosts). A plain mean of the models would halve each host's steps and measured far lower mean_rho.
  let base: Float32Array | undefined;
  return {
    index: ring.rank,
    count: ring.size,
    syncPositions: options.syncPositions ?? DEFAULT_SYNC_POSITIONS,
    async synchronize(values, ranges = [[0, values.length]]) {
      if (base === undefined) {
        // The first call, before training: the models are the same everywhere (one seed), so there is nothing to send.
        base = values.slice();
        return;
      }
      for (const [start, end] of ranges) {
        const part = values.subarray(start, end);
        for (let i = start; i < end; i++) values[i]! -= base[i]!;
        await ring.sum(part);
        for (let i = start; i < end; i++) values[i]! += base[i]!;
        base.set(part, start);
      }
    },
    get bytesSent() {
      return ring.bytesSent;
    },
    close: () => ring.close(),
  };
}
