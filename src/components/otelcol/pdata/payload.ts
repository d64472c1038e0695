/**
 * What otelcol components pass each other: one signal's OTLP data, held
 * encoded, decoded, or as parts of both, and converted only when a component
 * asks for the other form. A receiver hands on the request bytes it got; the
 * batch processor joins and cuts them at resource boundaries (an export
 * request is `repeated Resource* = 1`, so encoded requests concatenate into
 * one); an OTLP exporter sends bytes again — data that only passes through
 * is never decoded into objects nor re-encoded. Components that read the
 * data (Loki and Prometheus exporters, processors that change it) get the
 * typed model (model.ts) from `data`.
 *
 * Encoded input is checked when it arrives: the protobuf framing down to the
 * items (resource → scope → span / log record / data point) must be sound,
 * which is also how items are counted. Fields inside items are decoded only
 * by components that read them.
 */
import { decodeRequest, encodeRequest } from './codec.js';
import { itemCount, type AnySignalData, type Signal } from './model.js';

/** One resource's worth of data, encoded (a whole `field 1` of a request, tag included) or decoded. */
export type Segment = { readonly bytes: Uint8Array; readonly items: number; readonly resource?: undefined } | { readonly resource: object; readonly items: number; readonly bytes?: undefined };

export class WireError extends Error {}

const RESOURCES_FIELD: Record<Signal, string> = { traces: 'resourceSpans', metrics: 'resourceMetrics', logs: 'resourceLogs' };

export class Payload {
  readonly items: number;
  private decoded: AnySignalData | undefined;
  private encoded: Uint8Array | undefined;
  private encodedParts: Uint8Array[] | undefined;

  private constructor(
    readonly signal: Signal,
    readonly segments: readonly Segment[],
  ) {
    let n = 0;
    for (const s of segments) n += s.items;
    this.items = n;
  }

  /** Encoded export request; throws WireError when its framing is malformed. */
  static fromBytes(signal: Signal, bytes: Uint8Array): Payload {
    const p = new Payload(signal, scanResources(signal, bytes));
    p.encoded = bytes;
    return p;
  }

  static fromData(signal: Signal, data: AnySignalData): Payload {
    const resources = (data as Record<string, object[] | null | undefined>)[RESOURCES_FIELD[signal]] ?? [];
    const p = new Payload(signal, resources.map((resource) => ({ resource, items: itemCount(signal, { [RESOURCES_FIELD[signal]]: [resource] } as AnySignalData) })));
    p.decoded = data;
    return p;
  }

  static fromSegments(signal: Signal, segments: readonly Segment[]): Payload {
    return new Payload(signal, segments);
  }

  /** The typed data (decoded now if it arrived encoded; throws on malformed items). */
  get data(): AnySignalData {
    if (this.decoded) return this.decoded;
    const resources: object[] = [];
    for (const s of this.segments) {
      if (s.resource) resources.push(s.resource);
      else {
        const decoded = decodeRequest(this.signal, s.bytes) as Record<string, object[] | null | undefined>;
        for (const r of decoded[RESOURCES_FIELD[this.signal]] ?? []) resources.push(r);
      }
    }
    this.decoded = { [RESOURCES_FIELD[this.signal]]: resources } as AnySignalData;
    return this.decoded;
  }

  /** The encoded export request (decoded parts encoded now, encoded parts as they are). */
  get bytes(): Uint8Array {
    if (this.encoded) return this.encoded;
    const parts = this.parts;
    this.encoded = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
    return this.encoded;
  }

  /**
   * The encoded export request as pieces whose concatenation is `bytes`
   * (encoded requests concatenate), for a sender that joins them into a
   * buffer of its own instead of a new one per request.
   */
  get parts(): readonly Uint8Array[] {
    if (this.encoded) return [this.encoded];
    this.encodedParts ??= this.segments.map((s) => s.bytes ?? encodeRequest(this.signal, { [RESOURCES_FIELD[this.signal]]: [s.resource] } as AnySignalData));
    return this.encodedParts;
  }
}

/** The decoded resource of an encoded segment. */
export function decodeSegment(signal: Signal, bytes: Uint8Array): object {
  const decoded = decodeRequest(signal, bytes) as Record<string, object[] | null | undefined>;
  return decoded[RESOURCES_FIELD[signal]]![0]!;
}

export function resourcesField(signal: Signal): string {
  return RESOURCES_FIELD[signal];
}

