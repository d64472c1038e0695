/**
 * loki.source.syslog: syslog listeners over TCP (octet counting or
 * newline framing, optional TLS) and UDP, RFC 5424, RFC 3164 (with Cisco IOS
 * extensions) and the experimental raw format (grafana/alloy
 * internal/component/loki/source/syslog).
 *
 * As in Alloy, a change of the listeners or of the relabel rules restarts
 * every listener; forward_to changes apply at once. A listener that cannot
 * listen is logged and reported in health, and the others run.
 */
import { Counter } from 'prom-client';
import { attr, attrDefault, blocks, optional, optionalBlock, schema, t, type Infer, type InferFields } from '../../lang/schema.js';
import { defineComponent, type ComponentContext } from '../../runtime/component.js';
import { health } from '../../runtime/health.js';
import { TlsConfig } from '../common/http-client.js';
import { labelsString, LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { serviceInstance } from '../common/until-aborted.js';
import { relabelRulesType, type RelabelRules } from '../relabel/rules.js';
import { describeMessage, type EntrySink, type SyslogFormat, type SyslogMetrics } from './source-syslog/entries.js';
import { SyslogListener, splitAddress, type ListenerSettings } from './source-syslog/listener.js';

const RawFormatOptions = schema({
  use_null_terminator_delimiter: attr(t.bool, false),
});

const CiscoComponentsBlock = schema(
  {
    enable_all: attr(t.bool, false),
    message_counter: attr(t.bool, false),
    sequence_number: attr(t.bool, false),
    hostname: attr(t.bool, false),
    second_fractions: attr(t.bool, false),
  },
  (c) => (!c.enable_all && !c.message_counter && !c.sequence_number && !c.hostname && !c.second_fractions ? 'at least one option in rfc3164_cisco_components has to be enabled' : undefined),
);

const listenerFields = {
    address: attr(t.string),
    protocol: attr(t.string, 'tcp'),
    idle_timeout: attr(t.duration, '120s'),
    label_structured_data: attr(t.bool, false),
    labels: attr(t.map(t.string), {}),
    use_incoming_timestamp: attr(t.bool, false),
    use_rfc5424_message: attr(t.bool, false),
    rfc3164_default_to_current_year: attr(t.bool, false),
    rfc5424_allow_empty_msg: attr(t.bool, false),
    max_message_length: attr(t.int, 8192),
    tls_config: optionalBlock(TlsConfig),
    syslog_format: attr(t.string, 'rfc5424'),
    raw_format_options: optionalBlock(RawFormatOptions),
    rfc3164_cisco_components: optionalBlock(CiscoComponentsBlock),
    udp_queue_size: attr(t.int, 10),
    udp_host_cache_size: attr(t.int, 128),
};
type Listener = InferFields<typeof listenerFields>;
const Listener = schema(listenerFields, validateListener);

/** Alloy's ListenerConfig.Validate, with its messages. */
function validateListener(l: Listener): string | undefined {
  if (l.protocol !== 'tcp' && l.protocol !== 'udp') return `syslog listener protocol should be either 'tcp' or 'udp', got ${l.protocol}`;
  if (!['rfc5424', 'rfc3164', 'raw'].includes(l.syslog_format)) return `unknown syslog format: ${JSON.stringify(l.syslog_format)}`;
  if (l.rfc3164_cisco_components && l.syslog_format !== 'rfc3164') return 'rfc3164_cisco_components has no effect when syslog format is not "rfc3164"';
  if (l.syslog_format !== 'rfc5424' && l.rfc5424_allow_empty_msg) return `"rfc5424_allow_empty_msg" has no effect when syslog format is set to "${l.syslog_format}"`;
  if (l.syslog_format === 'raw') {
    for (const field of ['use_rfc5424_message', 'rfc3164_default_to_current_year', 'use_incoming_timestamp'] as const) {
      if (l[field]) return `"${field}" has no effect when syslog format is set to "raw"`;
    }
  } else if (l.raw_format_options) return 'raw_format_options has no effect when syslog format is not "raw"';
  if (l.max_message_length < 0) return 'max_message_length must not be negative';
  try {
    splitAddress(l.address);
  } catch (err) {
    return (err as Error).message;
  }
  return undefined;
}

const Arguments = schema({
  listener: blocks(Listener),
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
  relabel_rules: optional(relabelRulesType),
});
type Arguments = Infer<typeof Arguments>;

export const lokiSourceSyslog = defineComponent({
  name: 'loki.source.syslog',
  stability: 'generally-available',
  args: Arguments,
  liveDebugging: true,
  async build(ctx, initial) {
    const source = new SyslogSource(ctx);
    await source.update(initial);
    return serviceInstance(source);
  },
});

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
