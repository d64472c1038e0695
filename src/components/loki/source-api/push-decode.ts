/**
 * Decoding Loki push bodies as loki.source.api receives them (grafana/alloy
 * internal/component/loki/source/api/internal/loghttp/request.go):
 *
 * - Content-Encoding "", "snappy", "gzip" or "deflate"; anything else is refused.
 * - Content-Type application/json: `{"streams":[{"stream":{…},"values":[["<ns>","line",{md}]]}]}`;
 *   any other (or no parameters) media type: a snappy-compressed (block format)
 *   protobuf PushRequest. A missing Content-Type is refused, as Go's
 *   mime.ParseMediaType refuses "".
 *
 * Every size is bounded by `maxBytes` (max_send_message_size): the body as
 * received, the snappy block's declared length and what gzip/deflate inflate to.
 */
import { inflateSync, gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs/minimal.js';
import { uncompressSync } from 'snappy';
import { quote, unescapeGoString } from '../../../go/strconv.js';
import type { StructuredMetadata } from '../../common/log-entries.js';

const { Reader } = protobuf;
type Reader = protobuf.Reader;

/** One stream of a push request: its label string and entries as parallel arrays. */
export interface PushedStream {
  readonly labels: string;
  readonly ms: number[];
  readonly ns: number[];
  readonly lines: string[];
  readonly metadata: (StructuredMetadata | undefined)[];
}

/** A request the client got wrong: answered with 400 and this message. */
export class BadPushRequest extends Error {}

export interface PushHeaders {
  readonly contentType: string | undefined;
  readonly contentEncoding: string | undefined;
}

/** Decodes a whole push body (already read, at most maxBytes) into streams. */
export function decodePushBody(body: Buffer, headers: PushHeaders, maxBytes: number): PushedStream[] {
  const data = decodeContentEncoding(body, headers.contentEncoding ?? '', maxBytes);
  const mediaType = parseMediaType(headers.contentType ?? '');
  if (mediaType === 'application/json') return decodeJsonPush(data);
  return decodeProtobufPush(snappyBlock(data, maxBytes));
}

function decodeContentEncoding(body: Buffer, encoding: string, maxBytes: number): Buffer {
  try {
    switch (encoding) {
      case '':
      case 'snappy':
        return body;
      case 'gzip':
        return gunzipSync(body, { maxOutputLength: maxBytes });
      case 'deflate':
        return inflateSync(body, { maxOutputLength: maxBytes });
    }
  } catch (err) {
    throw new BadPushRequest(inflateError(err, encoding, maxBytes));
  }
  throw new BadPushRequest(`Content-Encoding ${JSON.stringify(encoding)} not supported`);
}

function inflateError(err: unknown, encoding: string, maxBytes: number): string {
  if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return `${encoding} body inflates to more than the maximum of ${maxBytes} bytes`;
  return `${encoding}: ${(err as Error).message}`;
}

/** Go's mime.ParseMediaType, as far as the push handler needs it: the lower-cased type. */
function parseMediaType(value: string): string {
  const type = value.split(';')[0]!.trim().toLowerCase();
  if (type === '') throw new BadPushRequest('mime: no media type');
  if (!/^[!#$%&'*+\-.^_`|~0-9a-z]+\/[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(type)) throw new BadPushRequest('mime: expected token after slash');
  return type;
}

/** A snappy block, checked against the limit by its declared length before it is inflated. */
function snappyBlock(data: Buffer, maxBytes: number): Buffer {
  const declared = snappyDeclaredLength(data);
  if (declared === undefined) throw new BadPushRequest('snappy: corrupt input');
  // The wording of grafana/loki pkg/util ParseProtoReader.
  if (declared > maxBytes) throw new BadPushRequest(`received message larger than max (${declared} vs ${maxBytes})`);
  try {
    return uncompressSync(data, { asBuffer: true }) as Buffer;
  } catch (err) {
    const message = (err as Error).message;
    throw new BadPushRequest(message.startsWith('snappy') ? message : `snappy: ${message}`);
  }
}

/** The uncompressed length a snappy block starts with (a varint), if well-formed. */
function snappyDeclaredLength(data: Buffer): number | undefined {
  let value = 0;
  for (let i = 0, shift = 0; i < 5 && i < data.length; i++, shift += 7) {
    const byte = data[i]!;
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return value;
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Protobuf: logproto.PushRequest (grafana/loki pkg/push/push.proto)

function decodeProtobufPush(buf: Buffer): PushedStream[] {
  const streams: PushedStream[] = [];
  try {
    const r = Reader.create(buf);
    while (r.pos < r.len) {
      const tag = r.uint32();
      if (tag >>> 3 === 1 && (tag & 7) === 2) streams.push(decodeStream(r, r.uint32()));
      else r.skipType(tag & 7);
    }
  } catch (err) {
    if (err instanceof BadPushRequest) throw err;
    throw new BadPushRequest(`proto: ${(err as Error).message}`);
  }
  return streams;
}

function decodeStream(r: Reader, length: number): PushedStream {
  const end = r.pos + length;
  const stream: PushedStream & { labels: string } = { labels: '', ms: [], ns: [], lines: [], metadata: [] };
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 1 && (tag & 7) === 2) stream.labels = r.string();
    else if (field === 2 && (tag & 7) === 2) decodeEntry(r, r.uint32(), stream);
    else r.skipType(tag & 7);
  }
  return stream;
}

function decodeEntry(r: Reader, length: number, stream: PushedStream): void {
  const end = r.pos + length;
  let seconds = 0;
  let nanos = 0;
  let line = '';
  let metadata: Record<string, string> | undefined;
  while (r.pos < end) {
    const tag = r.uint32();
    switch (tag >>> 3) {
      case 1:
        [seconds, nanos] = decodeTimestamp(r, r.uint32());
        break;
      case 2:
        line = r.string();
        break;
      case 3: {
        const [name, value] = decodeLabelPair(r, r.uint32());
        (metadata ??= {})[name] = value;
        break;
      }
      default:
        r.skipType(tag & 7);
    }
  }
  const ms = seconds * 1000 + Math.floor(nanos / 1_000_000);
  stream.ms.push(ms);
  stream.ns.push(nanos % 1_000_000);
  stream.lines.push(line);
  stream.metadata.push(metadata);
}

function decodeTimestamp(r: Reader, length: number): [number, number] {
  const end = r.pos + length;
  let seconds = 0;
  let nanos = 0;
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) seconds = Number(r.int64());
    else if (tag >>> 3 === 2) nanos = r.int32();
    else r.skipType(tag & 7);
  }
  return [seconds, nanos];
}

/** A `{name = 1, value = 2}` string pair message (Loki's LabelAdapter, Prometheus' Label). */
export function decodeLabelPair(r: Reader, length: number): [string, string] {
  const end = r.pos + length;
  let name = '';
  let value = '';
  while (r.pos < end) {
    const tag = r.uint32();
    if (tag >>> 3 === 1) name = r.string();
    else if (tag >>> 3 === 2) value = r.string();
    else r.skipType(tag & 7);
  }
  return [name, value];
}

// ---------------------------------------------------------------------------
// JSON (grafana/loki pkg/loghttp/push.go: values are ["<unix ns>", "line", {metadata}])

function decodeJsonPush(data: Buffer): PushedStream[] {
  let doc: unknown;
  try {
    doc = JSON.parse(data.toString('utf8'));
  } catch (err) {
    throw new BadPushRequest(`invalid JSON body: ${(err as Error).message}`);
  }
  const streams = (doc as { streams?: unknown } | null)?.streams;
  if (streams === undefined || streams === null) return [];
  if (!Array.isArray(streams)) throw new BadPushRequest('"streams" must be an array');
  return streams.map(jsonStream);
}

function jsonStream(value: unknown): PushedStream {
  if (typeof value !== 'object' || value === null) throw new BadPushRequest('a stream must be an object');
  const { stream: labels, values } = value as { stream?: unknown; values?: unknown };
  const out: PushedStream = { labels: labelSetJson(labels), ms: [], ns: [], lines: [], metadata: [] };
  if (values === undefined || values === null) return out;
  if (!Array.isArray(values)) throw new BadPushRequest('"values" must be an array');
  for (const v of values) if (v !== null) jsonEntry(v, out);
  return out;
}

/** The stream's labels as Loki's LabelSet.String() writes them (sorted, Go-quoted). */
function labelSetJson(labels: unknown): string {
  if (labels === undefined || labels === null) return '{}';
  if (typeof labels !== 'object' || Array.isArray(labels)) throw new BadPushRequest('"stream" must be an object');
  const names = Object.keys(labels).sort();
  const pairs = names.map((n) => {
    const v = (labels as Record<string, unknown>)[n];
    if (typeof v !== 'string') throw new BadPushRequest(`label ${JSON.stringify(n)} must be a string`);
    return `${n}=${quote(v)}`;
  });
  return `{${pairs.join(', ')}}`;
}

function jsonEntry(v: unknown, out: PushedStream): void {
  if (!Array.isArray(v) || typeof v[0] !== 'string' || typeof v[1] !== 'string') throw new BadPushRequest('an entry must be ["<unix nanoseconds>", "<line>"] with an optional metadata object');
  const [ms, ns] = nanosString(v[0]);
  let metadata: Record<string, string> | undefined;
  if (v.length > 2 && v[2] !== null) {
    if (typeof v[2] !== 'object' || Array.isArray(v[2])) throw new BadPushRequest('structured metadata must be an object');
    for (const [name, value] of Object.entries(v[2] as Record<string, unknown>)) {
      if (typeof value !== 'string') throw new BadPushRequest(`structured metadata ${JSON.stringify(name)} must be a string`);
      (metadata ??= {})[name] = value;
    }
  }
  out.ms.push(ms);
  out.ns.push(ns);
  out.lines.push(v[1]);
  out.metadata.push(metadata);
}

/** "1700000000123456789" → [ms, ns within the ms], exactly (beyond 2^53). */
function nanosString(text: string): [number, number] {
  if (!/^-?\d{1,19}$/.test(text)) throw new BadPushRequest(`invalid timestamp ${JSON.stringify(text)}`);
  const total = BigInt(text);
  const ms = total / 1_000_000n;
  let ns = total % 1_000_000n;
  let whole = ms;
  if (ns < 0n) {
    ns += 1_000_000n;
    whole -= 1n;
  }
  return [Number(whole), Number(ns)];
}

// ---------------------------------------------------------------------------
// Stream label strings: Prometheus' promql ParseMetric on `{a="b", c="d"}`.

/** Parses a stream selector with `=` matchers only; throws BadPushRequest with the reason. */
export function parseStreamLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = skipSpace(text, 0);
  const metricName = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(text.slice(i));
  if (metricName) {
    labels.__name__ = metricName[0];
    i = skipSpace(text, i + metricName[0].length);
    if (i === text.length) return labels;
  }
  if (text[i] !== '{') throw new BadPushRequest(`1:${i + 1}: parse error: unexpected character in stream labels ${JSON.stringify(text)}`);
  i = skipSpace(text, i + 1);
  while (text[i] !== '}') {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!name) throw new BadPushRequest(`1:${i + 1}: parse error: expected label name in ${JSON.stringify(text)}`);
    i = skipSpace(text, i + name[0].length);
    if (text[i] !== '=' || text[i + 1] === '~') throw new BadPushRequest(`1:${i + 1}: parse error: expected "=" after label ${name[0]}`);
    i = skipSpace(text, i + 1);
    const [value, next] = quotedString(text, i);
    labels[name[0]] = value;
    i = skipSpace(text, next);
    if (text[i] === ',') i = skipSpace(text, i + 1);
    else if (text[i] !== '}') throw new BadPushRequest(`1:${i + 1}: parse error: unexpected end of stream labels ${JSON.stringify(text)}`);
  }
  if (skipSpace(text, i + 1) !== text.length) throw new BadPushRequest(`1:${i + 2}: parse error: unexpected text after stream labels`);
  return labels;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

/** A "…", '…' or `…` string at i: its value and the index after it. */
function quotedString(text: string, i: number): [string, number] {
  const q = text[i];
  if (q !== '"' && q !== "'" && q !== '`') throw new BadPushRequest(`1:${i + 1}: parse error: expected a quoted label value`);
  let j = i + 1;
  while (j < text.length && text[j] !== q) j += q !== '`' && text[j] === '\\' ? 2 : 1;
  if (j >= text.length) throw new BadPushRequest(`1:${i + 1}: parse error: unterminated quoted string`);
  const body = text.slice(i + 1, j);
  if (q === '`') return [body, j + 1];
  try {
    return [body.includes('\\') ? unescapeGoString(body, q === "'" ? "'" : '"') : body, j + 1];
  } catch {
    throw new BadPushRequest(`1:${i + 1}: parse error: invalid escape in label value`);
  }
}
