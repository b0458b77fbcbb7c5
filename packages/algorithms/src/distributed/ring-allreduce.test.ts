import { spawn } from 'node:child_process';
import { createConnection, createServer, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { packageFile } from '../package-files.js';
import { seededRandom } from '../testing/seeded-random.js';
import { loopbackHosts } from './loopback-hosts.js';
import { PeerLostError } from './peer-lost-error.js';
import { RingAllReduce, parseHostAddress, type RingAllReduceOptions } from './ring-allreduce.js';

async function connectRing(size: number, timeouts: Omit<RingAllReduceOptions, 'rank' | 'hosts'> = {}): Promise<RingAllReduce[]> {
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

/**
 * A TCP proxy to `target` (connecting as soon as it listens) that forwards both ways until drop(); then it swallows
 * all traffic and closes nothing, as a network partition does.
 */
async function partitionableProxy(target: string): Promise<{ address: string; drop(): void; close(): void }> {
  const { host, port } = parseHostAddress(target, 0);
  const sockets = new Set<Socket>();
  let dropping = false;
  const forward = (from: Socket, to: Socket) => {
    from.on('data', (chunk: Buffer) => dropping || to.write(chunk));
    from.on('close', () => dropping || to.destroy());
  };
  const server = createServer((client) => {
    sockets.add(client);
    client.on('error', () => {});
    const connectUpstream = () => {
      const upstream = createConnection({ host, port });
      upstream.once('error', () => (client.destroyed ? undefined : setTimeout(connectUpstream, 20)));
      upstream.once('connect', () => {
        sockets.add(upstream);
        upstream.on('error', () => {});
        forward(client, upstream);
        forward(upstream, client);
      });
    };
    connectUpstream();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    drop: () => (dropping = true),
    close: () => {
      server.close();
      for (const socket of sockets) socket.destroy();
    },
  };
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

  it('gathers payloads of different lengths from every host, by rank, between sums', async () => {
    const ring = await connectRing(3);
    try {
      const payloads = [new Uint8Array(0), Uint8Array.of(1, 2, 3, 4, 5), Uint8Array.from({ length: 1001 }, (_, i) => i % 251)];
      const gathered = await Promise.all(ring.map((host, rank) => host.allGather(payloads[rank]!)));
      for (const byRank of gathered) expect(byRank.map((payload) => Array.from(payload))).toEqual(payloads.map((payload) => Array.from(payload)));
      const arrays = randomArrays(3, 11, 5);
      const expected = localSum(arrays);
      await Promise.all(ring.map((host, rank) => host.sum(arrays[rank]!)));
      for (let i = 0; i < 11; i++) expect(Math.abs(arrays[2]![i]! - expected[i]!)).toBeLessThan(1e-5);
    } finally {
      for (const host of ring) host.close();
    }
  });

  it('fails within the silence timeout, naming the host, when all its traffic is dropped without a close', async () => {
    const hosts = await loopbackHosts(3);
    // Host 2 reaches host 0, and host 1 reaches host 2, through proxies that will drop everything both ways.
    const [toHost0, toHost2] = await Promise.all([partitionableProxy(hosts[0]!), partitionableProxy(hosts[2]!)]);
    const hostsOf = [hosts, [hosts[0]!, hosts[1]!, toHost2.address], [toHost0.address, hosts[1]!, hosts[2]!]];
    const ring = await Promise.all(hostsOf.map((list, rank) => RingAllReduce.connect({ rank, hosts: list, heartbeatMs: 100, silenceTimeoutMs: 500, stepTimeoutMs: 20_000 })));
    try {
      const arrays = randomArrays(3, 10, 9);
      await Promise.all(ring.map((host, rank) => host.sum(arrays[rank]!)));
      toHost0.drop();
      toHost2.drop();
      const results = await Promise.allSettled(ring.map((host) => host.sum(new Float32Array(10))));
      for (const rank of [0, 1]) {
        const error = (results[rank] as PromiseRejectedResult).reason as PeerLostError;
        expect(error).toBeInstanceOf(PeerLostError);
        expect(error.rank).toBe(2);
        expect(error.message).toBe(`lost host ${hostsOf[rank]![2]} (rank 2): no heartbeat for 0.5 s (unreachable: network partition, or the host froze)`);
      }
      expect(results[2]!.status).toBe('rejected');
    } finally {
      for (const host of ring) host.close();
      toHost0.close();
      toHost2.close();
    }
  });

  it('keeps a healthy ring whose hosts reach a sum far apart, or block their event loop, longer than the silence timeout', async () => {
    const ring = await connectRing(2, { heartbeatMs: 50, silenceTimeoutMs: 200 });
    try {
      for (const late of ['waits', 'blocks']) {
        const arrays = randomArrays(2, 6, late.length);
        const expected = localSum(arrays);
        const lateSum = async () => {
          if (late === 'waits') await delay(800);
          else for (const until = performance.now() + 800; performance.now() < until; );
          await ring[1]!.sum(arrays[1]!);
        };
        await Promise.all([ring[0]!.sum(arrays[0]!), lateSum()]);
        for (const array of arrays) for (let i = 0; i < 6; i++) expect(Math.abs(array[i]! - expected[i]!)).toBeLessThan(1e-5);
      }
    } finally {
      for (const host of ring) host.close();
    }
  });

  it('fails the connect after the connect timeout, naming the host that never came', async () => {
    const hosts = await loopbackHosts(2);
    await expect(RingAllReduce.connect({ rank: 0, hosts, connectTimeoutMs: 300 })).rejects.toThrow(`lost host ${hosts[1]} (rank 1)`);
  });

  it('rejects malformed host addresses and ranks, naming the field', async () => {
    expect(() => parseHostAddress('localhost', 1)).toThrow('hosts[1]: expected host:port, got "localhost"');
    expect(parseHostAddress('[::1]:80', 0)).toEqual({ host: '::1', port: 80 });
    await expect(RingAllReduce.connect({ rank: 2, hosts: ['127.0.0.1:1', '127.0.0.1:2'] })).rejects.toThrow('rank: expected an integer in [0, 2), got 2');
    await expect(RingAllReduce.connect({ rank: 0, hosts: ['127.0.0.1:1'], heartbeatMs: 0 })).rejects.toThrow('heartbeatMs: expected milliseconds in [1, 2^31 - 1], got 0');
    await expect(RingAllReduce.connect({ rank: 0, hosts: ['127.0.0.1:1'], heartbeatMs: 1000, silenceTimeoutMs: 2000 })).rejects.toThrow(
      'silenceTimeoutMs: expected at least 3 x heartbeatMs (3000 ms), got 2000',
    );
  });
});
