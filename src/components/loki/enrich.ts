/**
 * loki.enrich (grafana/alloy internal/component/loki/enrich/enrich.go):
 * adds labels from discovered targets to log entries. A target is keyed by
 * its `target_match_label` value; an entry whose `logs_match_label` (default:
 * the same name) has that value gets the target's labels — all of them, or
 * only the non-empty ones named in `labels_to_copy` — replacing values the
 * entry had. Entries without a match pass unchanged.
 */
import { describeSchema, attr, schema, t, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { entryCount, fanOut, flushAll, LOGS_RECEIVER_TYPE, receiverOf, withLabels, type Labels, type LogBatch, type LogsReceiver } from '../common/log-entries.js';
import { untilAborted } from '../common/until-aborted.js';

const Arguments = schema({
  targets: attr(targetsType),
  target_match_label: attr(t.string),
  logs_match_label: attr(t.string, ''),
  labels_to_copy: attr(t.list(t.string), []),
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
});
type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: attr(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE)) });

/** The lookup built from one set of arguments. */
class Enricher {
  private readonly byValue = new Map<string, Labels>();
  private readonly matchLabel: string;

  constructor(private readonly args: Arguments) {
    for (const target of args.targets) {
      const key = target[args.target_match_label];
      if (key) this.byValue.set(key, target);
    }
    this.matchLabel = args.logs_match_label || args.target_match_label;
  }

  labelsFor(labels: Labels): Labels {
    const key = labels[this.matchLabel];
    const target = key ? this.byValue.get(key) : undefined;
    if (!target) return labels;
    if (this.args.labels_to_copy.length === 0) return { ...labels, ...target };
    const out: Record<string, string> = { ...labels };
    for (const name of this.args.labels_to_copy) {
      const value = target[name];
      if (value) out[name] = value;
    }
    return out;
  }
}

export const lokiEnrich = defineComponent({
  name: 'loki.enrich',
  description: 'Adds labels from discovered targets to log entries whose label matches a target\'s label.',
  stability: 'experimental',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  build(ctx, initial) {
    let args = initial;
    let enricher = new Enricher(args);
    const receiver = receiverOf(
      async (batch: LogBatch) => {
        const labels = enricher.labelsFor(batch.labels);
        if (labels !== batch.labels) ctx.debug(() => `${entryCount(batch)} entries enriched`);
        await fanOut(args.forward_to, labels === batch.labels ? batch : withLabels(batch, labels));
      },
      () => flushAll(args.forward_to),
    );
    ctx.setExports({ receiver });
    return {
      update(next: Arguments) {
        args = next;
        enricher = new Enricher(next);
      },
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  targets: 'Targets whose labels enrich the entries.',
  target_match_label: 'Target label compared with the entries\' label.',
  logs_match_label: 'Entry label compared with the targets\' label (target_match_label when unset).',
  labels_to_copy: 'Target labels copied to matching entries (all when unset).',
  forward_to: 'Receivers the entries are sent to.',
});
describeSchema(Exports, {
  receiver: 'Receiver that log entries are sent to.',
});
