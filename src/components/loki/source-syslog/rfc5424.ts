/**
 * RFC 5424 messages, parsed as leodido/go-syslog's rfc5424 machine does for
 * Alloy (best effort; a message with a grammar error is reported and not
 * forwarded):
 *
 *   <PRI>VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP STRUCTURED-DATA [SP MSG]
 *
 * "-" is the nil value of every header field; the timestamp is RFC 3339 with
 * at most 6 fractional digits; field lengths are RFC 5424's (255/48/128/32).
 * Also the message's text form (go-syslog's SyslogMessage.String()), which
 * `use_rfc5424_message` forwards.
 */
import { daysFromCivil } from '../../../go/time.js';
import { daysInMonth, isDigit, parsePriority, SyslogParseError, type SyslogMessage, type SyslogTimestamp } from './message.js';

const MAX = { hostname: 255, appname: 48, procid: 128, msgid: 32, sdName: 32 };
/** RFC 3339 with at most 6 fractional digits, matched where the cursor is (sticky). */
const TIMESTAMP = /(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})/y;

export function parseRfc5424(text: string): SyslogMessage {
  const [priority, afterPri] = parsePriority(text);
  const p = new Cursor(text, afterPri);
  const version = p.version();
  p.space('version');
  const [timestamp, timestampText] = p.timestamp();
  p.space('timestamp');
  const hostname = p.headerField('hostname', MAX.hostname);
  p.space('hostname');
  const appname = p.headerField('app-name', MAX.appname);
  p.space('app-name');
  const procid = p.headerField('procid', MAX.procid);
  p.space('procid');
  const msgid = p.headerField('msgid', MAX.msgid);
  p.space('msgid');
  const structuredData = p.structuredData();
  let message: string | undefined;
  if (!p.atEnd()) {
    p.space('structured data');
    message = text.slice(p.pos) || undefined;
  }
  // One object shape for every message (absent fields undefined): the hot path stays monomorphic.
  return { priority, version, timestamp, timestampText, hostname, appname, procid, msgid, structuredData, message };
}

class Cursor {
  constructor(
    readonly text: string,
    public pos: number,
  ) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  fail(what: string): never {
    throw new SyslogParseError(`expecting ${what} [col ${this.pos}]`);
  }

  space(after: string): void {
    if (this.text.charCodeAt(this.pos) !== 0x20) this.fail(`a space after the ${after}`);
    this.pos++;
  }

  version(): number {
    const start = this.pos;
    while (this.pos - start < 3 && isDigit(this.text.charCodeAt(this.pos))) this.pos++;
    const digits = this.text.slice(start, this.pos);
    if (digits === '' || digits[0] === '0') this.fail('a version value in the range 1-999');
    return Number(digits);
  }

  /** A run of printable US-ASCII (33–126) of at most `max` characters, or "-" (undefined). */
  headerField(what: string, max: number): string | undefined {
    const start = this.pos;
    while (this.pos < this.text.length && isPrintUsAscii(this.text.charCodeAt(this.pos))) this.pos++;
    const value = this.text.slice(start, this.pos);
    if (value === '' || value.length > max) {
      this.pos = start + Math.min(value.length, max);
      this.fail(`a valid ${what}`);
    }
    return value === '-' ? undefined : value;
  }

