/**
 * otelcol.receiver.loki: Loki entries become OTLP log records (checked at an
 * independent OTLP backend), and through otelcol.exporter.loki → loki.write
 * their labels come back as Loki labels.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { LogsReceiver } from '../../../src/components/common/log-entries.js';
import { eventually, Harness } from '../../support/harness.js';
import { LokiReceiver } from '../../support/loki-receiver.js';
import { OtlpReceiver } from '../../support/otlp-receiver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

describe('otelcol.receiver.loki', () => {
  it('turns entries into OTLP log records and, through otelcol.exporter.loki, back into Loki streams', async () => {
    const otlp = await OtlpReceiver.start();
    cleanups.push(() => otlp.close());
    const loki = await LokiReceiver.start();
    cleanups.push(() => loki.close());
    const h = await Harness.start(`
otelcol.receiver.loki "in" {
  output { logs = [otelcol.exporter.otlp.out.input, otelcol.exporter.loki.back.input] }
}
otelcol.exporter.otlp "out" {
  client {
    endpoint = "${otlp.grpcAddress}"
    tls { insecure = true }
  }
}
otelcol.exporter.loki "back" {
  forward_to = [loki.write.w.receiver]
}
loki.write "w" {
  endpoint {
    url        = "${loki.pushUrl}"
    batch_wait = "20ms"
  }
}`);
    cleanups.push(() => h.stop());
    const receiver = (h.exportOf('otelcol.receiver.loki.in', 'receiver') as unknown as { payload: LogsReceiver }).payload;
    await receiver.push({ labels: { job: 'varlogs', filename: '/var/log/app/x.log' }, ms: Float64Array.of(1_700_000_000_123, 1_700_000_000_124), ns: Int32Array.of(456, 0), lines: ['first line', 'second line'] });

    await eventually(() => otlp.itemCount('logs') >= 2, 'log records at the OTLP backend');
    const records: Obj[] = otlp.bodies('logs').flatMap((b) => (b['resourceLogs'] as Obj[]).flatMap((rl) => rl['scopeLogs'].flatMap((sl: Obj) => sl['logRecords'])));
    expect(records.map((r) => r['body']['stringValue'])).toEqual(['first line', 'second line']);
    expect(records[0]!['timeUnixNano']).toBe('1700000000123000456');
    expect(BigInt(records[0]!['observedTimeUnixNano'])).toBeGreaterThan(1_700_000_000_000_000_000n);
    expect(Object.fromEntries((records[0]!['attributes'] as Obj[]).map((kv) => [kv['key'], kv['value']['stringValue']]))).toEqual({
      'log.file.path': '/var/log/app/x.log',
      'log.file.name': 'x.log',
      'loki.attribute.labels': 'filename,job',
      filename: '/var/log/app/x.log',
      job: 'varlogs',
    });

    await eventually(() => loki.entries().length >= 2, 'entries back at Loki');
    const back = loki.entries();
    expect(back.map((e) => e.labels)).toEqual(['{exporter="OTLP", filename="/var/log/app/x.log", job="varlogs"}', '{exporter="OTLP", filename="/var/log/app/x.log", job="varlogs"}']);
    expect(back[0]!.timestampNs).toBe(1_700_000_000_123_000_456n);
    expect(JSON.parse(back[0]!.line)).toEqual({ body: 'first line', attributes: { 'log.file.name': 'x.log', 'log.file.path': '/var/log/app/x.log' } });
  });
});
