/**
 * loki.secretfilter (grafana/alloy internal/component/loki/secretfilter):
 * redacts secrets found in log lines before forwarding them. Each finding is
 * replaced by `redact_with` (with `$SECRET_NAME` and `$SECRET_HASH`, a SHA-1
 * hex of the secret) or, without it, masked gitleaks-style: the leading
 * (100 − redact_percent)% kept and "..." appended ("REDACTED" at 100%).
 * `rate` samples which entries are scanned; `processing_timeout` bounds the
 * scan of one entry (regexes run synchronously, so the bound is checked
 * after each rule). Rules: see secretfilter/detector.ts and rules.ts.
 */
import { attr, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';

const Arguments = schema(
  {
    forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
    origin_label: attr(t.string, ''),
    redact_with: attr(t.string, ''),
    redact_percent: attr(t.int, 80),
    gitleaks_config: attr(t.string, ''),
    rate: attr(t.float, 1),
    processing_timeout: attr(t.duration, '0s'),
    drop_on_timeout: attr(t.bool, false),
    label_timed_out: attr(t.bool, false),
  },
  (a) => (a.rate < 0 || a.rate > 1 ? `secretfilter: sampling rate must be between 0.0 and 1.0, got ${a.rate}` : undefined),
);
export type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: attr(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE)) });
export type Exports = Infer<typeof Exports>;

export const lokiSecretFilter = defineComponent({
  name: 'loki.secretfilter',
  stability: 'public-preview',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { buildSecretFilter } = await import('./secretfilter/component.js');
    return buildSecretFilter(ctx, initial);
  },
});
