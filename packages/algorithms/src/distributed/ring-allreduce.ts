import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { FRAME_HEADER_BYTES, FRAME_TYPES, FrameSocket, abortFrame, type Liveness } from './frames.js';
import { PeerLostError } from './peer-lost-error.js';

export interface RingAllReduceOptions {
  /** This host's index in `hosts`. */
  rank: number;
  /** host:port of every rank; rank r listens on hosts[r] and connects to hosts[(r + 1) mod N]. */
  hosts: readonly string[];
  /** Milliseconds to wait for both neighbours to connect (default 60 s). */
  connectTimeoutMs?: number;
  /** Milliseconds one step of an all-reduce may wait for a neighbour (default 10 min: hosts may reach a sync apart). */
  stepTimeoutMs?: number;
  /** Milliseconds between the heartbeats each connection sends both ways while open (default 1 s). */
  heartbeatMs?: number;
  /**
   * Milliseconds without a byte from a neighbour, heartbeats included, after which it is lost (default 20 s; at least
   * 3 x heartbeatMs). A host's main thread may block for a while between syncs (the model's delta before a sum,
   * per-epoch evaluation): up to a few seconds for the largest model that fits in memory, well under the default.
   */
  silenceTimeoutMs?: number;
}

export const DEFAULT_HEARTBEAT_MS = 1000;
export const DEFAULT_SILENCE_TIMEOUT_MS = 20_000;
const RETRY_CONNECT_MS = 50;

/** The heartbeat options, defaulted and checked; the error names the field and what was expected. */
function livenessOf(options: RingAllReduceOptions): Liveness {
  const heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  const silenceTimeoutMs = options.silenceTimeoutMs ?? DEFAULT_SILENCE_TIMEOUT_MS;
  if (!(heartbeatMs >= 1 && heartbeatMs <= 2 ** 31 - 1)) throw new RangeError(`heartbeatMs: expected milliseconds in [1, 2^31 - 1], got ${heartbeatMs}`);
  if (!(silenceTimeoutMs >= 3 * heartbeatMs) || !Number.isFinite(silenceTimeoutMs)) {
    throw new RangeError(`silenceTimeoutMs: expected at least 3 x heartbeatMs (${3 * heartbeatMs} ms), got ${silenceTimeoutMs}`);
  }
  return { heartbeatMs, silenceTimeoutMs };
}

/** One address of `hosts`, split; the error names the field and what was expected. */
export function parseHostAddress(address: string, index: number): { host: string; port: number } {
  const match = /^(.+):(\d{1,5})$/.exec(address);
  const port = match ? Number(match[2]) : Number.NaN;
  if (!match || port < 1 || port > 65535) throw new RangeError(`hosts[${index}]: expected host:port, got ${JSON.stringify(address)}`);
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port };
}

/**
 * Sums a Float32Array across N hosts over TCP, in a ring: a reduce-scatter then an all-gather of N chunks, so each
 * host sends and receives 2 (N - 1) / N of the array per call whatever N is. Every host must call sum() with arrays of
 * the same length, and allGather(), the same number of times in the same order. Payloads are raw little-endian
 * float32. Heartbeats keep the connections watched between calls (see RingAllReduceOptions.silenceTimeoutMs).
 */
export class RingAllReduce {
  /** Bytes this host sent in all sum() calls so far (frame headers included). */
  bytesSent = 0;
  #step = 0;
  /** Rejects with the first neighbour that failed. */
  readonly #failed: Promise<never> | undefined;

