/**
 * JSON with Go encoding/json behaviour: decoding into an untyped Go value
 * (numbers become float64, Go's syntax error texts such as `invalid
 * character 'x' looking for beginning of value`) and encoding (keys sorted,
 * no spaces, HTML characters escaped).
 *
 * The decoder reads UTF-8 bytes so error texts name the same byte Go names.
 * `parseJson` can also keep integers as ints (the ojg parser behind
 * json_path does that).
 */
import {
  NULL,
  OptionalSecret,
  Secret,
  arrayValue,
  boolValue,
  compareStrings,
  floatValue,
  goTypeOfAny,
  intValue,
  objectValue,
  stringValue,
  type Value,
} from '../value.js';
import { goJsonFloat } from '../render.js';
import { goQuote } from '../../go/strconv.js';

export interface JsonOptions {
  /** Keep integer literals as ints (ojg) instead of floats (encoding/json). */
  integers?: boolean;
}

/** Parses JSON text; throws an Error with Go's message on invalid input. */
export function parseJson(text: string, options: JsonOptions = {}): Value {
  const p = new JsonParser(Buffer.from(text, 'utf8'), options);
  p.skipSpace();
  const v = p.value();
  p.skipSpace();
  if (!p.atEnd()) p.fail('after top-level value');
  // Like Go, a number out of range is reported only once the syntax is known to be valid.
  if (p.rangeError) throw new Error(p.rangeError);
  return v;
}

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);

/** Go encoding/json quoteChar: how a byte is shown in syntax errors. */
function quoteChar(c: number): string {
  if (c === 0x27) return `'\\''`;
  if (c === 0x22) return `'"'`;
  const q = goQuote(String.fromCharCode(c));
  return `'${q.slice(1, -1)}'`;
}

class JsonParser {
  private pos = 0;
  /** The first number that did not fit a float64 (Go saves it and keeps going). */
  rangeError: string | undefined;

  constructor(
    private readonly buf: Uint8Array,
    private readonly options: JsonOptions,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.buf.length;
  }

  /** Reports a syntax error at the current byte (or unexpected end). */
  fail(context: string): never {
    if (this.atEnd()) throw new Error('unexpected end of JSON input');
    throw new Error(`invalid character ${quoteChar(this.buf[this.pos]!)} ${context}`);
  }

  skipSpace(): void {
    while (!this.atEnd() && WS.has(this.buf[this.pos]!)) this.pos++;
  }

  private peek(): number {
    return this.atEnd() ? -1 : this.buf[this.pos]!;
  }

  value(): Value {
    const c = this.peek();
    switch (c) {
      case 0x7b: return this.object();
      case 0x5b: return this.array();
      case 0x22: return stringValue(this.string());
      case 0x74: return this.literal('true', boolValue(true));
      case 0x66: return this.literal('false', boolValue(false));
      case 0x6e: return this.literal('null', NULL);
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return this.number();
    return this.fail('looking for beginning of value');
  }

  private literal(word: string, v: Value): Value {
    this.pos++;
    for (const ch of word.slice(1)) {
      if (this.peek() !== ch.charCodeAt(0)) this.fail(`in literal ${word} (expecting '${ch}')`);
      this.pos++;
    }
    return v;
  }

  private object(): Value {
    this.pos++;
    const fields = new Map<string, Value>();
    this.skipSpace();
    if (this.peek() === 0x7d) {
      this.pos++;
      return objectValue(fields);
    }
    for (;;) {
      this.skipSpace();
      if (this.peek() !== 0x22) this.fail('looking for beginning of object key string');
      const key = this.string();
      this.skipSpace();
      if (this.peek() !== 0x3a) this.fail('after object key');
      this.pos++;
      this.skipSpace();
      fields.set(key, this.value());
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c === 0x7d) return objectValue(fields);
      if (c !== 0x2c) {
        this.pos--;
        this.fail('after object key:value pair');
      }
    }
  }

  private array(): Value {
    this.pos++;
    const elements: Value[] = [];
    this.skipSpace();
    if (this.peek() === 0x5d) {
      this.pos++;
      return arrayValue(elements);
    }
    for (;;) {
      this.skipSpace();
      elements.push(this.value());
      this.skipSpace();
      const c = this.peek();
      this.pos++;
      if (c === 0x5d) return arrayValue(elements);
      if (c !== 0x2c) {
        this.pos--;
        this.fail('after array element');
      }
    }
  }

