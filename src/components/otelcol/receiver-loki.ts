/**
 * otelcol.receiver.loki: takes Loki entries (export `receiver`, for
 * `forward_to` of loki.* components) and sends them on as OTLP logs, as
 * Alloy's component does (grafana/alloy
 * internal/component/otelcol/receiver/loki/loki.go with the contrib
 * translator's ConvertEntryToLogRecord): the line is the body, every label
 * an attribute, `loki.attribute.labels` names those labels (so
 * otelcol.exporter.loki makes them labels again), a `filename` label also
 * gives log.file.path and log.file.name; the entry's timestamp is kept and
 * the observed time is now. Structured metadata is not carried (nor is it
 * by Alloy).
 *
 * The push resolves once the output consumers accepted the records, so a
 * refusal downstream holds the Loki source back. Alloy sends one OTLP
 * request per entry; here one batch of a stream becomes one request with
 * one resource and scope (the same records).
 */
import { describeSchema, schema, t, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { LOGS_RECEIVER_TYPE, receiverOf, type LogBatch, type LogsReceiver } from '../common/log-entries.js';
import { untilAborted } from '../common/until-aborted.js';
import { fanOut, outputField, type Output } from './pdata/consumer.js';
import type { KeyValue, LogRecord } from './pdata/model.js';

const Arguments = schema({ output: outputField });
type Arguments = Infer<typeof Arguments>;

const Exports = schema({ receiver: { kind: 'attr', type: t.capsule<LogsReceiver>(LOGS_RECEIVER_TYPE), required: true } });

export const otelcolReceiverLoki = defineComponent({
  name: 'otelcol.receiver.loki',
  description: 'Turns Loki log entries into OpenTelemetry logs for otelcol components.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  liveDebugging: true,
  async build(ctx, initial) {
    const { Payload } = await import('./pdata/payload.js');
    const { longFromBigInt } = await import('./pdata/codec.js');
    let args = initial;
    const push = async (batch: LogBatch) => {
      const names = Object.keys(batch.labels).sort();
      const attributes: KeyValue[] = [];
      const filename = batch.labels['filename'];
      if (filename !== undefined) {
        attributes.push({ key: 'log.file.path', value: { stringValue: filename } });
        attributes.push({ key: 'log.file.name', value: { stringValue: filename.slice(filename.lastIndexOf('/') + 1) } });
      }
      if (names.length > 0) attributes.push({ key: 'loki.attribute.labels', value: { stringValue: names.join(',') } });
      for (const name of names) attributes.push({ key: name, value: { stringValue: batch.labels[name]! } });
      const observed = longFromBigInt(BigInt(Date.now()) * 1_000_000n);
      const logRecords: LogRecord[] = batch.lines.map((line, i) => {
        const nanos = BigInt(batch.ms[i]!) * 1_000_000n + BigInt(batch.ns[i]!);
        return { timeUnixNano: nanos === 0n ? observed : longFromBigInt(nanos), observedTimeUnixNano: observed, body: { stringValue: line }, attributes };
      });
      ctx.debug(() => `${logRecords.length} log records from ${JSON.stringify(batch.labels)}`);
      await fanOut((args.output as Output).logs, Payload.fromData('logs', { resourceLogs: [{ resource: {}, scopeLogs: [{ scope: {}, logRecords }] }] }), {});
    };
    ctx.setExports({ receiver: receiverOf(push) });
    return {
      update(next: Arguments) {
        args = next;
      },
      run: untilAborted,
    };
  },
});

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Exports, {
  receiver: 'Receiver that Loki components send log entries to.',
});
