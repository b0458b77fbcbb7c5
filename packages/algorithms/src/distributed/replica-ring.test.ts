import { join } from 'node:path';
import { parseWord2VecHyperparameters } from '@blazefleet/core';
import { describe, expect, it } from 'vitest';
import { readCorpus } from '../corpus.js';
import { writeTopicCorpus } from '../testing/corpus-files.js';
import { temporaryDirectory } from '../testing/temporary-directory.js';
import { trainWord2Vec } from '../word2vec/trainer.js';
import { loopbackHosts } from './loopback-hosts.js';
import { connectReplicaRing } from './replica-ring.js';

const work = temporaryDirectory('replica-ring-test-');
const TOPICS = [
  ['king', 'queen', 'prince', 'royal', 'palace', 'crown', 'throne', 'castle'],
  ['car', 'engine', 'wheel', 'road', 'driver', 'fuel', 'truck', 'garage'],
];
writeTopicCorpus(join(work, 'topics.txt'), { seed: 7, lines: 3000, wordsPerLine: 12, wordsOfLine: (line) => TOPICS[line % 2]! });
const corpus = await readCorpus(join(work, 'topics.txt'), { minCount: 1 });
const hyperparameters = parseWord2VecHyperparameters({ mode: 'batch_skipgram', vector_dim: 20, epochs: 2, sampling_threshold: 0.01 });

describe('replicas synchronized over a ring', () => {
  it.each([2, 3])('%i replicas end with the same model, which tells the topics apart', async (count) => {
    const hosts = await loopbackHosts(count);
    const rings = await Promise.all(hosts.map((_, rank) => connectReplicaRing({ rank, hosts, syncPositions: 5000 })));
    try {
      const trained = await Promise.all(rings.map((replicas) => trainWord2Vec({ corpus, hyperparameters, threads: 1, seed: 3, replicas })));
      for (const other of trained.slice(1)) {
        expect(Buffer.from(other.input.buffer, other.input.byteOffset, other.input.byteLength).equals(Buffer.from(trained[0]!.input.buffer, trained[0]!.input.byteOffset, trained[0]!.input.byteLength))).toBe(true);
        expect(Array.from(other.output)).toEqual(Array.from(trained[0]!.output));
      }
      const similarity = (a: string, b: string) => trained[0]!.vectors.similarity(a, b)!;
      const margin = 0.3;
      expect(similarity('king', 'queen')).toBeGreaterThan(similarity('king', 'engine') + margin);
      expect(similarity('car', 'truck')).toBeGreaterThan(similarity('car', 'palace') + margin);
      // 36 000 positions in 5000-position parts per replica: several synchronizations per epoch.
      const partsPerEpoch = Math.round(corpus.tokens.length / count / 5000);
      expect(partsPerEpoch).toBeGreaterThan(1);
      expect(rings[0]!.bytesSent).toBeGreaterThan(2 * partsPerEpoch * trained[0]!.output.byteLength);
    } finally {
      for (const ring of rings) ring.close();
    }
  });
});
