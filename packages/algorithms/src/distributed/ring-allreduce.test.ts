import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../package-files.js';
import { seededRandom } from '../testing/seeded-random.js';
import { loopbackHosts } from './loopback-hosts.js';
import { PeerLostError } from './peer-lost-error.js';
import { RingAllReduce, parseHostAddress } from './ring-allreduce.js';

async function connectRing(size: number, timeouts: { connectTimeoutMs?: number; stepTimeoutMs?: number } = {}): Promise<RingAllReduce[]> {
  const hosts = await loopbackHosts(size);
  return Promise.all(hosts.map((_, rank) => RingAllReduce.connect({ rank, hosts, ...timeouts })));
}

function randomArrays(count: number, length: number, seed: number): Float32Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => Float32Array.from({ length }, () => random() * 2 - 1));
}

/** The exact sum in float64; the ring adds in float32, so results are compared with a tolerance. */
function localSum(arrays: Float32Array[]): Float64Array {
  const sum = new Float64Array(arrays[0]!.length);
  for (const array of arrays) for (let i = 0; i < array.length; i++) sum[i]! += array[i]!;
  return sum;
}

describe('RingAllReduce', () => {
  it.each([2, 3])('sums arrays element-wise over %i hosts, for lengths not divisible by N and repeated calls', async (size) => {
    const ring = await connectRing(size);
    try {
      for (const [call, length] of [1, 7, 1000, 100_003, 5].entries()) {
        const arrays = randomArrays(size, length, 10 * size + call);
        const expected = localSum(arrays);
        await Promise.all(ring.map((host, rank) => host.sum(arrays[rank]!)));
        for (const array of arrays) {
          expect(array.length).toBe(length);
          for (let i = 0; i < length; i++) expect(Math.abs(array[i]! - expected[i]!)).toBeLessThan(1e-5);
        }
        // Every host ends with the same bits, not only close values.
        for (const array of arrays.slice(1)) expect(Buffer.from(array.buffer).equals(Buffer.from(arrays[0]!.buffer))).toBe(true);
      }
      expect(ring[0]!.bytesSent).toBeGreaterThan(0);
    } finally {
      for (const host of ring) host.close();
    }
  });

  it('leaves the array as it is on one host', async () => {
    const [host] = await connectRing(1);
    const values = Float32Array.of(1, 2, 3);
    await host!.sum(values);
    expect(Array.from(values)).toEqual([1, 2, 3]);
  });

  it('fails promptly, naming the host, when a peer process is killed', async () => {
    const hosts = await loopbackHosts(3);
    const peer = spawn(process.execPath, [
      '--input-type=module',
      '-e',
      `const { RingAllReduce } = await import(${JSON.stringify(packageFile('dist', 'distributed', 'ring-allreduce.js'))});
       const ring = await RingAllReduce.connect({ rank: 2, hosts: ${JSON.stringify(hosts)} });
       await ring.sum(new Float32Array(10));
       process.stdout.write('summed\\n');
       setInterval(() => {}, 1000);`,
    ]);
    try {
      const ring = await Promise.all([0, 1].map((rank) => RingAllReduce.connect({ rank, hosts, stepTimeoutMs: 60_000 })));
      await Promise.all(ring.map((host) => host.sum(new Float32Array(10))));
      await new Promise((resolve) => peer.stdout.once('data', resolve));
      peer.kill('SIGKILL');
      const started = Date.now();
      const results = await Promise.allSettled(ring.map((host) => host.sum(new Float32Array(10))));
      expect(Date.now() - started).toBeLessThan(5000);
      for (const result of results) {
        expect(result.status).toBe('rejected');
        const error = (result as PromiseRejectedResult).reason as PeerLostError;
        expect(error).toBeInstanceOf(PeerLostError);
        expect(error.rank).toBe(2);
        expect(error.message).toContain(`lost host ${hosts[2]} (rank 2)`);
      }
    } finally {
      peer.kill('SIGKILL');
    }
  });

  it('fails after the step timeout, naming the host it waited for, when a peer stops answering', async () => {
    const ring = await connectRing(2, { stepTimeoutMs: 200 });
    const started = Date.now();
    await expect(ring[0]!.sum(new Float32Array(4))).rejects.toThrow(new RegExp(`lost host ${ring[1]!.hosts[1]} \\(rank 1\\): no data within 200 ms`));
    expect(Date.now() - started).toBeLessThan(2000);
    ring[1]!.close();
  });

  it('fails the connect after the connect timeout, naming the host that never came', async () => {
    const hosts = await loopbackHosts(2);
    await expect(RingAllReduce.connect({ rank: 0, hosts, connectTimeoutMs: 300 })).rejects.toThrow(`lost host ${hosts[1]} (rank 1)`);
  });

  it('rejects malformed host addresses and ranks, naming the field', async () => {
    expect(() => parseHostAddress('localhost', 1)).toThrow('hosts[1]: expected host:port, got "localhost"');
    expect(parseHostAddress('[::1]:80', 0)).toEqual({ host: '::1', port: 80 });
    await expect(RingAllReduce.connect({ rank: 2, hosts: ['127.0.0.1:1', '127.0.0.1:2'] })).rejects.toThrow('rank: expected an integer in [0, 2), got 2');
  });
});
