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
import { describeSchema, attr, schema, t, type Infer } from '../../lang/schema.js';
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
  description: 'Finds credentials in log lines with gitleaks-style rules and replaces them before forwarding.',
  stability: 'public-preview',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { buildSecretFilter } = await import('./secretfilter/component.js');
    return buildSecretFilter(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  forward_to: 'Receivers the filtered entries are sent to.',
  origin_label: 'Label whose value becomes the origin dimension of the redaction metrics.',
  redact_with: 'Text put in place of a secret; may contain $SECRET_NAME and $SECRET_HASH.',
  redact_percent: 'Without redact_with: percent of each secret that is hidden, 1 to 100 (100 hides all of it).',
  gitleaks_config: 'Gitleaks configuration file with the rules to use instead of the built-in ones.',
  rate: 'Share of entries checked, from 0 to 1; unchecked entries pass unchanged.',
  processing_timeout: 'Longest time spent on one entry (0 means no limit).',
  drop_on_timeout: 'Drop an entry whose check timed out instead of forwarding it unfiltered.',
  label_timed_out: 'Mark entries forwarded after a timeout with the label secretfilter="timed-out".',
});
describeSchema(Exports, {
  receiver: 'Receiver that log entries are sent to.',
});