// ---------------------------------------------------------------------------
// Wire scanning (protobuf encoding: varint tags, length-delimited fields)

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

/** Reads a varint at `pos`; returns it and stores the next position in `cursor.pos`. */
function readVarint(buf: Uint8Array, cursor: { pos: number }, end: number): number {
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 10; i++) {
    if (cursor.pos >= end) throw new WireError('truncated varint');
    const b = buf[cursor.pos++]!;
    result += (b & 0x7f) * mul;
    if ((b & 0x80) === 0) return result;
    mul *= 128;
  }
  throw new WireError('varint too long');
}

/** Skips a field's value of the given wire type. */
function skipValue(buf: Uint8Array, cursor: { pos: number }, wire: number, end: number): void {
  switch (wire) {
    case WIRE_VARINT:
      readVarint(buf, cursor, end);
      return;
    case WIRE_I64:
      cursor.pos += 8;
      break;
    case WIRE_I32:
      cursor.pos += 4;
      break;
    case WIRE_LEN: {
      const len = readVarint(buf, cursor, end); // read before cursor.pos is: the read moves it
      cursor.pos += len;
      break;
    }
    default:
      throw new WireError(`invalid wire type ${wire}`);
  }
  if (cursor.pos > end) throw new WireError('field runs past its message');
}

/**
 * Walks the length-delimited fields numbered `fields` of a message in
 * [start, end), calling `visit(valueStart, valueEnd)` for each; other fields
 * are skipped.
 */
function eachField(buf: Uint8Array, start: number, end: number, fields: (field: number) => boolean, visit: (from: number, to: number, tagStart: number) => void): void {
  const cursor = { pos: start };
  while (cursor.pos < end) {
    const tagStart = cursor.pos;
    const tag = readVarint(buf, cursor, end);
    const field = Math.floor(tag / 8);
    const wire = tag & 7;
    if (field === 0) throw new WireError('field number 0');
    if (wire === WIRE_LEN && fields(field)) {
      const len = readVarint(buf, cursor, end);
      const from = cursor.pos;
      const to = from + len;
      if (to > end) throw new WireError('field runs past its message');
      visit(from, to, tagStart);
      cursor.pos = to;
    } else skipValue(buf, cursor, wire, end);
  }
}

/**
 * Walks every field of a message in [start, end), calling `visit` with its
 * number, where its tag starts, where its value starts (after the length,
 * for length-delimited fields) and where it ends.
 */
export function eachRawField(buf: Uint8Array, start: number, end: number, visit: (field: number, tagStart: number, valueStart: number, fieldEnd: number) => void): void {
  const cursor = { pos: start };
  while (cursor.pos < end) {
    const tagStart = cursor.pos;
    const tag = readVarint(buf, cursor, end);
    const field = Math.floor(tag / 8);
    if (field === 0) throw new WireError('field number 0');
    const wire = tag & 7;
    let valueStart = cursor.pos;
    if (wire === WIRE_LEN) {
      const len = readVarint(buf, cursor, end);
      valueStart = cursor.pos;
      cursor.pos += len;
      if (cursor.pos > end) throw new WireError('field runs past its message');
    } else skipValue(buf, cursor, wire, end);
    visit(field, tagStart, valueStart, cursor.pos);
  }
}

const is = (n: number) => (field: number) => field === n;
/** Metric's data fields: gauge 5, sum 7, histogram 9, exponential_histogram 10, summary 11. */
const isMetricData = (field: number) => field === 5 || field === 7 || field === 9 || field === 10 || field === 11;

/** Items in one encoded resource (ResourceSpans/ResourceLogs/ResourceMetrics body). */
function countResourceItems(signal: Signal, buf: Uint8Array, from: number, to: number): number {
  let n = 0;
  eachField(buf, from, to, is(2), (sFrom, sTo) => {
    eachField(buf, sFrom, sTo, is(2), (iFrom, iTo) => {
      if (signal !== 'metrics') n++;
      else eachField(buf, iFrom, iTo, isMetricData, (dFrom, dTo) => eachField(buf, dFrom, dTo, is(1), () => n++));
    });
  });
  return n;
}

/** The resources of an encoded export request, each a segment with its item count. */
export function scanResources(signal: Signal, buf: Uint8Array): Segment[] {
  const out: Segment[] = [];
  eachField(buf, 0, buf.length, is(1), (from, to, tagStart) => {
    out.push({ bytes: buf.subarray(tagStart, to), items: countResourceItems(signal, buf, from, to) });
  });
  return out;
}
