/**
 * A streaming parser for the Prometheus text exposition format (0.0.4 and
 * 1.0.0) and OpenMetrics text (1.0.0 / 0.0.1), written for scrapes of
 * megabytes: it walks the body's bytes once (no decoding to a string), one
 * entry per `next()`, and exposes the current sample as offsets, a hash and
 * numbers rather than objects. A consumer keys its series cache on the raw
 * `name{labels}` bytes, as Prometheus' scrape cache does: `seriesHash` finds
 * the candidates and `seriesEqualsBytes` confirms one against the bytes a
 * cache kept (`copySeries`), without allocating; only a series not seen
 * before is fully parsed
 * and validated (`seriesLabels()`). Decoded strings are fresh copies, so a
 * cache never pins a scrape body.
 *
 *   const p = new ExpositionParser(body, 'prometheus');
 *   while (p.next()) if (p.kind === 'sample') use(p.seriesHash, p.value, p.timestampMs);
 *
 * A body can also be parsed as it arrives, in parts of whole lines
 * (`ExpositionLines` cuts received chunks into such parts): parse one part,
 * then `continueWith(next, final)`; only the final part ends the body, so
 * OpenMetrics' `# EOF` is required there and line numbers run on.
 *
 * Numbers follow Go's strconv.ParseFloat (what Prometheus uses): `+Inf`,
 * `-inf`, `NaN`, exponents and hex floats. Timestamps are milliseconds in the
 * text format and (fractional) seconds in OpenMetrics; both come out as ms.
 * Exemplars are skipped. Errors throw ExpositionError with the line number.
 */
import { parseGoFloat as parseFloatText } from '../../../go/strconv.js';

export type ExpositionFormat = 'prometheus' | 'openmetrics';

export type EntryKind = 'sample' | 'type' | 'help' | 'unit';

export class ExpositionError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const NEWLINE = 10;
const SPACE = 32;
const TAB = 9;
const HASH = 35;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN = 123;
const CLOSE = 125;
const COMMA = 44;
const EQUALS = 61;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** Powers of ten that are exact doubles (the fast number path divides by one of them). */
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);

const EOF_LINE = Buffer.from('# EOF');

type ErrorAt = (message: string) => Error;

export class ExpositionParser {
  /** What the current entry is. */
  kind: EntryKind = 'sample';
  /** Sample: the series bytes `name{labels}` are body[seriesStart, seriesEnd). */
  seriesStart = 0;
  seriesEnd = 0;
  /** Sample: FNV-1a of the series bytes, cut to 30 bits so it stays a small integer (no boxing, fast Map keys). */
  seriesHash = 0;
  /** Sample: its series bytes were those of expectSeries (seriesHash is the hash given there, not computed). */
  matchedExpected = false;
  value = 0;
  /** Sample: its own timestamp in ms, NaN when it has none. */
  timestampMs = NaN;
  /** TYPE / HELP / UNIT: the family name and the rest of the line (HELP unescaped). */
  metaName = '';
  metaText = '';

  private pos = 0;
  private line = 0;
  /** The series expected next (expectSeries): its bytes are expected[expectedOffset, + expectedLength); length 0 for none. */
  private expected: Uint8Array = EOF_LINE;
  private expectedOffset = 0;
  private expectedLength = 0;
  private expectedHash = 0;
  private sawEof = false;
  private readonly om: boolean;
  private readonly errorAt: ErrorAt = (message) => new ExpositionError(message, this.line);

  /** `final`: nothing follows `body` (else it must end at a line end, and continueWith gives the rest). */
  constructor(
    private body: Buffer,
    readonly format: ExpositionFormat,
    private final = true,
  ) {
    this.om = format === 'openmetrics';
  }

  /** Goes on with the next part of the body, once next() returned false for the current one. */
  continueWith(body: Buffer, final: boolean): void {
    this.body = body;
    this.pos = 0;
    this.final = final;
  }

