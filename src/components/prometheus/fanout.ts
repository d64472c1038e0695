/**
 * Forwarding samples to `forward_to` with the metrics every Alloy component
 * that fans out samples exposes: `prometheus_fanout_latency` (how long the
 * receivers took to acknowledge) and `prometheus_forwarded_samples_total`.
 */
import { Counter, Histogram, type Registry } from '../../runtime/prom-client.js';
import { fanOutSamples, type MetricsReceiver, type SampleBatch } from '../common/metric-samples.js';

export class SamplesFanout {
  private readonly latency: Histogram;
  private readonly forwarded: Counter;

  constructor(
    registry: Registry,
    private receivers: readonly MetricsReceiver[],
  ) {
    const registers = [registry];
    this.latency = new Histogram({
      name: 'prometheus_fanout_latency',
      help: 'Write latency for sending to direct and indirect components',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.forwarded = new Counter({ name: 'prometheus_forwarded_samples_total', help: 'Total number of samples sent to downstream components.', registers });
  }

  setReceivers(receivers: readonly MetricsReceiver[]): void {
    this.receivers = receivers;
  }

  /** Sends to every receiver; resolves once all acknowledged. */
  async send(batch: SampleBatch): Promise<void> {
    if (batch.length === 0 || this.receivers.length === 0) return;
    const started = performance.now();
    this.forwarded.inc(batch.length);
    try {
      await fanOutSamples(this.receivers, batch);
    } finally {
      this.latency.observe((performance.now() - started) / 1000);
    }
  }
}