  private constructor(
    readonly rank: number,
    readonly hosts: readonly string[],
    private readonly next: FrameSocket | undefined,
    private readonly previous: FrameSocket | undefined,
    private readonly stepTimeoutMs: number,
  ) {
    if (next && previous) {
      this.#failed = Promise.race([next.failed, previous.failed]);
      // Tell both neighbours which host failed first, so that every host names it, not the neighbour that closed.
      this.#failed.catch((error: Error) => {
        const notice = error instanceof PeerLostError ? abortFrame(error.rank, error.reason) : undefined;
        next.fail(error, notice);
        previous.fail(error, notice);
      });
    }
  }

  get size(): number {
    return this.hosts.length;
  }

  /** Listens on hosts[rank], connects to the next rank and waits for the previous one; one host needs no connection. */
  static async connect(options: RingAllReduceOptions): Promise<RingAllReduce> {
    const { rank, hosts } = options;
    const addresses = hosts.map(parseHostAddress);
    if (!Number.isInteger(rank) || rank < 0 || rank >= hosts.length) throw new RangeError(`rank: expected an integer in [0, ${hosts.length}), got ${rank}`);
    const stepTimeoutMs = options.stepTimeoutMs ?? 600_000;
    const liveness = livenessOf(options);
    if (hosts.length === 1) return new RingAllReduce(rank, hosts, undefined, undefined, stepTimeoutMs);

    const n = hosts.length;
    const nextRank = (rank + 1) % n;
    const previousRank = (rank + n - 1) % n;
    const deadline = Date.now() + (options.connectTimeoutMs ?? 60_000);
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error) => reject(new Error(`hosts[${rank}] ${hosts[rank]}: cannot listen (${error.message})`)));
      server.listen(addresses[rank]!.port, addresses[rank]!.host, resolve);
    });
    try {
      const [previous, next] = await Promise.allSettled([
        acceptPrevious(server, previousRank, hosts, deadline, liveness),
        connectNext(addresses[nextRank]!, nextRank, hosts, rank, deadline, liveness),
      ]);
      if (previous.status === 'fulfilled' && next.status === 'fulfilled') return new RingAllReduce(rank, hosts, next.value, previous.value, stepTimeoutMs);
      const failure = (previous.status === 'rejected' ? previous.reason : (next as PromiseRejectedResult).reason) as Error;
      for (const connected of [previous, next]) if (connected.status === 'fulfilled') connected.value.fail(failure);
      throw failure;
    } finally {
      server.close();
    }
  }

  /**
   * Every host's `payload`, by rank (this host's own as given): the payloads, which may differ in length, go around
   * the ring in N - 1 steps.
   */
  async allGather(payload: Uint8Array): Promise<Uint8Array[]> {
    const { next, previous } = this;
    if (!next || !previous) return [payload];
    const n = this.size;
    const gathered = new Array<Uint8Array>(n);
    gathered[this.rank] = payload;
    let outgoing = payload;
    for (let s = 0; s < n - 1; s++) {
      const step = this.#step;
      this.#step = (this.#step + 1) >>> 0;
      const [frame] = await this.#withinStepTimeout(Promise.all([previous.receive(FRAME_TYPES.gather, step), next.send(FRAME_TYPES.gather, step, outgoing)]), step);
      // Received from the previous host: its own payload at step 0, then the one it received the step before.
      outgoing = frame.payload.slice();
      gathered[(((this.rank - s - 1) % n) + n) % n] = outgoing;
    }
    return gathered;
  }

  /** Replaces `values` with their element-wise sum over all hosts. */
  async sum(values: Float32Array): Promise<void> {
    const { next, previous } = this;
    if (!next || !previous) return;
    const n = this.size;
    const bounds = (chunk: number) => [Math.floor((chunk * values.length) / n), Math.floor(((chunk + 1) * values.length) / n)] as const;
    const bytesOf = (chunk: number) => {
      const [from, to] = bounds(chunk);
      return new Uint8Array(values.buffer, values.byteOffset + from * 4, (to - from) * 4);
    };
    for (let phase = 0; phase < 2; phase++) {
      for (let s = 0; s < n - 1; s++) {
        // Reduce-scatter: after step s, chunk (rank - s - 1) holds the sum of s + 2 hosts; all-gather passes the sums on.
        const sent = (((this.rank - s + phase) % n) + n) % n;
        const received = (((this.rank - s - 1 + phase) % n) + n) % n;
        const step = this.#step;
        this.#step = (this.#step + 1) >>> 0;
        const payload = bytesOf(sent);
        const frameBytes = payload.byteLength;
        const [frame] = await this.#withinStepTimeout(Promise.all([previous.receive(FRAME_TYPES.chunk, step), next.send(FRAME_TYPES.chunk, step, payload)]), step);
        const [from, to] = bounds(received);
        if (frame.payload.byteLength !== (to - from) * 4) {
          throw this.#lost(previous, (this.rank + n - 1) % n, `sent ${frame.payload.byteLength} bytes for step ${step}, expected ${(to - from) * 4}: arrays differ in length`);
        }
        const incoming = new Float32Array(frame.payload.buffer, frame.payload.byteOffset, to - from);
        if (phase === 0) for (let i = 0; i < incoming.length; i++) values[from + i]! += incoming[i]!;
        else values.set(incoming, from);
        this.bytesSent += FRAME_HEADER_BYTES + frameBytes;
      }
    }
  }

  close(): void {
    const closed = new Error('the all-reduce was closed');
    this.next?.fail(closed);
    this.previous?.fail(closed);
  }

  /** Fails the ring with this error: the neighbours hear of it (see the constructor). */
  #abort(error: Error): void {
    this.next?.fail(error);
    this.previous?.fail(error);
  }

  async #withinStepTimeout<T>(work: Promise<T>, step: number): Promise<T> {
    const timer = new AbortController();
    const timeout = delay(this.stepTimeoutMs, undefined, { signal: timer.signal }).then(
      () => {
        const n = this.size;
        throw this.#lost(this.previous!, (this.rank + n - 1) % n, `no data within ${this.stepTimeoutMs} ms at all-reduce step ${step}`);
      },
      () => undefined as never,
    );
    try {
      return await Promise.race([this.#failed!, work, timeout]);
    } catch (error) {
      this.#abort(error as Error);
      throw error;
    } finally {
      timer.abort();
    }
  }

  #lost(socket: FrameSocket, rank: number, reason: string): PeerLostError {
    const error = new PeerLostError(rank, this.hosts[rank]!, reason);
    socket.fail(error, abortFrame(rank, reason));
    return error;
  }
}

