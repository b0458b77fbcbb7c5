import type { Socket } from 'node:net';

/** Frame header: type, step and payload length, each a little-endian u32. */
export const FRAME_HEADER_BYTES = 12;
export const FRAME_TYPES = { hello: 1, chunk: 2, abort: 3, heartbeat: 4, gather: 5 } as const;

/** The one heartbeat frame every socket sends (a Buffer, so that writing it wraps nothing). */
const HEARTBEAT_FRAME = Buffer.alloc(FRAME_HEADER_BYTES);
HEARTBEAT_FRAME.writeUInt32LE(FRAME_TYPES.heartbeat, 0);

/**
 * How long a socket that sent an abort notice waits for the peer to close before closing it: a peer that can be
 * reached has the notice by then, and one that cannot must not keep the process alive until TCP gives up on it.
 */
const NOTICE_LINGER_MS = 2000;

/** An abort frame: the host that failed first (u32 rank, then the reason in UTF-8), passed on around the ring. */
export function abortFrame(rank: number, reason: string): Uint8Array {
  const text = new TextEncoder().encode(reason);
  const frame = new Uint8Array(FRAME_HEADER_BYTES + 4 + text.byteLength);
  const view = new DataView(frame.buffer);
  view.setUint32(0, FRAME_TYPES.abort, true);
  view.setUint32(8, 4 + text.byteLength, true);
  view.setUint32(FRAME_HEADER_BYTES, rank, true);
  frame.set(text, FRAME_HEADER_BYTES + 4);
  return frame;
}

/** How a socket tells a live peer from one that cannot be reached. */
export interface Liveness {
  /** Milliseconds between the heartbeats sent while nothing else is waiting to be sent. */
  heartbeatMs: number;
  /** Milliseconds without a byte from the peer after which the socket fails. */
  silenceTimeoutMs: number;
}

export interface Frame {
  type: number;
  step: number;
  /** Valid until the next receive(); 4-byte aligned, so a Float32Array can view it. */
  payload: Uint8Array;
}

/**
 * Length-prefixed binary frames over one socket, with buffers that grow to the largest frame and are then reused:
 * sending or receiving a frame allocates no payload-sized memory. While open, the socket sends the peer a heartbeat
 * every `heartbeatMs` (when nothing else is queued), which receive() never sees, and fails when not one byte came from
 * the peer for `silenceTimeoutMs`: a peer cut off without a FIN or RST is noticed then, not at the next step timeout.
 */
