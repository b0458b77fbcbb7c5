import { describe, expect, it } from 'vitest';
import { mapConcurrently } from './bounded-concurrency.js';

const tick = (): Promise<void> => new Promise((wake) => setImmediate(wake));

describe('mapConcurrently', () => {
  it('returns results in item order while running at most `limit` tasks at once', async () => {
    let running = 0;
    let most = 0;
    const results = await mapConcurrently([5, 1, 4, 2, 3, 0, 6], 3, async (item) => {
      most = Math.max(most, ++running);
      for (let i = 0; i < item; i++) await tick();
      running--;
      return item * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it('starts nothing after a failure and throws once the running tasks have settled', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const run = mapConcurrently([0, 1, 2, 3, 4, 5], 2, async (item) => {
      started.push(item);
      if (item === 1) throw new Error('task 1 failed');
      for (let i = 0; i < 3; i++) await tick();
      finished.push(item);
    });
    await expect(run).rejects.toThrow('task 1 failed');
    expect(started).toEqual([0, 1]);
    expect(finished).toEqual([0]);
  });
});
