/** loki.write under a memory limit: each endpoint's queue is capped at its share of the buffer budget. */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogsReceiver } from '../../../src/components/common/log-entries.js';
import { MemoryBudget } from '../../../src/runtime/memory.js';
import { Harness } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';
import { makeBatch } from './write-harness.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface QueueInfo {
  queued_bytes: number;
  waiting_batches: number;
}

async function deadLoki(): Promise<LokiReceiver> {
  const loki = await LokiReceiver.start();
  await loki.down();
  cleanups.push(() => loki.close());
  return loki;
}

function writer(label: string, url: string): string {
  return `loki.write "${label}" {
  endpoint {
    url                 = "${url}"
    batch_size          = "1KiB"
    max_backoff_retries = 0
    queue_config {
      drain_timeout = "100ms"
    }
  }
}`;
}

describe('loki.write with a memory budget', () => {
  it('holds no more than its share, not its 10MiB default capacity', async () => {
    const dead = await deadLoki();
    // 32KiB limit: an 8KiB buffer budget, 4KiB of memory (2KiB of queued entries) per endpoint.
    const h = await Harness.start(`${writer('a', dead.pushUrl)}\n${writer('b', dead.pushUrl)}`, { memoryBudget: new MemoryBudget(32 * 1024) });
    cleanups.push(() => h.stop());
    const exported = h.exportOf('loki.write.a', 'receiver');
    if (exported?.type !== 'capsule') throw new Error('loki.write.a exports no receiver');
    const receiver = exported.payload as LogsReceiver;
    const info = () => (h.controller.get('loki.write.a')?.debugInfo as { endpoints: QueueInfo[] }).endpoints[0]!;

    void receiver.push(makeBatch({ job: 'q' }, 20, { lineBytes: 100 })).catch(() => {});
    void receiver.push(makeBatch({ job: 'q', n: '2' }, 5, { lineBytes: 100 })).catch(() => {});
    await dead.waitUntil(() => info().waiting_batches === 1, 2000);
    expect(info().queued_bytes).toBe(2000);
  });
});