export class FrameSocket {
  #sendBuffer = new Uint8Array(FRAME_HEADER_BYTES);
  #receiveBuffer = new Uint8Array(1 << 16);
  #receiveView = new DataView(this.#receiveBuffer.buffer);
  /** Received bytes not consumed yet are [#head, #received). */
  #head = 0;
  #received = 0;
  /** Bytes of the frame handed out last (at #head), dropped at the next receive(). */
  #delivered = 0;
  #waiting: { resolve: (frame: Frame) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  #rejectFailed!: (error: Error) => void;
  /** Rejects with the first error this socket failed with. */
  readonly failed = new Promise<never>((_, reject) => (this.#rejectFailed = reject));
  readonly #liveness: Liveness;
  readonly #watchdog: NodeJS.Timeout;
  /** performance.now() at the last byte received, and at the watchdog's last run. */
  #lastHeard: number;
  #lastWatch: number;

  constructor(
    readonly socket: Socket,
    /** The error to fail with when the socket closes, errors or falls silent, given the reason. */
    private readonly describeLoss: (reason: string) => Error,
    /** The error to fail with when the peer reports that host `rank` failed. */
    private readonly describeAbort: (rank: number, reason: string) => Error,
    liveness: Liveness,
  ) {
    this.failed.catch(() => {});
    this.#liveness = liveness;
    this.#lastHeard = this.#lastWatch = performance.now();
    this.#watchdog = setInterval(() => this.#watch(), liveness.heartbeatMs);
    this.#watchdog.unref();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#append(chunk));
    socket.on('error', (error) => this.fail(describeLoss(error.message)));
    socket.on('close', () => this.fail(describeLoss('connection closed')));
  }

  /**
   * Fails the pending and every later receive() and send() with this error, and closes the socket, after sending
   * `notice` (an abort frame) when given and the socket can still take it. Only the first call has an effect.
   */
  fail(error: Error, notice?: Uint8Array): void {
    if (this.#failure) return;
    this.#failure = error;
    clearInterval(this.#watchdog);
    this.#rejectFailed(error);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(error);
    if (!notice || !this.socket.writable) {
      this.socket.destroy();
      return;
    }
    this.socket.end(notice);
    const linger = setTimeout(() => this.socket.destroy(), NOTICE_LINGER_MS);
    linger.unref();
    this.socket.once('close', () => clearTimeout(linger));
  }

  /** Sends one frame; resolves once the socket took the bytes, after which `payload` may change. */
  send(type: number, step: number, payload: Uint8Array): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (payload.byteLength > 0xffff_ffff) return Promise.reject(new RangeError(`frame payload: expected at most 4 GiB, got ${payload.byteLength} bytes`));
    const bytes = FRAME_HEADER_BYTES + payload.byteLength;
    if (this.#sendBuffer.byteLength < bytes) this.#sendBuffer = new Uint8Array(bytes);
    const header = new DataView(this.#sendBuffer.buffer, 0, FRAME_HEADER_BYTES);
    header.setUint32(0, type, true);
    header.setUint32(4, step, true);
    header.setUint32(8, payload.byteLength, true);
    this.#sendBuffer.set(payload, FRAME_HEADER_BYTES);
    return new Promise((resolve, reject) => {
      this.socket.write(this.#sendBuffer.subarray(0, bytes), (error) => {
        if (!error) return resolve();
        // A write can fail before the socket reports its error or close (after the peer's FIN): the same loss.
        this.fail(this.describeLoss(error.message));
        reject(this.#failure);
      });
    });
  }

  /** The next frame, which must have this type and step. */
  async receive(type: number, step: number): Promise<Frame> {
    if (this.#failure) throw this.#failure;
    if (this.#waiting) throw new Error('receive() called while another receive() is pending');
    this.#head += this.#delivered;
    this.#delivered = 0;
    this.#compact();
    const frame = await new Promise<Frame>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      this.#deliver();
    });
    if (frame.type !== type || frame.step !== step) {
      const error = new Error(`expected frame type ${type} step ${step}, got type ${frame.type} step ${frame.step}`);
      this.fail(error);
      throw error;
    }
    return frame;
  }

  #watch(): void {
    const now = performance.now();
    const { heartbeatMs, silenceTimeoutMs } = this.#liveness;
    // A late run means that this host's own event loop was blocked, with the peer's bytes perhaps waiting unread:
    // the silence counts from now, so that a host busy for a while does not take its neighbours for lost.
    if (now - this.#lastWatch > 1.5 * heartbeatMs) this.#lastHeard = now;
    this.#lastWatch = now;
    if (now - this.#lastHeard > silenceTimeoutMs) {
      this.fail(this.describeLoss(`no heartbeat for ${silenceTimeoutMs / 1000} s (unreachable: network partition, or the host froze)`));
      return;
    }
    // Bytes already queued tell the peer as much, or wait behind a peer that does not read: no heartbeats pile up.
    if (this.socket.writableLength === 0 && this.socket.writable) this.socket.write(HEARTBEAT_FRAME);
  }

  #append(chunk: Buffer): void {
    this.#lastHeard = performance.now();
    const needed = this.#received + chunk.byteLength;
    if (needed > this.#receiveBuffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.#receiveBuffer.byteLength));
      grown.set(this.#receiveBuffer.subarray(0, this.#received));
      this.#receiveBuffer = grown;
      this.#receiveView = new DataView(grown.buffer);
    }
    this.#receiveBuffer.set(chunk, this.#received);
    this.#received = needed;
    this.#failOnAbort();
    this.#skipHeartbeats();
    this.#deliver();
  }

  /** An abort frame anywhere among the complete frames received fails the socket at once, not when its turn comes. */
  #failOnAbort(): void {
    const view = this.#receiveView;
    for (let at = this.#head; at + FRAME_HEADER_BYTES <= this.#received; ) {
      const length = view.getUint32(at + 8, true);
      if (at + FRAME_HEADER_BYTES + length > this.#received) return;
      if (view.getUint32(at, true) === FRAME_TYPES.abort && length >= 4) {
        const reason = new TextDecoder().decode(this.#receiveBuffer.subarray(at + FRAME_HEADER_BYTES + 4, at + FRAME_HEADER_BYTES + length));
        this.fail(this.describeAbort(view.getUint32(at + FRAME_HEADER_BYTES, true), reason));
        return;
      }
      at += FRAME_HEADER_BYTES + length;
    }
  }

  /** Drops the complete heartbeats at the head of the bytes received, unless a frame handed out lies there. */
  #skipHeartbeats(): void {
    if (this.#delivered > 0) return;
    const view = this.#receiveView;
    while (this.#received - this.#head >= FRAME_HEADER_BYTES && view.getUint32(this.#head, true) === FRAME_TYPES.heartbeat) {
      const end = this.#head + FRAME_HEADER_BYTES + view.getUint32(this.#head + 8, true);
      if (end > this.#received) break;
      this.#head = end;
    }
    if (this.#head === this.#received) this.#head = this.#received = 0;
  }

  /** Moves the bytes not consumed to the start of the buffer. */
  #compact(): void {
    if (this.#head === 0) return;
    this.#receiveBuffer.copyWithin(0, this.#head, this.#received);
    this.#received -= this.#head;
    this.#head = 0;
  }

  #deliver(): void {
    if (!this.#waiting || this.#delivered > 0) return;
    this.#skipHeartbeats();
    if (this.#received - this.#head < FRAME_HEADER_BYTES) return;
    const length = this.#receiveView.getUint32(this.#head + 8, true);
    if (this.#received - this.#head < FRAME_HEADER_BYTES + length) return;
    // Payloads start 4-byte aligned (for Float32Array views) unless a peer sent a heartbeat with an odd payload.
    if (this.#head % 4 !== 0) this.#compact();
    const head = this.#head;
    const view = this.#receiveView;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.#delivered = FRAME_HEADER_BYTES + length;
    waiting.resolve({
      type: view.getUint32(head, true),
      step: view.getUint32(head + 4, true),
      payload: this.#receiveBuffer.subarray(head + FRAME_HEADER_BYTES, head + FRAME_HEADER_BYTES + length),
    });
  }
}
