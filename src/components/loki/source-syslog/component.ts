/**
 * loki.source.syslog's implementation: its arguments are declared in
 * ../source-syslog.ts; this module loads only when a config builds the component.
 */
import { Counter } from '../../../runtime/prom-client.js';
import { attrDefault } from '../../../lang/schema.js';
import { stabilityAllowed, type ComponentContext, type ComponentInstance } from '../../../runtime/component.js';
import { stabilityMessage } from '../../../runtime/loader.js';
import { health } from '../../../runtime/health.js';
import { labelsString } from '../../common/log-entries.js';
import { serviceInstance } from '../../common/until-aborted.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { describeMessage, type EntrySink, type SyslogFormat, type SyslogMetrics } from './entries.js';
import { SyslogListener, type ListenerSettings } from './listener.js';
import { listenerFields, type Arguments, type Listener } from '../source-syslog.js';

export async function buildSyslogSource(ctx: ComponentContext<Record<string, never>>, initial: Arguments): Promise<ComponentInstance<Arguments>> {
  const source = new SyslogSource(ctx);
  await source.update(initial);
  return serviceInstance(source);
}

class SyslogSource implements EntrySink {
  readonly metrics: SyslogMetrics;
  private args: Arguments | undefined;
  private listeners: SyslogListener[] = [];
  private queue: Promise<void> = Promise.resolve();
  /** Parse errors logged in the current second (the rest only counted). */
  private loggedErrors = { second: 0, count: 0 };

  constructor(private readonly ctx: ComponentContext<unknown>) {
    const registers = [ctx.registry];
    this.metrics = {
      entries: new Counter({ name: 'loki_source_syslog_entries_total', help: 'Total number of successful entries sent to the syslog target', registers }),
      parsingErrors: new Counter({ name: 'loki_source_syslog_parsing_errors_total', help: 'Total number of parsing errors while receiving syslog messages', registers }),
      emptyMessages: new Counter({ name: 'loki_source_syslog_empty_messages_total', help: 'Total number of empty messages received from syslog', registers }),
    };
  }

  relabel(): RelabelRules | undefined {
    return this.args?.relabel_rules as RelabelRules | undefined;
  }

  parseError(message: string): void {
    this.metrics.parsingErrors.inc();
    const second = Math.floor(Date.now() / 1000);
    if (second !== this.loggedErrors.second) this.loggedErrors = { second, count: 0 };
    if (this.loggedErrors.count++ < 10) this.ctx.logger.warn('error parsing syslog stream', { err: message });
  }

  debug = (format: SyslogFormat, line: string, original: Record<string, string>, mapped: Record<string, string>): void => {
    this.ctx.debug(() => describeMessage(format, line, original, mapped));
  };

  update(next: Arguments): Promise<void> {
    const run = this.queue.then(() => this.apply(next));
    this.queue = run.catch(() => undefined);
    return run;
  }

  stop(): Promise<void> {
    this.queue = this.queue.then(async () => {
      this.ctx.logger.info('loki.source.syslog component shutting down, stopping listeners');
      await Promise.all(this.listeners.map((l) => l.stop()));
      this.listeners = [];
    });
    return this.queue;
  }

  debugInfo(): { listeners_info: { ready: boolean; listen_address: string; labels: string }[] } {
    return { listeners_info: this.listeners.map((l) => ({ ready: l.ready, listen_address: l.listenAddress, labels: labelsString(l.settings.labels) })) };
  }

  private async apply(next: Arguments): Promise<void> {
    refuseExperimental(next, this.ctx);
    const previous = this.args;
    this.args = next;
    if (previous && !listenersChanged(previous, next)) return;
    await Promise.all(this.listeners.map((l) => l.stop()));
    this.listeners = [];
    const failures: string[] = [];
    for (const cfg of next.listener) {
      const listener = new SyslogListener(listenerSettings(cfg), this, () => this.args!.forward_to, this.ctx.logger);
      try {
        await listener.start();
        this.listeners.push(listener);
      } catch (err) {
        const message = `failed to create syslog listener with provided config: ${(err as Error).message}`;
        this.ctx.logger.error(message, { address: cfg.address });
        failures.push(message);
      }
    }
    this.ctx.setHealth(failures.length ? health('unhealthy', failures.join('; ')) : health('healthy', `${this.listeners.length} listener(s) running`));
  }
}

/**
 * The raw format and the Cisco IOS components of RFC 3164 are experimental in
 * Alloy (grafana/alloy internal/component/loki/source/syslog): below
 * `--stability.level=experimental` a config using them is refused, before
 * any listener changes.
 */
function refuseExperimental(args: Arguments, ctx: ComponentContext<unknown>): void {
  if (stabilityAllowed('experimental', ctx.minStability)) return;
  for (const l of args.listener) {
    const feature = l.syslog_format === 'raw' ? 'syslog_format "raw"' : l.rfc3164_cisco_components ? 'rfc3164_cisco_components' : undefined;
    if (feature) throw new Error(stabilityMessage(feature, 'experimental', ctx.minStability));
  }
}

function listenersChanged(a: Arguments, b: Arguments): boolean {
  const ra = a.relabel_rules as RelabelRules | undefined;
  const rb = b.relabel_rules as RelabelRules | undefined;
  const rulesChanged = ra !== rb && !(ra && rb && ra.equals(rb));
  return rulesChanged || JSON.stringify(a.listener) !== JSON.stringify(b.listener);
}

function listenerSettings(l: Listener): ListenerSettings {
  const cisco = l.rfc3164_cisco_components;
  return {
    address: l.address,
    protocol: l.protocol as 'tcp' | 'udp',
    // Alloy reads an explicit zero as the default (transport.go).
    idleTimeoutMs: l.idle_timeout || attrDefault(listenerFields.idle_timeout),
    labels: l.labels,
    maxMessageLength: l.max_message_length || attrDefault(listenerFields.max_message_length),
    tls: l.tls_config,
    nullDelimiter: l.raw_format_options?.use_null_terminator_delimiter ?? false,
    udpQueueSize: l.udp_queue_size || attrDefault(listenerFields.udp_queue_size),
    udpHostCacheSize: l.udp_host_cache_size || attrDefault(listenerFields.udp_host_cache_size),
    format: l.syslog_format as SyslogFormat,
    labelStructuredData: l.label_structured_data,
    useIncomingTimestamp: l.use_incoming_timestamp,
    useRfc5424Message: l.use_rfc5424_message,
    rfc5424AllowEmptyMsg: l.rfc5424_allow_empty_msg,
    rfc3164DefaultToCurrentYear: l.rfc3164_default_to_current_year,
    cisco: cisco
      ? {
          messageCounter: cisco.enable_all || cisco.message_counter,
          sequenceNumber: cisco.enable_all || cisco.sequence_number,
          hostname: cisco.enable_all || cisco.hostname,
          secondFractions: cisco.enable_all || cisco.second_fractions,
        }
      : undefined,
  };
}