  /** Advances to the next sample or metadata line; false at the end. */
  next(): boolean {
    const body = this.body;
    const len = body.length;
    while (this.pos < len) {
      const start = this.pos;
      let end = body.indexOf(NEWLINE, start);
      if (end < 0) end = len;
      this.pos = end + 1;
      this.line++;
      if (this.sawEof) throw this.errorAt('unexpected data after # EOF');
      const first = this.om ? start : skipBlanks(body, start, end);
      if (first === end) {
        if (this.om) throw this.errorAt('unexpected empty line');
        continue;
      }
      if (body[first] === HASH) {
        if (this.comment(first, end)) return true;
        continue;
      }
      this.sample(first, end);
      return true;
    }
    if (this.final && this.om && !this.sawEof) throw this.errorAt('data does not end with # EOF');
    return false;
  }

  /**
   * Tells the parser which series the next sample probably has (a target
   * exposes its series in the same order every scrape): a sample line that
   * starts with exactly these bytes followed by a blank is that series, and
   * its bytes are compared once instead of being hashed and then compared
   * (identical bytes parse identically). `length` 0 expects nothing.
   */
  expectSeries(bytes: Uint8Array, offset: number, length: number, hash: number): void {
    this.expected = bytes;
    this.expectedOffset = offset;
    this.expectedLength = length;
    this.expectedHash = hash;
  }

  /** Whether the current sample's series bytes are exactly bytes[offset, offset + length) (a key kept by copySeries). */
  seriesEqualsBytes(bytes: Uint8Array, offset: number, length: number): boolean {
    const { body, seriesStart: start } = this;
    if (length !== this.seriesEnd - start) return false;
    for (let i = 0; i < length; i++) if (bytes[offset + i] !== body[start + i]) return false;
    return true;
  }

  /** The length of the current sample's series bytes. */
  get seriesLength(): number {
    return this.seriesEnd - this.seriesStart;
  }

  /** Copies the current sample's series bytes to target[offset…) (which must have room). */
  copySeries(target: Uint8Array, offset: number): void {
    this.body.copy(target, offset, this.seriesStart, this.seriesEnd);
  }

  /** The current sample's series bytes as a latin1 string: a compact cache key. */
  seriesKey(): string {
    return this.body.toString('latin1', this.seriesStart, this.seriesEnd);
  }

  /** The current sample's metric name and labels, validated and unescaped. */
  seriesLabels(): { name: string; labels: [string, string][] } {
    return parseSeries(this.body, this.seriesStart, this.seriesEnd, this.errorAt);
  }

  /** The 1-based number of the current line. */
  get lineNumber(): number {
    return this.line;
  }

  // -------------------------------------------------------------------------
  // Comments: # HELP / # TYPE / # UNIT / # EOF, anything else is skipped.

  /** True when the comment is a metadata entry the caller should see. */
  private comment(start: number, end: number): boolean {
    const body = this.body;
    if (this.om && end - start === EOF_LINE.length && body.compare(EOF_LINE, 0, EOF_LINE.length, start, end) === 0) {
      this.sawEof = true;
      return false;
    }
    let i = start + 1;
    if (i >= end || !isBlank(body[i]!)) return false;
    i = skipBlanks(body, i, end);
    const keywordEnd = tokenEnd(body, i, end);
    const keyword = body.toString('latin1', i, keywordEnd);
    if (keyword !== 'HELP' && keyword !== 'TYPE' && keyword !== 'UNIT') return false;
    if (keyword === 'UNIT' && !this.om) return false;
    i = skipBlanks(body, keywordEnd, end);
    const quoted = body[i] === QUOTE;
    const nameEnd = quoted ? quotedEnd(body, i, end, this.errorAt) : tokenEnd(body, i, end);
    if (nameEnd === i) throw this.errorAt(`${keyword} without a metric name`);
    this.metaName = quoted ? unquote(body, i + 1, nameEnd - 1) : body.toString('utf8', i, nameEnd);
    const rest = nameEnd < end ? body.toString('utf8', skipOneBlank(body, nameEnd, end), end) : '';
    if (keyword === 'HELP') {
      this.kind = 'help';
      this.metaText = unescapeHelp(rest, this.om);
    } else if (keyword === 'TYPE') {
      this.kind = 'type';
      this.metaText = rest.trim();
      if (!VALID_TYPES.has(this.metaText)) throw this.errorAt(`invalid metric type ${JSON.stringify(this.metaText)}`);
    } else {
      this.kind = 'unit';
      this.metaText = rest.trim();
    }
    return true;
  }

