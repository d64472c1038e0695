/**
 * prometheus.remote_write with its WAL (on by default): queues that keep up
 * are handed copies of the batches just written (WAL memos) instead of
 * reading them back. The producer refills its batch's arrays as soon as an
 * append resolves (as scrape loops do), and one endpoint is down for a
 * while: every endpoint must still receive exactly what was appended.
 */
import { describe, expect, it } from 'vitest';
import { SampleBatchBuilder, type SampleBatch, type SeriesLabels } from '../../../src/components/common/metric-samples.js';
import { startsHarnesses } from '../started-harness.js';
import { receiverOf, usesServers } from './helpers.js';

const { receiver } = usesServers();
const start = startsHarnesses();

const T0 = 1_700_000_000_000;

describe('prometheus.remote_write with its WAL', () => {
  it('delivers exactly what was appended to a live and a slow endpoint while the producer reuses its arrays', async () => {
    const live = await receiver();
    const slow = await receiver();
    await slow.down();
    // Room for less than a batch: a queue holds the batches it cannot take yet (the copies must not be reused meanwhile).
    const queue = 'batch_send_deadline = "20ms"\n      min_backoff = "10ms"\n      max_backoff = "20ms"\n      capacity = 10\n      max_shards = 1';
    const h = await start(`prometheus.remote_write "w" {
  endpoint {
    url = "${live.url}"
    queue_config { ${queue} }
  }
  endpoint {
    url = "${slow.url}"
    queue_config { ${queue} }
  }
}`);
    const r = receiverOf(h, 'prometheus.remote_write.w');
    const series: SeriesLabels[] = Array.from({ length: 20 }, (_, i) => Object.freeze({ __name__: 'reused', i: String(i) }));
    const ROUNDS = 40;
    let last: SampleBatch | undefined;
    for (let round = 0; round < ROUNDS; round++) {
      // The arrays of the batch acknowledged last are filled again, as a scrape loop does.
      const b = new SampleBatchBuilder(series.length, last);
      for (let i = 0; i < series.length; i++) b.add(series[i]!, round * 1000 + i, T0 + round * 1000);
      last = b.finish();
      await r.append(last); // resolves once the batch is in the WAL
      if (round === ROUNDS / 2) await slow.up();
    }
    const expected = Array.from({ length: ROUNDS }, (_, round) => series.map((_, i) => `${i}:${round * 1000 + i}@${T0 + round * 1000}`)).flat();
    const got = (rw: typeof live) => rw.samples.map((s) => `${s.labels.i}:${s.value}@${s.timestampMs}`);
    await live.waitFor(() => live.samples.length >= expected.length, 'every sample at the live endpoint');
    await slow.waitFor(() => slow.samples.length >= expected.length, 'every sample at the slow endpoint');
    // Requests may be cut differently per endpoint: compare each series' samples in order.
    const bySeries = (lines: string[]) => [...lines].sort((a, b) => Number(a.split(':')[0]) - Number(b.split(':')[0]));
    expect(bySeries(got(live))).toEqual(bySeries(expected));
    expect(bySeries(got(slow))).toEqual(bySeries(expected));
  });
});
