import type { ModelReplicas } from '../word2vec/trainer.js';
import { RingAllReduce, type RingAllReduceOptions } from './ring-allreduce.js';

/** Corpus positions each replica trains between two syncs (of the frequent words' rows; of the whole model less often). */
export const DEFAULT_SYNC_POSITIONS = 1 << 16;

export interface ReplicaRing extends ModelReplicas {
  /** Bytes this host sent to synchronize so far. */
  readonly bytesSent: number;
  /** Every host's payload, by rank (see RingAllReduce.allGather); call it on every host before training, if at all. */
  allGather(payload: Uint8Array): Promise<Uint8Array[]>;
  close(): void;
}

/** Connects this host to the others of a distributed job; its replicas synchronize the model over a ring all-reduce. */
export async function connectReplicaRing(options: RingAllReduceOptions & { syncPositions?: number }): Promise<ReplicaRing> {
  const ring = await RingAllReduce.connect(options);
  // The model at the last sync (the same on every host): each replica sends what it changed since, and all add up every
  // replica's changes (Hogwild across hosts). A plain mean of the models would halve each host's steps and measured far
  // lower mean_rho.
  let base: Float32Array | undefined;
  let sums = new Float32Array(0);
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
        const n = end - start;
        if (sums.length < n) sums = new Float32Array(n);
        const summed = sums.subarray(0, n);
        for (let i = 0; i < n; i++) summed[i] = values[start + i]! - base[start + i]!;
        await ring.sum(summed);
        // The common model, bit for bit on every host.
        for (let i = 0; i < n; i++) values[start + i] = base[start + i]! += summed[i]!;
      }
    },
    get bytesSent() {
      return ring.bytesSent;
    },
    allGather: (payload) => ring.allGather(payload),
    close: () => ring.close(),
  };
}