  timestamp(): [SyslogTimestamp | undefined, string | undefined] {
    if (this.text[this.pos] === '-') {
      this.pos++;
      return [undefined, undefined];
    }
    TIMESTAMP.lastIndex = this.pos;
    const m = TIMESTAMP.exec(this.text);
    if (!m) this.fail('a valid timestamp');
    const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) this.fail('a valid timestamp');
    let offsetMin = 0;
    const zone = m[8]!;
    if (zone !== 'Z') {
      const zh = Number(zone.slice(1, 3));
      const zm = Number(zone.slice(4, 6));
      if (zh > 23 || zm > 59) this.fail('a valid timezone');
      offsetMin = (zone[0] === '-' ? -1 : 1) * (zh * 60 + zm);
    }
    const fraction = (m[7] ?? '').padEnd(9, '0');
    const nanos = Number(fraction);
    const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMin * 60;
    this.pos += m[0].length;
    return [{ ms: seconds * 1000 + Math.floor(nanos / 1e6), ns: nanos % 1e6 }, m[0]];
  }

  /** "-" (undefined) or one or more [SD-ID *(SP PARAM-NAME="VALUE")]. */
  structuredData(): Map<string, Map<string, string>> | undefined {
    if (this.text[this.pos] === '-') {
      this.pos++;
      return undefined;
    }
    if (this.text[this.pos] !== '[') this.fail('a structured data section containing one or more elements (`[id( key="value")*]+`) or a nil value');
    const elements = new Map<string, Map<string, string>>();
    while (this.text[this.pos] === '[') {
      this.pos++;
      const id = this.sdName('sd-id');
      const params = new Map<string, string>();
      while (this.text[this.pos] === ' ') {
        this.pos++;
        const name = this.sdName('sd-param name');
        if (this.text[this.pos] !== '=' || this.text[this.pos + 1] !== '"') this.fail('="');
        this.pos += 2;
        params.set(name, this.sdValue());
      }
      if (this.text[this.pos] !== ']') this.fail('the closing bracket of a structured data element');
      this.pos++;
      // go-syslog keeps the first element of a repeated SD-ID.
      if (!elements.has(id)) elements.set(id, params);
    }
    return elements;
  }

  private sdName(what: string): string {
    const start = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (!isPrintUsAscii(c) || c === 0x3d /* = */ || c === 0x5d /* ] */ || c === 0x22 /* " */) break;
      this.pos++;
    }
    const name = this.text.slice(start, this.pos);
    if (name === '' || name.length > MAX.sdName) this.fail(`a valid ${what}`);
    return name;
  }

  /** A PARAM-VALUE up to its closing quote; `\"`, `\\` and `\]` are unescaped. */
  private sdValue(): string {
    let value = '';
    for (;;) {
      if (this.atEnd()) this.fail('the closing quote of a param value');
      const c = this.text[this.pos]!;
      if (c === '"') break;
      if (c === '\\' && (this.text[this.pos + 1] === '"' || this.text[this.pos + 1] === '\\' || this.text[this.pos + 1] === ']')) {
        value += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (c === ']') this.fail('an escaped ] in a param value');
      value += c;
      this.pos++;
    }
    this.pos++;
    return value;
  }
}

function isPrintUsAscii(c: number): boolean {
  return c >= 33 && c <= 126;
}

/** go-syslog's SyslogMessage.String(): the message re-serialized (structured data in sorted order). */
export function formatRfc5424(msg: SyslogMessage): string {
  const nil = (v: string | undefined) => v ?? '-';
  let out = `<${msg.priority}>${msg.version ?? 1} ${msg.timestamp ? formatTimestamp(msg.timestamp, msg.timestampText!) : '-'} ${nil(msg.hostname)} ${nil(msg.appname)} ${nil(msg.procid)} ${nil(msg.msgid)} `;
  if (!msg.structuredData || msg.structuredData.size === 0) out += '-';
  else {
    for (const id of [...msg.structuredData.keys()].sort()) {
      const params = msg.structuredData.get(id)!;
      out += `[${id}`;
      for (const name of [...params.keys()].sort()) out += ` ${name}="${params.get(name)!.replace(/["\\\]]/g, (c) => `\\${c}`)}"`;
      out += ']';
    }
  }
  return msg.message !== undefined ? `${out} ${msg.message}` : out;
}

/** Go's "2006-01-02T15:04:05.999999Z07:00" in the zone the timestamp was written in. */
function formatTimestamp(ts: SyslogTimestamp, written: string): string {
  const zone = /(Z|[+-]\d{2}:\d{2})$/.exec(written)![1]!;
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const local = new Date(ts.ms + offsetMin * 60_000);
  const micros = String((ts.ms - Math.floor(ts.ms / 1000) * 1000) * 1000 + Math.floor(ts.ns / 1000)).padStart(6, '0').replace(/0+$/, '');
  return `${local.toISOString().slice(0, 19)}${micros ? `.${micros}` : ''}${zone === '+00:00' || zone === '-00:00' ? 'Z' : zone}`;
}
