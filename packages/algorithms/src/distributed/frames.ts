import type { Socket } from 'node:net';

/** Frame header: type, step and payload length, each a little-endian u32. */
export const FRAME_HEADER_BYTES = 12;
export const FRAME_TYPES = { hello: 1, chunk: 2, abort: 3 } as const;

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

export interface Frame {
  type: number;
  step: number;
  /** Valid until the next receive(); 4-byte aligned, so a Float32Array can view it. */
  payload: Uint8Array;
}

/**
 * Length-prefixed binary frames over one socket, with buffers that grow to the largest frame and are then reused:
 * sending or receiving a frame allocates no payload-sized memory.
 */
export class FrameSocket {
  #sendBuffer = new Uint8Array(FRAME_HEADER_BYTES);
  #receiveBuffer = new Uint8Array(1 << 16);
  #received = 0;
  /** Bytes of the frame last handed out, dropped at the next receive(). */
  #delivered = 0;
  #waiting: { resolve: (frame: Frame) => void; reject: (error: Error) => void } | undefined;
  #failure: Error | undefined;
  #rejectFailed!: (error: Error) => void;
  /** Rejects with the first error this socket failed with. */
  readonly failed = new Promise<never>((_, reject) => (this.#rejectFailed = reject));

  constructor(
    readonly socket: Socket,
    /** The error to fail with when the socket closes or errors, given the reason. */
    describeLoss: (reason: string) => Error,
    /** The error to fail with when the peer reports that host `rank` failed. */
    private readonly describeAbort: (rank: number, reason: string) => Error,
  ) {
    this.failed.catch(() => {});
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#append(chunk));
    socket.on('error', (error) => this.fail(describeLoss(error.message)));
    socket.on('close', () => this.fail(describeLoss('connection closed')));
  }

  /**
   * Fails the pending and every later receive() and send() with this error (the first one given wins), and closes
   * the socket, after sending `notice` (an abort frame) when given and the socket can still take it.
   */
  fail(error: Error, notice?: Uint8Array): void {
    this.#failure ??= error;
    this.#rejectFailed(this.#failure);
    const waiting = this.#waiting;
    this.#waiting = undefined;
    waiting?.reject(this.#failure);
    if (notice && this.socket.writable) this.socket.end(notice);
    else this.socket.destroy();
  }

  /** Sends one frame; resolves once the socket took the bytes, after which `payload` may change. */
  send(type: number, step: number, payload: Uint8Array): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const bytes = FRAME_HEADER_BYTES + payload.byteLength;
    if (this.#sendBuffer.byteLength < bytes) this.#sendBuffer = new Uint8Array(bytes);
    const header = new DataView(this.#sendBuffer.buffer, 0, FRAME_HEADER_BYTES);
    header.setUint32(0, type, true);
    header.setUint32(4, step, true);
    header.setUint32(8, payload.byteLength, true);
    this.#sendBuffer.set(payload, FRAME_HEADER_BYTES);
    return new Promise((resolve, reject) => {
      this.socket.write(this.#sendBuffer.subarray(0, bytes), (error) => (error ? reject(this.#failure ?? error) : resolve()));
    });
  }

  /** The next frame, which must have this type and step. */
  async receive(type: number, step: number): Promise<Frame> {
    if (this.#failure) throw this.#failure;
    if (this.#waiting) throw new Error('receive() called while another receive() is pending');
    this.#receiveBuffer.copyWithin(0, this.#delivered, this.#received);
    this.#received -= this.#delivered;
    this.#delivered = 0;
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

  #append(chunk: Buffer): void {
    const needed = this.#received + chunk.byteLength;
    if (needed > this.#receiveBuffer.byteLength) {
      const grown = new Uint8Array(Math.max(needed, 2 * this.#receiveBuffer.byteLength));
      grown.set(this.#receiveBuffer.subarray(0, this.#received));
      this.#receiveBuffer = grown;
    }
    this.#receiveBuffer.set(chunk, this.#received);
    this.#received = needed;
    this.#failOnAbort();
    this.#deliver();
  }

  /** An abort frame anywhere among the complete frames received fails the socket at once, not when its turn comes. */
  #failOnAbort(): void {
    const view = new DataView(this.#receiveBuffer.buffer);
    for (let at = 0; at + FRAME_HEADER_BYTES <= this.#received; ) {
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

  #deliver(): void {
    if (!this.#waiting || this.#delivered > 0 || this.#received < FRAME_HEADER_BYTES) return;
    const header = new DataView(this.#receiveBuffer.buffer, 0, FRAME_HEADER_BYTES);
    const length = header.getUint32(8, true);
    if (this.#received < FRAME_HEADER_BYTES + length) return;
    const waiting = this.#waiting;
    this.#waiting = undefined;
    this.#delivered = FRAME_HEADER_BYTES + length;
    waiting.resolve({
      type: header.getUint32(0, true),
      step: header.getUint32(4, true),
      payload: this.#receiveBuffer.subarray(FRAME_HEADER_BYTES, FRAME_HEADER_BYTES + length),
    });
  }
}
