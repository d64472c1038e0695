import { describe, expect, it } from 'vitest';
import { decodeJsonRequest, decodeRequest, encodeJsonRequest, encodeRequest } from '../../../src/components/otelcol/pdata/codec.js';
import type { TracesData } from '../../../src/components/otelcol/pdata/model.js';

const JSON_TRACES = {
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] },
    scopeSpans: [{
      scope: { name: 's', version: '1' },
      spans: [{
        traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'x', kind: 2,
        startTimeUnixNano: '1544712660000000000', endTimeUnixNano: '1544712661000000001',
        attributes: [{ key: 'n', value: { intValue: '9007199254740993' } }],
      }],
    }],
  }],
};

describe('OTLP codec', () => {
  it('round-trips OTLP/JSON through protobuf keeping hex ids and exact 64-bit values', () => {
    const decoded = decodeJsonRequest('traces', JSON.stringify(JSON_TRACES)) as TracesData;
    const back = decodeRequest('traces', encodeRequest('traces', decoded)) as TracesData;
    const span = back.resourceSpans![0]!.scopeSpans![0]!.spans![0]!;
    expect(span.endTimeUnixNano!.toString()).toBe('1544712661000000001');
    expect(Buffer.from(span.traceId!).toString('hex')).toBe('5b8efff798038103d269b633813fc60c');
    expect(JSON.parse(encodeJsonRequest('traces', back))).toEqual(JSON_TRACES);
  });

  it('refuses ids that are not hex', () => {
    const bad = structuredClone(JSON_TRACES);
    bad.resourceSpans[0]!.scopeSpans[0]!.spans[0]!.traceId = 'zz';
    expect(() => decodeJsonRequest('traces', JSON.stringify(bad))).toThrow(/invalid traceId/);
  });
});
