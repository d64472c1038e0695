/**
 * Buffers lent for joining a batch's encoded parts into the one message a
 * gRPC call sends, and taken back when the call succeeded.
 *
 * Why: a new Buffer per exported batch is as many bytes of ArrayBuffer churn
 * as the data itself. V8 counts ArrayBuffer memory allocated since the last
 * mark-compact against the old generation's allocation limit, and the
 * agent's heap is small, so that churn (with grpc-js' own copies) set off a
 * full mark-compact every few MB sent — a fifth of the OTLP pipeline's CPU.
 *
 * A buffer comes back only from a call that succeeded: grpc-js has then
 * compressed or framed the message into buffers of its own and keeps no
 * reference. After a failure (a deadline can end a call while zlib still
 * reads its input on the thread pool) the buffer is left to the GC.
 */
const ROUND_TO = 64 * 1024;

export interface Joined {
  readonly body: Buffer;
  /** Gives the buffer back for reuse; call only once the message is no longer read. */
  release(): void;
}

export class JoinBuffers {
  private readonly free: Buffer[] = [];

  /**
   * @param keep at most this many idle buffers are kept (one per concurrent call is enough)
   * @param maxBytes buffers larger than this are never kept
   */
  constructor(
    private readonly keep: number,
    private readonly maxBytes: number,
  ) {}

  /** `parts` as one Buffer: the part itself when there is one, else a lent buffer. */
  join(parts: readonly Uint8Array[]): Joined {
    if (parts.length === 1) return { body: asBuffer(parts[0]!), release: noop };
    let size = 0;
    for (const p of parts) size += p.byteLength;
    const buffer = this.take(size);
    let at = 0;
    for (const p of parts) {
      buffer.set(p, at);
      at += p.byteLength;
    }
    return { body: buffer.subarray(0, size), release: () => this.give(buffer) };
  }

  /** Idle bytes held (for tests and debug info). */
  get idleBytes(): number {
    let n = 0;
    for (const b of this.free) n += b.byteLength;
    return n;
  }

  private take(size: number): Buffer {
    for (let i = 0; i < this.free.length; i++) {
      if (this.free[i]!.byteLength >= size) return this.free.splice(i, 1)[0]!;
    }
    // None fits: the smallest idle one is dropped so the pool follows growing batches.
    if (this.free.length >= this.keep) this.free.splice(this.smallestFree(), 1);
    return Buffer.allocUnsafe(Math.ceil(size / ROUND_TO) * ROUND_TO);
  }

  private give(buffer: Buffer): void {
    if (buffer.byteLength > this.maxBytes || this.free.length >= this.keep) return;
    this.free.push(buffer);
  }

  private smallestFree(): number {
    let at = 0;
    for (let i = 1; i < this.free.length; i++) if (this.free[i]!.byteLength < this.free[at]!.byteLength) at = i;
    return at;
  }
}

function noop(): void {}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