  private number(): Value {
    const start = this.pos;
    if (this.peek() === 0x2d) this.pos++;
    if (!this.isDigit()) this.fail('in numeric literal');
    if (this.peek() === 0x30) this.pos++;
    else this.digits();
    let integral = true;
    if (this.peek() === 0x2e) {
      integral = false;
      this.pos++;
      if (!this.isDigit()) this.fail('after decimal point in numeric literal');
      this.digits();
    }
    if (this.peek() === 0x65 || this.peek() === 0x45) {
      integral = false;
      this.pos++;
      if (this.peek() === 0x2b || this.peek() === 0x2d) this.pos++;
      if (!this.isDigit()) this.fail('in exponent of numeric literal');
      this.digits();
    }
    const text = Buffer.from(this.buf.subarray(start, this.pos)).toString('latin1');
    return this.numberValue(text, integral);
  }

  private numberValue(text: string, integral: boolean): Value {
    if (this.options.integers && integral) {
      const b = BigInt(text);
      if (b >= -(1n << 63n) && b < 1n << 63n) return intValue(b);
    }
    const f = Number(text);
    if (!Number.isFinite(f)) this.rangeError ??= `json: cannot unmarshal number ${text} into Go value of type float64`;
    return floatValue(f);
  }

  private isDigit(): boolean {
    const c = this.peek();
    return c >= 0x30 && c <= 0x39;
  }

  private digits(): void {
    while (this.isDigit()) this.pos++;
  }

  /** A string literal starting at '"'; invalid UTF-8 and lone surrogates become U+FFFD. */
  private string(): string {
    this.pos++;
    const bytes: number[] = [];
    let out = '';
    const flush = (): void => {
      out += Buffer.from(bytes).toString('utf8');
      bytes.length = 0;
    };
    for (;;) {
      if (this.atEnd()) this.fail('in string literal');
      const c = this.buf[this.pos]!;
      if (c === 0x22) break;
      if (c < 0x20) this.fail('in string literal');
      if (c === 0x5c) {
        flush();
        out += this.escape();
        continue;
      }
      bytes.push(c);
      this.pos++;
    }
    flush();
    this.pos++;
    return out.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd');
  }

  private escape(): string {
    this.pos++;
    const c = this.peek();
    const simple: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' };
    if (simple[c] !== undefined) {
      this.pos++;
      return simple[c]!;
    }
    if (c !== 0x75) this.fail('in string escape code');
    this.pos++;
    let code = 0;
    for (let i = 0; i < 4; i++) {
      const d = this.peek();
      const h = parseInt(String.fromCharCode(d), 16);
      if (d < 0 || Number.isNaN(h)) this.fail('in \\u hexadecimal character escape');
      code = code * 16 + h;
      this.pos++;
    }
    return String.fromCharCode(code);
  }
}

// ---------------------------------------------------------------------------
// Encoding

/** Go json.Marshal of the untyped Go value a value decodes to. */
export function encodeJson(v: Value): string {
  switch (v.type) {
    case 'null': return 'null';
    case 'bool': return String(v.value);
    case 'number': return v.kind === 'float' ? encodeFloat(v.value) : v.value.toString();
    case 'string': return encodeString(v.value);
    case 'array': return `[${v.elements.map(encodeJson).join(',')}]`;
    case 'object': {
      const keys = [...v.fields.keys()].sort(compareStrings);
      return `{${keys.map((k) => `${encodeString(k)}:${encodeJson(v.fields.get(k)!)}`).join(',')}}`;
    }
    case 'function': throw new Error(`json: unsupported type: ${goTypeOfAny(v)}`);
    case 'capsule': {
      const p = v.payload;
      if (p instanceof Secret) return encodeString(p.value);
      if (p instanceof OptionalSecret) return `{"IsSecret":${p.isSecret},"Value":${encodeString(p.value)}}`;
      return '{}';
    }
  }
}

function encodeFloat(f: number): string {
  if (!Number.isFinite(f)) throw new Error(`json: unsupported value: ${Number.isNaN(f) ? 'NaN' : f > 0 ? '+Inf' : '-Inf'}`);
  return goJsonFloat(f);
}

const JSON_ESCAPES: Record<string, string> = {
  '"': '\\"', '\\': '\\\\', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t',
  '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029',
};

/** A JSON string as Go writes it (HTML-safe; other control characters as \u00XX). */
export function encodeString(s: string): string {
  const escaped = s.replace(/["\\<>&\u2028\u2029\u0000-\u001f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, (c) => {
    const known = JSON_ESCAPES[c];
    if (known) return known;
    if (c >= '\ud800' && c <= '\udfff') return '\\ufffd';
    return '\\u00' + c.charCodeAt(0).toString(16).padStart(2, '0');
  });
  return `"${escaped}"`;
}
