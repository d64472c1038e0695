/**
 * loki.source.api: receives Loki push requests over HTTP and forwards their
 * entries (grafana/alloy internal/component/loki/source/api). Routes:
 * `/loki/api/v1/push` and `/api/v1/push` (protobuf+snappy, JSON, gzip or
 * deflate encoded), `/loki/api/v1/raw` and `/api/v1/raw` (one entry per line),
 * `GET /ready`.
 *
 * As in Alloy, a change of the server blocks restarts the server; other
 * changes (labels, relabel_rules, use_incoming_timestamp, forward_to) apply to
 * the next request. A push is answered only once `forward_to` acknowledged
 * its entries (push-server.ts).
 */
import { describeSchema, attr, optional, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, type LogsReceiver } from '../common/log-entries.js';
import { relabelRulesType } from '../relabel/rules.js';
import { serverFieldDescriptions, serverFields } from './source-api/server-config.js';

export const Arguments = schema({
  ...serverFields,
  forward_to: attr(t.list(t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE))),
  labels: attr(t.map(t.string), {}),
  relabel_rules: optional(relabelRulesType),
  use_incoming_timestamp: attr(t.bool, false),
  max_send_message_size: attr(t.bytes, '100MiB'),
});
export type Arguments = Infer<typeof Arguments>;

export const lokiSourceApi = defineComponent({
  name: 'loki.source.api',
  description: 'Receives log entries pushed with the Loki push API over HTTP and forwards them.',
  stability: 'generally-available',
  args: Arguments,
  async build(ctx, initial) {
    const { buildApiSource } = await import('./source-api/component.js');
    return buildApiSource(ctx, initial);
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  ...serverFieldDescriptions,
  forward_to: 'Receivers the entries are sent to.',
  labels: 'Labels added to every entry received.',
  relabel_rules: 'Relabeling rules applied to the entries received.',
  use_incoming_timestamp: 'Keep the timestamps sent with the entries instead of the time of receipt.',
  max_send_message_size: 'Largest push request body accepted.',
});
