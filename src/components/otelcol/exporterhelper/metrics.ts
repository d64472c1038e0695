/**
 * The exporter metrics of the collector's exporterhelper, under Alloy's names
 * (otelcol_exporter_*): per signal, items sent, failed to send and refused by
 * a full queue; the queue's size and capacity.
 */
import { Counter, Gauge, type Registry } from '../../../runtime/prom-client.js';
import { ITEM_NAME, SIGNALS, type Signal } from '../pdata/model.js';

export class ExporterMetrics {
  private readonly sentItems: Record<Signal, Counter>;
  private readonly failedItems: Record<Signal, Counter>;
  private readonly enqueueFailedItems: Record<Signal, Counter>;
  private readonly queueSize: Gauge;
  private readonly queueCapacity: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    const perSignal = (name: (item: string) => string, help: (item: string) => string) =>
      Object.fromEntries(SIGNALS.map((s) => [s, new Counter({ name: name(ITEM_NAME[s]), help: help(ITEM_NAME[s].replace('_', ' ')), registers })])) as Record<Signal, Counter>;
    this.sentItems = perSignal((i) => `otelcol_exporter_sent_${i}_total`, (i) => `Number of ${i} successfully sent to destination.`);
    this.failedItems = perSignal((i) => `otelcol_exporter_send_failed_${i}_total`, (i) => `Number of ${i} in failed attempts to send to destination.`);
    this.enqueueFailedItems = perSignal((i) => `otelcol_exporter_enqueue_failed_${i}_total`, (i) => `Number of ${i} failed to be added to the sending queue.`);
    this.queueSize = new Gauge({ name: 'otelcol_exporter_queue_size', help: 'Current size of the retry queue (in batches).', registers });
    this.queueCapacity = new Gauge({ name: 'otelcol_exporter_queue_capacity', help: 'Fixed capacity of the retry queue (in batches).', registers });
  }

  sent(signal: Signal, items: number): void {
    this.sentItems[signal].inc(items);
  }

  sendFailed(signal: Signal, items: number): void {
    this.failedItems[signal].inc(items);
  }

  enqueueFailed(signal: Signal, items: number): void {
    this.enqueueFailedItems[signal].inc(items);
  }

  setQueueSize(n: number): void {
    this.queueSize.set(n);
  }

  setQueueCapacity(n: number): void {
    this.queueCapacity.set(n);
  }
}
