/** Shared helpers of the Prometheus component tests. */
import { afterEach } from 'vitest';
import type { MetricsReceiver } from '../../../src/components/common/metric-samples.js';
import type { Harness } from '../../support/harness.js';
import { MetricsTarget } from '../../support/metrics-target.js';
import { RemoteWriteReceiver } from '../../support/remote-write-receiver.js';

/** Test servers closed after each test. */
export function usesServers(): { target(body: MetricsTarget['body']): Promise<MetricsTarget>; receiver(): Promise<RemoteWriteReceiver> } {
  const closers: (() => Promise<void>)[] = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((c) => c()));
  });
  return {
    async target(body) {
      const t = await MetricsTarget.start(body);
      closers.push(() => t.close());
      return t;
    },
    async receiver() {
      const r = await RemoteWriteReceiver.start();
      closers.push(() => r.close());
      return r;
    },
  };
}

export function receiverOf(h: Harness, id: string): MetricsReceiver {
  const v = h.exportOf(id, 'receiver');
  if (v?.type !== 'capsule') throw new Error(`${id} exports no receiver`);
  return v.payload as MetricsReceiver;
}

/** A metric's value summed over the series whose labels include `labels`. */
export async function metricValue(h: Harness, id: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = (await h.controller.get(id)?.registry?.getMetricsAsJSON())?.find((m) => m.name === name);
  let total = 0;
  for (const v of metric?.values ?? []) {
    if (Object.entries(labels).every(([k, want]) => String((v.labels as Record<string, unknown>)[k]) === want)) total += v.value;
  }
  return total;
}

/** Quick batching and retries for tests. */
const TEST_QUEUE = 'batch_send_deadline = "30ms"\n      min_backoff = "10ms"\n      max_backoff = "40ms"';

/** A remote_write block; `queue` replaces the queue_config body. */
export function remoteWriteBlock(url: string, opts: { label?: string; queue?: string; endpointExtra?: string; extra?: string } = {}): string {
  return `prometheus.remote_write "${opts.label ?? 'w'}" {
  ${opts.extra ?? ''}
  endpoint {
    url = ${JSON.stringify(url)}
    queue_config {
      ${opts.queue ?? TEST_QUEUE}
    }
    ${opts.endpointExtra ?? ''}
  }
}`;
}
