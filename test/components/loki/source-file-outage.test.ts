/**
 * A Loki outage must not lose lines that are still on disk (issue 15 item 6):
 * loki.source.file → loki.write → a decoding receiver that answers 503 for a
 * while, with retries far shorter than the outage. Alloy drops batches after
 * max_backoff_retries; alloy-ts holds them, so every line arrives and the
 * stored position never passes an undelivered line.
 */
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { eventually, Harness } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';

const running: Harness[] = [];
const receivers: LokiReceiver[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.stop()));
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

function storedOffset(h: Harness, file: string): number {
  const positions = path.join(h.storagePath, 'loki.source.file.logs', 'positions.yml');
  if (!existsSync(positions)) return 0;
  const doc = YAML.parse(readFileSync(positions, 'utf8'), { mapAsMap: true }) as Map<string, Map<Map<string, string>, string>>;
  for (const [key, value] of doc.get('positions') ?? new Map()) if (key.get('path') === file) return Number(value);
  return 0;
}

async function droppedEntries(h: Harness): Promise<number> {
  const metrics = await h.controller.get('loki.write.out')!.registry!.getMetricsAsJSON();
  return (metrics.find((m) => m.name === 'loki_write_dropped_entries_total')?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe('loki.source.file through a Loki outage', () => {
  it('delivers every line after 503s that outlast max_backoff_retries, and positions never pass undelivered lines', async () => {
    const loki = await LokiReceiver.start();
    receivers.push(loki);
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-outage-'));
    const file = path.join(dir, 'app.log');
    const total = 20_000;
    const lines = Array.from({ length: total }, (_, i) => `line ${String(i).padStart(6, '0')} ${'x'.repeat(40)}`);
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));

    loki.respondWithFor(503, 3_000);
    const h = await Harness.start(`
loki.source.file "logs" {
  targets    = [{"__path__" = ${JSON.stringify(file)}, "job" = "outage"}]
  forward_to = [loki.write.out.receiver]
}
loki.write "out" {
  endpoint {
    url                 = ${JSON.stringify(loki.pushUrl)}
    batch_wait          = "50ms"
    batch_size          = "64KiB"
    min_backoff_period  = "100ms"
    max_backoff_period  = "1s"
    max_backoff_retries = 2
  }
}
`);
    running.push(h);

    // During the outage: requests fail, nothing is acknowledged, so no position is stored past line 0.
    await loki.waitUntil(() => loki.log.filter((r) => r.status === 503).length >= 3, 10_000);
    expect(loki.entries()).toHaveLength(0);
    expect(storedOffset(h, file)).toBe(0);

    await loki.waitForEntries(total, 30_000);
    const received = new Set(loki.entries().map((e) => e.line));
    expect(received.size).toBe(total);
    for (const line of lines) expect(received.has(line)).toBe(true);
    expect(await droppedEntries(h)).toBe(0);
    await eventually(() => storedOffset(h, file) === statSync(file).size, 'position reaches the end of the file', 5_000);
  });
});