  // -------------------------------------------------------------------------
  // Samples: name{labels} value [timestamp] [# exemplar]

  private sample(start: number, end: number): void {
    const body = this.body;
    this.kind = 'sample';
    this.seriesStart = start;
    let i = start + this.expectedLength;
    this.matchedExpected = this.expectedLength > 0 && i < end && isBlank(body[i]!) && this.startsWithExpected(start);
    if (this.matchedExpected) this.seriesHash = this.expectedHash;
    else {
      let hash = FNV_OFFSET;
      for (i = start; i < end; i++) {
        const c = body[i]!;
        if (c === OPEN || c === SPACE || c === TAB) break;
        hash = Math.imul(hash ^ c, FNV_PRIME);
      }
      this.seriesHash = hash;
      if (i < end && body[i] === OPEN) i = this.labelBlock(i, end);
      if (i === start) throw this.errorAt('expected a metric name');
      this.seriesHash &= 0x3fffffff;
    }
    this.seriesEnd = i;
    if (i >= end || !isBlank(body[i]!)) throw this.errorAt('expected a value after the series');
    i = this.om ? i + 1 : skipBlanks(body, i, end);
    const valueEnd = tokenEnd(body, i, end);
    if (valueEnd === i) throw this.errorAt('expected a value after the series');
    this.value = parseGoFloat(body, i, valueEnd, this.errorAt);
    this.timestampMs = NaN;
    i = this.om ? valueEnd : skipBlanks(body, valueEnd, end);
    if (this.om && i < end) i++; // the single space before a timestamp or exemplar
    if (i < end && body[i] !== HASH) {
      const tsEnd = tokenEnd(body, i, end);
      this.timestampMs = this.om ? this.openMetricsTimestamp(i, tsEnd) : parseMillis(body, i, tsEnd, this.errorAt);
      i = this.om ? tsEnd : skipBlanks(body, tsEnd, end);
      if (this.om && i < end) i++;
    }
    if (i < end && !(this.om && body[i] === HASH)) throw this.errorAt(`unexpected ${JSON.stringify(body.toString('utf8', i, end))} after the value`);
  }

  private startsWithExpected(start: number): boolean {
    const { body, expected, expectedOffset } = this;
    for (let k = 0; k < this.expectedLength; k++) if (body[start + k] !== expected[expectedOffset + k]) return false;
    return true;
  }

  /** Scans the label block opening at `open`, adding it to seriesHash; returns the index past its `}`. */
  private labelBlock(open: number, end: number): number {
    const body = this.body;
    let hash = this.seriesHash;
    let inQuote = false;
    for (let i = open; i < end; i++) {
      const c = body[i]!;
      hash = Math.imul(hash ^ c, FNV_PRIME);
      if (inQuote) {
        if (c === BACKSLASH && i + 1 < end) hash = Math.imul(hash ^ body[++i]!, FNV_PRIME);
        else if (c === QUOTE) inQuote = false;
      } else if (c === QUOTE) inQuote = true;
      else if (c === CLOSE) {
        this.seriesHash = hash;
        return i + 1;
      }
    }
    throw this.errorAt('unterminated label set');
  }

  private openMetricsTimestamp(start: number, end: number): number {
    const seconds = parseGoFloat(this.body, start, end, this.errorAt);
    if (!Number.isFinite(seconds)) throw this.errorAt('invalid timestamp');
    return Math.trunc(seconds * 1000);
  }
}

/**
 * Cuts a body arriving in chunks into parts of whole lines for
 * ExpositionParser, so a scrape is parsed as it is received instead of being
 * collected into one body first. Whole lines of a chunk are parsed where
 * they are (a view, no copy); only a line cut by a chunk boundary is copied,
 * into a small buffer reused for the whole scrape.
 */
export class ExpositionLines {
  private carry = Buffer.allocUnsafe(4096);
  private carried = 0;
  private parser: ExpositionParser | undefined;

