/**
 * Cutting an encoded resource of traces or logs after n items without
 * decoding it: ResourceSpans/ResourceLogs hold their scopes in field 2, a
 * ScopeSpans/ScopeLogs its spans/log records in field 2 (opentelemetry-proto
 * trace.proto, logs.proto). The two halves are built from the original
 * bytes: every other field (resource, scope, schema_url, and any field this
 * agent does not know) is copied into both halves, the scope and item fields
 * are shared out, and only the lengths of the containers are written anew.
 * The cut is the decoded cutter's (split.ts): whole scopes while they fit,
 * the scope that straddles n split between its items, later scopes to the
 * rest.
 */
import { eachRawField } from './payload.js';

const CONTAINER_FIELD = 2;

interface Field {
  readonly number: number;
  readonly tagStart: number;
  readonly valueStart: number;
  readonly end: number;
}

function fieldsOf(buf: Uint8Array, start: number, end: number): Field[] {
  const out: Field[] = [];
  eachRawField(buf, start, end, (number, tagStart, valueStart, fieldEnd) => out.push({ number, tagStart, valueStart, end: fieldEnd }));
  return out;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Uint8Array, at: number, n: number): number {
  while (n >= 0x80) {
    out[at++] = (n % 128) | 0x80;
    n = Math.floor(n / 128);
  }
  out[at++] = n;
  return at;
}

/** A message being assembled: raw field bytes from the source and nested messages, in order. */
type Piece = Uint8Array | Message;

class Message {
  constructor(
    /** The tag byte this message is written under (field number and wire type LEN, one byte). */
    readonly tag: number,
    readonly pieces: Piece[],
  ) {}

  /** Size of the message's body. */
  get bodySize(): number {
    let n = 0;
    for (const p of this.pieces) n += p instanceof Message ? p.fieldSize : p.byteLength;
    return n;
  }

  /** Size of the whole field: tag, length and body. */
  get fieldSize(): number {
    const body = this.bodySize;
    return 1 + varintSize(body) + body;
  }

  writeField(out: Uint8Array, at: number): number {
    out[at++] = this.tag;
    at = writeVarint(out, at, this.bodySize);
    for (const p of this.pieces) {
      if (p instanceof Message) at = p.writeField(out, at);
      else {
        out.set(p, at);
        at += p.byteLength;
      }
    }
    return at;
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.fieldSize);
    this.writeField(out, 0);
    return out;
  }
}

/** A message with its container fields (field 2) replaced by `children` at the place of the first one. */
function rebuild(buf: Uint8Array, tag: number, fields: readonly Field[], children: readonly Piece[]): Message {
  const pieces: Piece[] = [];
  let placed = false;
  for (const f of fields) {
    if (f.number !== CONTAINER_FIELD) pieces.push(buf.subarray(f.tagStart, f.end));
    else if (!placed) {
      pieces.push(...children);
      placed = true;
    }
  }
  if (!placed) pieces.push(...children);
  return new Message(tag, pieces);
}

const RESOURCE_TAG = (1 << 3) | 2;
const SCOPE_TAG = (CONTAINER_FIELD << 3) | 2;

/**
 * Cuts `segment` (a whole `field 1` of an export request: tag, length,
 * ResourceSpans or ResourceLogs) after `n` items, 0 < n < its items.
 */
export function cutEncodedResource(segment: Uint8Array, n: number): { taken: Uint8Array; rest: Uint8Array } {
  const outer = fieldsOf(segment, 0, segment.length)[0]!;
  const fields = fieldsOf(segment, outer.valueStart, outer.end);
  const scopes = fields.filter((f) => f.number === CONTAINER_FIELD);
  const taken: Piece[] = [];
  const rest: Piece[] = [];
  let left = n;
  for (const scope of scopes) {
    const whole = segment.subarray(scope.tagStart, scope.end);
    if (left === 0) {
      rest.push(whole);
      continue;
    }
    const scopeFields = fieldsOf(segment, scope.valueStart, scope.end);
    const items = scopeFields.filter((f) => f.number === CONTAINER_FIELD);
    if (items.length <= left) {
      taken.push(whole);
      left -= items.length;
      continue;
    }
    const itemBytes = items.map((f) => segment.subarray(f.tagStart, f.end));
    taken.push(rebuild(segment, SCOPE_TAG, scopeFields, itemBytes.slice(0, left)));
    rest.push(rebuild(segment, SCOPE_TAG, scopeFields, itemBytes.slice(left)));
    left = 0;
  }
  return { taken: rebuild(segment, RESOURCE_TAG, fields, taken).toBytes(), rest: rebuild(segment, RESOURCE_TAG, fields, rest).toBytes() };
}
