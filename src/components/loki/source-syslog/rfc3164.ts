/**
 * RFC 3164 (BSD) messages as leodido/go-syslog's rfc3164 machine reads them
 * for Alloy:
 *
 *   <PRI>Mmm dd hh:mm:ss HOSTNAME TAG[PID]: MSG
 *
 * The timestamp is Go's time.Stamp ("Jan _2 15:04:05", year 0 in UTC unless
 * `rfc3164_default_to_current_year`) or RFC 3339. A part after the hostname
 * that is not `TAG[PID]:` is all message. Cisco IOS extensions
 * (`rfc3164_cisco_components`): `<PRI>COUNTER: SEQUENCE: HOST: *Mmm dd hh:mm:ss.mmm: TAG: MSG`.
 */
import { daysFromCivil } from '../../../go/time.js';
import { daysInMonth, parsePriority, SyslogParseError, type SyslogMessage, type SyslogTimestamp } from './message.js';

export interface CiscoComponents {
  readonly messageCounter: boolean;
  readonly sequenceNumber: boolean;
  readonly hostname: boolean;
  readonly secondFractions: boolean;
}

export interface Rfc3164Options {
  readonly cisco?: CiscoComponents;
  /** Give year-less timestamps the current year (rfc3164_default_to_current_year). */
  readonly currentYear?: boolean;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const STAMP = /^([A-Z][a-z]{2}) ([ \d]\d) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})/;
const TAG = /^([^ :[\]]{1,48})(?:\[([^\]]{1,128})\])?:(?: |$)/;
const CISCO_NUMBER = /^(\d+): /;

export function parseRfc3164(text: string, opts: Rfc3164Options = {}): SyslogMessage {
  const [priority, afterPri] = parsePriority(text);
  let rest = text.slice(afterPri);
  const out: { -readonly [K in keyof SyslogMessage]: SyslogMessage[K] } = { priority };
  const cisco = opts.cisco;
  if (cisco) rest = ciscoPrefix(rest, cisco, out);
  const [timestamp, afterTimestamp] = parseTimestamp(rest, opts, cisco?.secondFractions ?? false);
  out.timestamp = timestamp;
  rest = rest.slice(afterTimestamp);
  if (cisco) {
    // Cisco: "<timestamp>: TAG: MSG".
    if (!rest.startsWith(': ')) throw new SyslogParseError(`expecting ": " after the timestamp [col ${text.length - rest.length}]`);
    rest = rest.slice(2);
  } else {
    if (rest[0] !== ' ') throw new SyslogParseError(`expecting a space after the timestamp [col ${text.length - rest.length}]`);
    const host = /^ ([!-~]{1,255})(?: |$)/.exec(rest);
    if (!host) throw new SyslogParseError(`expecting a hostname (from 1 to max 255 US-ASCII characters) [col ${text.length - rest.length + 1}]`);
    out.hostname = host[1];
    rest = rest.slice(host[0].length);
  }
  const tag = TAG.exec(rest);
  if (tag) {
    out.appname = tag[1];
    if (tag[2] !== undefined) out.procid = tag[2];
    rest = rest.slice(tag[0].length);
  }
  if (rest !== '') out.message = rest;
  return out;
}

/** The Cisco counter, sequence number and hostname before the timestamp (those enabled). */
function ciscoPrefix(rest: string, cisco: CiscoComponents, out: { messageCounter?: number; sequence?: number; hostname?: string }): string {
  if (cisco.messageCounter) {
    const m = CISCO_NUMBER.exec(rest);
    if (m) {
      out.messageCounter = Number(m[1]);
      rest = rest.slice(m[0].length);
    }
  }
  if (cisco.sequenceNumber) {
    const m = CISCO_NUMBER.exec(rest);
    if (m) {
      out.sequence = Number(m[1]);
      rest = rest.slice(m[0].length);
    }
  }
  if (cisco.hostname) {
    const m = /^([^ :*.]+): /.exec(rest);
    if (m && !STAMP.test(rest)) {
      out.hostname = m[1];
      rest = rest.slice(m[0].length);
    }
  }
  // Cisco marks unsynchronised clocks with '*' and synchronised-but-unsure ones with '.'.
  return rest[0] === '*' || rest[0] === '.' ? rest.slice(1) : rest;
}

function parseTimestamp(rest: string, opts: Rfc3164Options, fractions: boolean): [SyslogTimestamp, number] {
  const iso = RFC3339.exec(rest);
  if (iso) return [rfc3339Instant(iso), iso[0].length];
  const m = STAMP.exec(rest);
  const month = m ? MONTHS.indexOf(m[1]!) + 1 : 0;
  if (!m || month === 0 || (m[6] !== undefined && !fractions)) throw new SyslogParseError('expecting a Stamp timestamp [col 0]');
  const day = Number(m[2]!.trim());
  const [hour, minute, second] = [Number(m[3]), Number(m[4]), Number(m[5])];
  const year = opts.currentYear ? new Date().getUTCFullYear() : 0;
  if (day < 1 || day > daysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) throw new SyslogParseError('expecting a valid Stamp timestamp [col 0]');
  const nanos = Number((m[6] ?? '').padEnd(9, '0'));
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
  return [{ ms: seconds * 1000 + Math.floor(nanos / 1e6), ns: nanos % 1e6 }, m[0].length];
}

function rfc3339Instant(m: RegExpExecArray): SyslogTimestamp {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const zone = m[8]!;
  const offsetMin = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  const nanos = Number((m[7] ?? '').padEnd(9, '0'));
  const seconds = daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offsetMin * 60;
  return { ms: seconds * 1000 + Math.floor(nanos / 1e6), ns: nanos % 1e6 };
}