  constructor(
    readonly format: ExpositionFormat,
    /** Called with the parser each time it has a new part to read through (parser.next() until false). */
    private readonly consume: (parser: ExpositionParser) => void,
  ) {}

  /** Parses the whole lines `chunk` completes; keeps its unfinished last line for the next one. */
  write(chunk: Buffer): void {
    let from = 0;
    if (this.carried > 0) {
      const newline = chunk.indexOf(NEWLINE);
      if (newline < 0) {
        this.keep(chunk, 0);
        return;
      }
      this.append(chunk, 0, newline + 1);
      this.parse(this.carry.subarray(0, this.carried), false);
      this.carried = 0;
      from = newline + 1;
    }
    const last = chunk.lastIndexOf(NEWLINE);
    if (last >= from) {
      this.parse(from === 0 && last === chunk.length - 1 ? chunk : chunk.subarray(from, last + 1), false);
      from = last + 1;
    }
    if (from < chunk.length) this.keep(chunk, from);
  }

  /** The body ended: parses what is left (a last line without a newline) as the final part. */
  end(): void {
    this.parse(this.carry.subarray(0, this.carried), true);
    this.carried = 0;
  }

  private parse(part: Buffer, final: boolean): void {
    if (this.parser) this.parser.continueWith(part, final);
    else this.parser = new ExpositionParser(part, this.format, final);
    this.consume(this.parser);
  }

  private keep(chunk: Buffer, from: number): void {
    this.append(chunk, from, chunk.length);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const size = this.carried + to - from;
    if (size > this.carry.length) {
      const grown = Buffer.allocUnsafe(Math.max(size, this.carry.length * 2));
      this.carry.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carried, from, to);
    this.carried = size;
  }
}

const VALID_TYPES = new Set(['counter', 'gauge', 'histogram', 'gaugehistogram', 'summary', 'info', 'stateset', 'unknown', 'untyped']);

function isBlank(c: number): boolean {
  return c === SPACE || c === TAB;
}

function skipBlanks(body: Buffer, i: number, end: number): number {
  while (i < end && isBlank(body[i]!)) i++;
  return i;
}

function skipOneBlank(body: Buffer, i: number, end: number): number {
  return i < end && isBlank(body[i]!) ? i + 1 : i;
}

function tokenEnd(body: Buffer, i: number, end: number): number {
  while (i < end && !isBlank(body[i]!)) i++;
  return i;
}

/** Index just past the closing quote of the string opening at `open`. */
function quotedEnd(body: Buffer, open: number, end: number, error: ErrorAt): number {
  for (let i = open + 1; i < end; i++) {
    const c = body[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
    else if (c === NEWLINE) break;
  }
  throw error('unterminated quoted string');
}

/** A quoted string's content (between the quotes): `\\`, `\"` and `\n` unescaped; other escapes kept as written. */
function unquote(body: Buffer, start: number, end: number): string {
  const raw = body.toString('utf8', start, end);
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(.)/g, (m, c: string) => (c === 'n' ? '\n' : c === '\\' || c === '"' ? c : m));
}

/** HELP text: `\\` and `\n` are escapes in both formats, `\"` too in OpenMetrics. */
function unescapeHelp(raw: string, om: boolean): string {
  if (!raw.includes('\\')) return raw;
  return raw.replace(/\\(.)/g, (m, c: string) => (c === 'n' ? '\n' : c === '\\' || (om && c === '"') ? c : m));
}

// ---------------------------------------------------------------------------
// Series bytes → name and labels

const LEGACY_METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Parses `name{a="b",…}` (or `{"name", a="b"}`, the UTF-8 form) between
 * `start` and `end`: label names and values unescaped, in written order.
 */
