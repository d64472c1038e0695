/**
 * A parsed syslog message, and the names go-syslog gives priorities
 * (leodido/go-syslog: SeverityLevel() and FacilityLevel(), whose values
 * become `__syslog_message_severity` / `__syslog_message_facility`).
 */

export interface SyslogTimestamp {
  /** Milliseconds since the epoch (negative for RFC 3164's year 0). */
  readonly ms: number;
  /** Nanoseconds within the millisecond. */
  readonly ns: number;
}

export interface SyslogMessage {
  readonly priority: number;
  readonly version?: number | undefined;
  readonly timestamp?: SyslogTimestamp | undefined;
  /** The timestamp as written (RFC 5424 output keeps it). */
  readonly timestampText?: string | undefined;
  readonly hostname?: string | undefined;
  readonly appname?: string | undefined;
  readonly procid?: string | undefined;
  readonly msgid?: string | undefined;
  /** RFC 5424 structured data: SD-ID → params, in order of appearance. */
  readonly structuredData?: ReadonlyMap<string, ReadonlyMap<string, string>> | undefined;
  /** The MSG part; undefined when empty. */
  readonly message?: string | undefined;
  /** Cisco IOS extensions (RFC 3164 only). */
  readonly messageCounter?: number | undefined;
  readonly sequence?: number | undefined;
}

/** A message that could not be parsed: counted as a parsing error, never forwarded. */
export class SyslogParseError extends Error {}

const SEVERITY_LEVELS = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'debug'];

/** Facility keywords (syslog(3)), with go-syslog's descriptions where there is no keyword. */
const FACILITY_LEVELS = [
  'kern', 'user', 'mail', 'daemon', 'auth', 'syslog', 'lpr', 'news', 'uucp', 'clock daemon', 'authpriv', 'ftp',
  'NTP subsystem', 'log audit', 'log alert', 'cron', 'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7',
];

export function severityLevel(priority: number): string {
  return SEVERITY_LEVELS[priority % 8]!;
}

export function facilityLevel(priority: number): string {
  return FACILITY_LEVELS[Math.floor(priority / 8)]!;
}

/** `<PRI>` at the start of `text`: the priority (0–191) and the index after `>`. */
export function parsePriority(text: string): [number, number] {
  if (text.charCodeAt(0) !== 0x3c /* < */) throw new SyslogParseError('expecting a priority value within angle brackets [col 0]');
  let i = 1;
  while (i < 5 && isDigit(text.charCodeAt(i))) i++;
  const digits = text.slice(1, i);
  if (digits === '' || (digits.length > 1 && digits[0] === '0') || Number(digits) > 191) throw new SyslogParseError(`expecting a priority value in the range 1-191 or equal to 0 [col ${i}]`);
  if (text.charCodeAt(i) !== 0x3e /* > */) throw new SyslogParseError(`expecting a priority value terminator [col ${i}]`);
  return [Number(digits), i + 1];
}

export function isDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}
