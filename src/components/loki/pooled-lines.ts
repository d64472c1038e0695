/**
 * Buffers that log sources read lines into, reused once the lines in them
 * were acknowledged (loki.source.file's read chunks, loki.source.docker's
 * batch buffers). Without reuse every buffer is a fresh malloc that is freed
 * only when V8 collects the batch holding it — after a promotion, at the next
 * mark-compact — and on the 1M-line benchmark tens of MiB of acknowledged
 * buffers waited for that.
 *
 * Receivers are done with a batch when its push resolves (they decode or
 * copy what they keep), so a source releases a batch's lines then. Reading
 * released lines is an error rather than other lines.
 */
import type { LogBatch, RawLines } from '../common/log-entries.js';

/** Free buffers of one size, at most `max` of them kept. */
export class BufferPool {
  private readonly free: Buffer[] = [];

  constructor(
    readonly size: number,
    private readonly max: number,
  ) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  /** Keeps `buf` for reuse when it views the whole of one of this pool's buffers (or its start). */
  give(buf: Buffer): void {
    if (buf.byteOffset !== 0 || buf.buffer.byteLength !== this.size || this.free.length >= this.max) return;
    this.free.push(buf.length === this.size ? buf : Buffer.from(buf.buffer, 0, this.size));
  }
}

/** Raw lines whose buffer goes back to `pool` (if it is one of its buffers) once released. */
export class PooledLines implements RawLines {
  private released = false;

  constructor(
    readonly bytes: Buffer,
    readonly bounds: Uint32Array,
    private readonly pool: BufferPool,
    private readonly decodeText: () => string[],
  ) {}

  /** The lines as text, as the source decodes them; an error once released (the bytes may hold other lines by then). */
  text(): string[] {
    if (this.released) throw new Error('log lines read after their batch was acknowledged');
    return this.decodeText();
  }

  release(): void {
    if (this.released) return;
    this.released = true;
    this.pool.give(this.bytes);
  }
}

/** Called by a source once every receiver acknowledged `batch`. */
export function releaseBatch(batch: LogBatch): void {
  if (batch.raw instanceof PooledLines) batch.raw.release();
}
