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
import { describeSchema, attr, blocks, optional, optionalBlock, schema, t, type Infer, type InferFields } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { TlsConfig } from '../common/http-client.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { relabelRulesType } from '../relabel/rules.js';
import { splitAddress } from './source-syslog/address.js';

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

export const listenerFields = {
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
export type Listener = InferFields<typeof listenerFields>;
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
export type Arguments = Infer<typeof Arguments>;

export const lokiSourceSyslog = defineComponent({
  name: 'loki.source.syslog',
  description: 'Listens for syslog messages over TCP or UDP and forwards them as log entries.',
  stability: 'generally-available',
  args: Arguments,
  liveDebugging: true,
  async build(ctx, initial) {
    const { buildSyslogSource } = await import('./source-syslog/component.js');
    return buildSyslogSource(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(RawFormatOptions, {
  use_null_terminator_delimiter: 'Split messages at NUL bytes instead of newlines.',
}, 'Options of the raw syslog format.');
describeSchema(CiscoComponentsBlock, {
  enable_all: 'Expect every optional Cisco field.',
  message_counter: 'Messages carry a message counter.',
  sequence_number: 'Messages carry a sequence number.',
  hostname: 'Messages carry the host name.',
  second_fractions: 'Timestamps carry fractions of a second.',
}, 'Which Cisco IOS fields RFC 3164 messages carry.');
describeSchema(Listener, {
  address: 'Address and port to listen on.',
  protocol: 'Transport: tcp or udp.',
  idle_timeout: 'How long an idle TCP connection stays open.',
  label_structured_data: 'Turn RFC 5424 structured data into labels.',
  labels: 'Labels added to every message received.',
  use_incoming_timestamp: 'Keep the message\'s own timestamp instead of the time of receipt.',
  use_rfc5424_message: 'Forward the whole RFC 5424 message instead of its text.',
  rfc3164_default_to_current_year: 'Give RFC 3164 timestamps, which have no year, the current year.',
  rfc5424_allow_empty_msg: 'Accept RFC 5424 messages with no text.',
  max_message_length: 'Largest message accepted, in bytes.',
  tls_config: 'TLS settings for TCP connections.',
  syslog_format: 'Message format: rfc5424, rfc3164 or raw.',
  raw_format_options: 'Options of the raw format.',
  rfc3164_cisco_components: 'Cisco IOS fields present in RFC 3164 messages.',
  udp_queue_size: 'Messages queued per UDP listener before reading pauses.',
  udp_host_cache_size: 'Sender host names cached for UDP.',
}, 'One syslog listener.');
describeSchema(Arguments, {
  listener: 'Listeners to open.',
  forward_to: 'Receivers the log entries are sent to.',
  relabel_rules: 'Relabeling rules; __syslog_* fields are available as labels.',
});
