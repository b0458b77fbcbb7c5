import { afterAll, describe, expect, it } from 'vitest';
import { seededRandom } from '../../algorithms/src/testing/seeded-random.js';
import { numberedWords, randomWordVectors } from '../../algorithms/src/testing/test-vectors.js';
import { NeighbourSearch } from './neighbour-search.js';

const random = seededRandom(11);
const vectors = randomWordVectors(numberedWords(2000), 24, () => random() - 0.5);
const serial = new NeighbourSearch(vectors.matrix, vectors.dim);
const parallel = new NeighbourSearch(vectors.matrix, vectors.dim, { parallelAboveRows: 0, threads: 3 });
afterAll(() => parallel.close());

describe('NeighbourSearch', () => {
  it('searches on the calling thread up to the threshold, on threads above it', () => {
    expect(serial.threads).toBe(0);
    expect(parallel.threads).toBe(3);
  });

  it('finds what WordVectors.mostSimilar finds, on one thread and split across three', async () => {
    for (const [positive, negative] of [[['w1'], []], [['w5', 'w9'], ['w40']], [['w1999'], ['w0']]] as const) {
      const expected = vectors.mostSimilar([...positive], [...negative], 15);
      const query = vectors.similarityQuery(positive, negative)!;
      for (const search of [serial, parallel]) {
        const ranked = await search.nearest(query.vector, 15 + query.excludedRows.length);
        expect(vectors.similarWords(ranked, query.excludedRows, 15)).toEqual(expected);
      }
    }
  });

  it('answers concurrent queries each with its own rows, and no more rows than there are', async () => {
    const queries = ['w3', 'w300', 'w1000', 'w1500'].map((word) => vectors.similarityQuery([word])!.vector);
    const answers = await Promise.all(queries.map((query) => parallel.nearest(query, 5)));
    expect(answers.map((ranked) => vectors.words[ranked[0]!.row])).toEqual(['w3', 'w300', 'w1000', 'w1500']);
    expect(await parallel.nearest(queries[0]!, 5000)).toHaveLength(2000);
  });

  it('refuses queries once closed', async () => {
    const closing = new NeighbourSearch(vectors.matrix, vectors.dim, { parallelAboveRows: 0, threads: 2 });
    await closing.close();
    await expect(closing.nearest(vectors.similarityQuery(['w1'])!.vector, 3)).rejects.toThrow(/stopped/);
  });
});