export function parseSeries(body: Buffer, start: number, end: number, error: ErrorAt): { name: string; labels: [string, string][] } {
  let i = start;
  let name = '';
  if (body[i] !== OPEN) {
    while (i < end && body[i] !== OPEN) i++;
    name = body.toString('utf8', start, i);
    if (!LEGACY_METRIC_NAME.test(name)) throw error(`invalid metric name ${JSON.stringify(name)}`);
  }
  const labels: [string, string][] = [];
  if (i === end) return { name, labels };
  i++; // {
  for (;;) {
    i = skipBlanks(body, i, end);
    const c = body[i];
    if (c === CLOSE) break;
    let labelName: string;
    if (c === QUOTE) {
      const q = quotedEnd(body, i, end, error);
      labelName = unquote(body, i + 1, q - 1);
      i = skipBlanks(body, q, end);
      if (body[i] !== EQUALS) {
        // A quoted string on its own is the metric name (UTF-8 form).
        if (name !== '') throw error('metric name given twice');
        name = labelName;
        i = afterLabel(body, i, error);
        if (i < 0) break;
        continue;
      }
    } else {
      const nameStart = i;
      while (i < end && isLabelNameChar(body[i]!)) i++;
      if (i === nameStart || (body[nameStart]! >= ZERO && body[nameStart]! <= NINE)) throw error('invalid label name');
      labelName = body.toString('latin1', nameStart, i);
      i = skipBlanks(body, i, end);
    }
    if (body[i] !== EQUALS) throw error(`expected "=" after label name ${JSON.stringify(labelName)}`);
    i = skipBlanks(body, i + 1, end);
    if (body[i] !== QUOTE) throw error(`expected a quoted value for label ${JSON.stringify(labelName)}`);
    const q = quotedEnd(body, i, end, error);
    labels.push([labelName, unquote(body, i + 1, q - 1)]);
    i = afterLabel(body, skipBlanks(body, q, end), error);
    if (i < 0) break;
  }
  if (name === '') throw error('metric name missing');
  return { name, labels };
}

/** After a label: the index of the next one, or -1 at the closing brace. */
function afterLabel(body: Buffer, i: number, error: ErrorAt): number {
  const c = body[i];
  if (c === CLOSE) return -1;
  if (c !== COMMA) throw error('expected "," or "}" after a label');
  return i + 1;
}

function isLabelNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= ZERO && c <= NINE) || c === 95;
}

// ---------------------------------------------------------------------------
// Numbers

/**
 * Go's strconv.ParseFloat of body[start, end). Plain decimals of up to 15
 * digits take a fast path that is still correctly rounded (an exact integer
 * divided by an exact power of ten rounds once).
 */
export function parseGoFloat(body: Buffer, start: number, end: number, error: ErrorAt): number {
  let i = start;
  let c = body[i]!;
  const negative = c === MINUS;
  if (negative || c === PLUS) c = body[++i]!;
  let mantissa = 0;
  let digits = 0;
  let fraction = -1;
  for (; i < end; c = body[++i]!) {
    if (c >= ZERO && c <= NINE) {
      mantissa = mantissa * 10 + (c - ZERO);
      digits++;
      if (fraction >= 0) fraction++;
    } else if (c === DOT && fraction < 0) fraction = 0;
    else break;
  }
  if (i === end && digits > 0 && digits <= 15) {
    const v = fraction > 0 ? mantissa / POW10[fraction]! : mantissa;
    return negative ? -v : v;
  }
  return parseGoFloatText(body.toString('latin1', start, end), error);
}

/** ParseFloat's other forms (exponents, long mantissas, Inf/NaN words, hex floats) through go/strconv. */
export function parseGoFloatText(s: string, error: ErrorAt): number {
  const f = parseFloatText(s);
  if (f.ok) return f.value;
  throw error(`invalid number ${JSON.stringify(s)}`);
}

/** A text-format timestamp: a base-10 int64 of milliseconds. */
function parseMillis(body: Buffer, start: number, end: number, error: ErrorAt): number {
  let i = start;
  const negative = body[i] === MINUS;
  if (negative || body[i] === PLUS) i++;
  if (i === end) throw error('invalid timestamp');
  let ms = 0;
  for (; i < end; i++) {
    const c = body[i]!;
    if (c < ZERO || c > NINE) throw error(`invalid timestamp ${JSON.stringify(body.toString('utf8', start, end))}`);
    ms = ms * 10 + (c - ZERO);
  }
  return negative ? -ms : ms;
}
