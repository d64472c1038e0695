/**
 * loki.secretfilter's implementation: its arguments are declared in
 * ../secretfilter.ts; this module (with prom-client and the gitleaks rules'
 * TOML parser) loads only when a config builds the component.
 */
import { createHash } from 'node:crypto';
import { Counter, Summary, type Registry } from '../../../runtime/prom-client.js';
import type { ComponentContext, ComponentInstance } from '../../../runtime/component.js';
import { fanOut, flushAll, receiverOf, type LogBatch } from '../../common/log-entries.js';
import { untilAborted } from '../../common/until-aborted.js';
import { SecretDetector, type Finding } from './detector.js';
import type { Arguments, Exports } from '../secretfilter.js';

export function buildSecretFilter(ctx: ComponentContext<Exports>, initial: Arguments): ComponentInstance<Arguments> {
  let args: Arguments = initial;
  let detector = SecretDetector.fromConfig(args.gitleaks_config);
  const metrics = new Metrics(ctx.registry);

  const redact = (line: string, findings: readonly Finding[], origin: string): string => {
    for (const f of findings) {
      const replacement =
        args.redact_with !== ''
          ? args.redact_with.replaceAll('$SECRET_NAME', f.ruleId).replaceAll('$SECRET_HASH', createHash('sha1').update(f.secret).digest('hex'))
          : maskSecret(f.secret, args.redact_percent >= 1 && args.redact_percent <= 100 ? args.redact_percent : 80);
      line = line.split(f.secret).join(replacement);
      metrics.redacted.inc();
      metrics.byCategory.inc({ rule: f.ruleId, origin });
    }
    return line;
  };

  const process = (batch: LogBatch): LogBatch | undefined => {
    const origin = args.origin_label !== '' ? (batch.labels[args.origin_label] ?? '') : '';
    const lines = [...batch.lines];
    let changed = false;
    let timedOut = false;
    for (let i = 0; i < lines.length; i++) {
      if (args.rate < 1 && Math.random() >= args.rate) {
        metrics.bypassed.inc();
        continue;
      }
      const started = performance.now();
      const findings = detector.detect(lines[i]!);
      const elapsedMs = performance.now() - started;
      metrics.duration.observe(elapsedMs / 1000);
      if (args.processing_timeout > 0 && elapsedMs > args.processing_timeout) {
        metrics.timedOut.inc();
        timedOut = true;
      }
      if (findings.length === 0) continue;
      const redacted = redact(lines[i]!, findings, origin);
      if (redacted !== lines[i]) {
        ctx.debug(() => `${lines[i]} => ${redacted}`);
        lines[i] = redacted;
        changed = true;
      }
    }
    if (timedOut && args.drop_on_timeout) {
      metrics.dropped.inc(batch.lines.length);
      return undefined;
    }
    const labels = timedOut && args.label_timed_out ? { ...batch.labels, secretfilter: 'timed-out' } : batch.labels;
    return changed || labels !== batch.labels ? { ...batch, labels, lines } : batch;
  };

  const receiver = receiverOf(
    async (batch: LogBatch) => {
      const out = process(batch);
      if (out) await fanOut(args.forward_to, out);
    },
    () => flushAll(args.forward_to),
  );
  ctx.setExports({ receiver });
  return {
    update(next: Arguments) {
      if (next.gitleaks_config !== args.gitleaks_config) detector = SecretDetector.fromConfig(next.gitleaks_config);
      args = next;
    },
    run: untilAborted,
  };
}

class Metrics {
  readonly redacted: Counter;
  readonly byCategory: Counter<'rule' | 'origin'>;
  readonly duration: Summary;
  readonly bypassed: Counter;
  readonly timedOut: Counter;
  readonly dropped: Counter;

  constructor(registry: Registry) {
    const p = 'loki_secretfilter_';
    this.redacted = new Counter({ name: `${p}secrets_redacted_total`, help: 'Total number of secrets that have been redacted.', registers: [registry] });
    this.byCategory = new Counter({
      name: `${p}secrets_redacted_by_category_total`,
      help: 'Number of secrets redacted, partitioned by rule name and origin label value.',
      labelNames: ['rule', 'origin'],
      registers: [registry],
    });
    this.duration = new Summary({ name: `${p}processing_duration_seconds`, help: 'Summary of the time taken to process and redact logs in seconds.', registers: [registry] });
    this.bypassed = new Counter({ name: `${p}entries_bypassed_total`, help: 'Total number of entries forwarded without processing due to sampling.', registers: [registry] });
    this.timedOut = new Counter({ name: `${p}lines_timed_out_total`, help: 'Total number of log lines that exceeded the processing timeout.', registers: [registry] });
    this.dropped = new Counter({ name: `${p}lines_dropped_total`, help: 'Total number of log lines dropped due to processing timeout.', registers: [registry] });
  }
}

/** gitleaks' mask: the leading (100 − percent)% of the secret, rounded half to even, then "...". */
export function maskSecret(secret: string, percent: number): string {
  if (percent >= 100) return 'REDACTED';
  const keep = roundHalfEven((secret.length * (100 - percent)) / 100);
  return `${secret.slice(0, keep)}...`;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const diff = x - f;
  if (diff > 0.5) return f + 1;
  if (diff < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

