/**
 * Receiver metrics of the collector's receiverhelper under Alloy's names:
 * otelcol_receiver_accepted_* and otelcol_receiver_refused_* per signal.
 */
import { Counter, type Registry } from '../../../runtime/prom-client.js';
import { ITEM_NAME, SIGNALS, type Signal } from './model.js';

export class ReceiverMetrics {
  private readonly accepted: Record<Signal, Counter<'transport'>>;
  private readonly refused: Record<Signal, Counter<'transport'>>;

  constructor(registry: Registry) {
    const registers = [registry];
    const perSignal = (verb: string, help: string) =>
      Object.fromEntries(
        SIGNALS.map((s) => [s, new Counter({ name: `otelcol_receiver_${verb}_${ITEM_NAME[s]}_total`, help: `Number of ${ITEM_NAME[s].replace('_', ' ')} ${help}`, labelNames: ['transport'], registers })]),
      ) as Record<Signal, Counter<'transport'>>;
    this.accepted = perSignal('accepted', 'successfully pushed into the pipeline.');
    this.refused = perSignal('refused', 'that could not be pushed into the pipeline.');
  }

  record(signal: Signal, transport: string, items: number, ok: boolean): void {
    (ok ? this.accepted : this.refused)[signal].inc({ transport }, items);
  }
}
