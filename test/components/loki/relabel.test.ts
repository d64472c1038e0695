import { describe, expect, it } from 'vitest';
import { singleEntry, type LogBatch, type LogsReceiver } from '../../../src/components/common/log-entries.js';
import type { Harness } from '../../support/harness.js';
import { startsHarnesses } from '../started-harness.js';

const start = startsHarnesses();

function receiverOf(h: Harness, id: string): LogsReceiver {
  const v = h.exportOf(id, 'receiver');
  if (v?.type !== 'capsule') throw new Error(`${id} exports no receiver`);
  return v.payload as LogsReceiver;
}

function batch(labels: Record<string, string>, ...lines: string[]): LogBatch {
  return { labels, ms: Float64Array.from(lines, () => 1_700_000_000_000), ns: new Int32Array(lines.length), lines };
}

async function metric(h: Harness, id: string, name: string): Promise<number> {
  const m = await h.controller.get(id)!.registry!.getSingleMetric(name)?.get();
  return m?.values[0]?.value ?? NaN;
}

// The rule of examples-real/alloy-it-loki-docker.alloy, plus a drop and a labeldrop
// (alloy-pipelinetest-loki-pipeline-module.alloy).
const config = (extraRule = '') => `
testing.logs_capture "out" {}

loki.relabel "r" {
  forward_to = [testing.logs_capture.out.receiver]

  rule {
    source_labels = ["container"]
    target_label  = "service_name"
  }
  rule {
    source_labels = ["level"]
    regex         = "debug"
    action        = "drop"
  }
  rule {
    action = "labeldrop"
    regex  = "^dropme$"
  }
  ${extraRule}
}`;

describe('loki.relabel', () => {
  it('relabels each stream and forwards its entries', async () => {
    const h = await start(config());
    const receiver = receiverOf(h, 'loki.relabel.r');
    await receiver.push(batch({ container: 'api', dropme: 'x', __tenant_id__: 't1' }, 'one', 'two'));
    expect(h.entries('testing.logs_capture.out')).toEqual([
      { labels: { __tenant_id__: 't1', container: 'api', service_name: 'api' }, ms: 1_700_000_000_000, ns: 0, line: 'one' },
      { labels: { __tenant_id__: 't1', container: 'api', service_name: 'api' }, ms: 1_700_000_000_000, ns: 0, line: 'two' },
    ]);
  });

  it('acknowledges dropped batches without forwarding them', async () => {
    const h = await start(config());
    const receiver = receiverOf(h, 'loki.relabel.r');
    await receiver.push(batch({ container: 'api', level: 'debug' }, 'dropped by rule'));
    await receiver.push(batch({ dropme: 'only label' }, 'dropped: no labels left'));
    await receiver.push(batch({ level: 'info' }, 'kept'));
    expect(h.entries('testing.logs_capture.out').map((e) => e.line)).toEqual(['kept']);
    expect(await metric(h, 'loki.relabel.r', 'loki_relabel_entries_processed')).toBe(3);
    expect(await metric(h, 'loki.relabel.r', 'loki_relabel_entries_written')).toBe(1);
  });

  it('relabels once per label set and counts cache use per entry', async () => {
    const h = await start(config());
    const receiver = receiverOf(h, 'loki.relabel.r');
    const labels = { container: 'api' };
    await receiver.push(batch(labels, 'a', 'b', 'c'));
    await receiver.push(batch({ container: 'api' }, 'd')); // equal labels, another object
    await receiver.push(batch(labels, 'e'));
    await receiver.push(singleEntry({ container: 'web' }, 'f'));
    expect(await metric(h, 'loki.relabel.r', 'loki_relabel_cache_misses')).toBe(2);
    expect(await metric(h, 'loki.relabel.r', 'loki_relabel_cache_hits')).toBe(4);
    expect(await metric(h, 'loki.relabel.r', 'loki_relabel_cache_size')).toBe(2);
    expect(h.entries('testing.logs_capture.out').map((e) => e.labels['service_name'])).toEqual(['api', 'api', 'api', 'api', 'api', 'web']);
  });

  it('purges the cache when the rules change and keeps its receiver', async () => {
    const h = await start(config());
    const receiver = receiverOf(h, 'loki.relabel.r');
    await receiver.push(batch({ container: 'api' }, 'before'));
    await h.apply(config('rule {\n    target_label = "env"\n    replacement = "prod"\n  }'));
    expect(receiverOf(h, 'loki.relabel.r')).toBe(receiver);
    expect(await metric(h, 'loki.relabel.r', 'loki_relabel_cache_size')).toBe(0);
    await receiver.push(batch({ container: 'api' }, 'after'));
    expect(h.entries('testing.logs_capture.out').map((e) => e.labels['env'])).toEqual([undefined, 'prod']);
  });

  it('uses legacy label-name validation for expanded targets', async () => {
    const h = await start(config('rule {\n    source_labels = ["name"]\n    target_label = "$1"\n    replacement = "v"\n  }'));
    const receiver = receiverOf(h, 'loki.relabel.r');
    await receiver.push(batch({ name: 'service.name' }, 'utf8 name skipped'));
    await receiver.push(batch({ name: 'service_name' }, 'legacy name set'));
    expect(h.entries('testing.logs_capture.out').map((e) => e.labels)).toEqual([
      { name: 'service.name' },
      { name: 'service_name', service_name: 'v' },
    ]);
  });

  it('exports its rules and rejects a non-positive max_cache_size', async () => {
    const h = await start(config());
    expect(h.exportOf('loki.relabel.r', 'rules')).toMatchObject({ type: 'capsule', payload: { capsuleType: 'relabel.Rules', length: 3 } });
    const broken = await start(`loki.relabel "r" {\n  forward_to = []\n  max_cache_size = 0\n}`);
    expect(broken.health('loki.relabel.r')).toMatchObject({ state: 'unhealthy', message: expect.stringContaining('must provide a positive size') });
  });
});
