/**
 * The gRPC exporter's join buffers (exporter-otlp/join-buffers.ts): parts
 * are joined byte for byte, a buffer given back is lent again instead of a
 * new one, one never given back (a failed call) is not, and the idle pool
 * stays within its count and size bounds.
 */
import { describe, expect, it } from 'vitest';
import { JoinBuffers } from '../../../src/components/otelcol/exporter-otlp/join-buffers.js';

const parts = (...sizes: number[]) => sizes.map((n, i) => new Uint8Array(n).fill(i + 1));

describe('JoinBuffers', () => {
  it('joins parts byte for byte; a single part is sent as it is', () => {
    const pool = new JoinBuffers(2, 1 << 20);
    const p = parts(3, 70_000, 5);
    const joined = pool.join(p);
    expect(Buffer.compare(joined.body, Buffer.concat(p))).toBe(0);
    const single = new Uint8Array([1, 2, 3]);
    expect(pool.join([single]).body.buffer).toBe(single.buffer);
  });

  it('lends a released buffer again, but not one that was never released', () => {
    const pool = new JoinBuffers(2, 1 << 20);
    const a = pool.join(parts(100, 100));
    a.release();
    const b = pool.join(parts(50, 150));
    expect(b.body.buffer).toBe(a.body.buffer);
    expect(Buffer.compare(b.body, Buffer.concat(parts(50, 150)))).toBe(0);
    const c = pool.join(parts(10, 10)); // b is still out
    expect(c.body.buffer).not.toBe(b.body.buffer);
  });

  it('keeps at most `keep` idle buffers and none larger than maxBytes', () => {
    const pool = new JoinBuffers(2, 256 * 1024);
    const lent = [pool.join(parts(10, 10)), pool.join(parts(10, 10)), pool.join(parts(10, 10))];
    for (const j of lent) j.release();
    expect(pool.idleBytes).toBe(2 * 64 * 1024);
    const big = pool.join(parts(200_000, 200_000));
    big.release();
    expect(pool.idleBytes).toBeLessThanOrEqual(2 * 64 * 1024);
  });
});