function acceptPrevious(server: Server, previousRank: number, hosts: readonly string[], deadline: number, liveness: Liveness): Promise<FrameSocket> {
  return new Promise((resolve, reject) => {
    /** Connections that have not said hello yet: closed once one has, or at the timeout, as are any later ones. */
    const candidates = new Set<FrameSocket>();
    let settled = false;
    const settle = () => {
      settled = true;
      clearTimeout(timer);
      for (const candidate of candidates) candidate.socket.destroy();
    };
    const timer = setTimeout(() => {
      settle();
      reject(new PeerLostError(previousRank, hosts[previousRank]!, `did not connect within the connect timeout`));
    }, Math.max(0, deadline - Date.now()));
    timer.unref();
    server.on('connection', (socket: Socket) => {
      if (settled) {
        socket.destroy();
        return;
      }
      const frames = new FrameSocket(
        socket,
        (reason) => new PeerLostError(previousRank, hosts[previousRank]!, reason),
        (rank, reason) => new PeerLostError(rank, hosts[rank] ?? `rank ${rank}`, reason),
        liveness,
      );
      candidates.add(frames);
      frames.receive(FRAME_TYPES.hello, previousRank).then(
        () => {
          candidates.delete(frames);
          if (settled) {
            socket.destroy();
            return;
          }
          settle();
          resolve(frames);
        },
        () => {
          candidates.delete(frames);
          socket.destroy();
        },
      );
    });
  });
}

async function connectNext(
  target: { host: string; port: number },
  nextRank: number,
  hosts: readonly string[],
  rank: number,
  deadline: number,
  liveness: Liveness,
): Promise<FrameSocket> {
  for (;;) {
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const socket = createConnection(target, () => {
          socket.off('error', reject);
          resolve(socket);
        });
        socket.once('error', reject);
      });
      const frames = new FrameSocket(
        socket,
        (reason) => new PeerLostError(nextRank, hosts[nextRank]!, reason),
        (lost, reason) => new PeerLostError(lost, hosts[lost] ?? `rank ${lost}`, reason),
        liveness,
      );
      await frames.send(FRAME_TYPES.hello, rank, new Uint8Array(0));
      return frames;
    } catch (error) {
      if (Date.now() + RETRY_CONNECT_MS > deadline) {
        throw new PeerLostError(nextRank, hosts[nextRank]!, `could not connect within the connect timeout (${(error as Error).message})`);
      }
      await delay(RETRY_CONNECT_MS);
    }
  }
}
