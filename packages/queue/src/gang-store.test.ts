import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetKeys } from './fleet-keys.js';
import { GangStore } from './gang-store.js';
import { testFleet } from './testing/test-fleet.js';

let redis: Redis;
let keys: FleetKeys;
let cleanup: () => Promise<void>;
let gangs: GangStore;

beforeAll(async () => {
  ({ redis, keys, cleanup } = await testFleet('gangs'));
  gangs = new GangStore(redis, keys);
});
afterAll(() => cleanup());

describe('GangStore', () => {
  it('admits one assembling gang per pool at a time; its holder may renew it, and releasing lets the next in', async () => {
    expect(await gangs.admit('cpu', 'job-a', 10_000)).toBe(true);
    expect(await gangs.admit('cpu', 'job-b', 10_000)).toBe(false);
    expect(await gangs.admit('gpu', 'job-b', 10_000)).toBe(true);
    expect(await gangs.admit('cpu', 'job-a', 10_000)).toBe(true);
    expect(await gangs.admitted('cpu')).toBe('job-a');
    await gangs.releaseAdmission('cpu', 'job-b');
    expect(await gangs.admitted('cpu')).toBe('job-a');
    await gangs.releaseAdmission('cpu', 'job-a');
    expect(await gangs.admit('cpu', 'job-b', 10_000)).toBe(true);
    await gangs.releaseAdmission('cpu', 'job-b');
    await gangs.releaseAdmission('gpu', 'job-b');
  });

  it('lets an admission lapse when its holder stops renewing it', async () => {
    expect(await gangs.admit('cpu', 'lapsing', 50)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await gangs.admit('cpu', 'next', 10_000)).toBe(true);
    await gangs.releaseAdmission('cpu', 'next');
  });

  it('records who joins at which address, each rank once, and starts only the current attempt', async () => {
    await gangs.open('job-c', 'attempt-1', 3, { worker: 'w0', address: '10.0.0.1:7000' });
    expect(await gangs.join('job-c', 'attempt-1', 2, 'w2', '10.0.0.3:7000')).toBe(2);
    expect(await gangs.join('job-c', 'attempt-1', 2, 'w9', '10.0.0.9:7000')).toBeUndefined();
    expect(await gangs.join('job-c', 'attempt-1', 0, 'w9', '10.0.0.9:7000')).toBeUndefined();
    expect(await gangs.join('job-c', 'attempt-1', 3, 'w9', '10.0.0.9:7000')).toBeUndefined();
    expect(await gangs.join('job-c', 'attempt-0', 1, 'w1', '10.0.0.2:7000')).toBeUndefined();
    expect(await gangs.join('job-c', 'attempt-1', 1, 'w1', '10.0.0.2:7000')).toBe(3);
    expect(await gangs.start('job-c', 'attempt-0')).toBe(false);
    expect(await gangs.start('job-c', 'attempt-1')).toBe(true);
    expect(await gangs.read('job-c')).toEqual({
      attempt: 'attempt-1',
      size: 3,
      state: 'running',
      addresses: ['10.0.0.1:7000', '10.0.0.2:7000', '10.0.0.3:7000'],
      workers: ['w0', 'w1', 'w2'],
    });
    expect(await gangs.join('job-c', 'attempt-1', 1, 'w1', '10.0.0.2:7000')).toBeUndefined();
  });

  it('aborts an assembling or running gang with its reason; a new attempt replaces it and an old abort changes nothing', async () => {
    await gangs.open('job-d', 'attempt-1', 2, { worker: 'w0', address: '10.0.0.1:7000' });
    await gangs.abort('job-d', 'attempt-1', 'algo-2 failed');
    expect(await gangs.read('job-d')).toMatchObject({ state: 'aborted', reason: 'algo-2 failed' });
    expect(await gangs.join('job-d', 'attempt-1', 1, 'w1', '10.0.0.2:7000')).toBeUndefined();
    await gangs.open('job-d', 'attempt-2', 2, { worker: 'w1', address: '10.0.0.2:7000' });
    await gangs.abort('job-d', 'attempt-1', 'late');
    const gang = await gangs.read('job-d');
    expect(gang).toMatchObject({ attempt: 'attempt-2', state: 'assembling', addresses: ['10.0.0.2:7000', undefined] });
    expect(gang?.reason).toBeUndefined();
    expect(await gangs.read('no-such-job')).toBeUndefined();
  });
});
