/**
 * Alloy-style structured logging: logfmt (default) or JSON lines, with a
 * level filter, fields inherited by child loggers (component_path,
 * component_id), and optional extra sinks (the `logging.write_to` receivers).
 */
import { defaultsOf } from '../lang/schema.js';
import { LoggingArgs } from './config-blocks.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFormat = 'logfmt' | 'json';

const LEVEL_RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export type LogFields = Record<string, unknown>;

/** Receives every formatted line that passes the level filter. */
export type LogSink = (line: string, level: LogLevel) => void;

export interface LoggerOptions {
  level: LogLevel;
  format: LogFormat;
  /** Primary output; stderr by default. */
  write: (line: string) => void;
  /** Extra sinks (e.g. logging.write_to). */
  sinks: LogSink[];
}

/** Shared, reconfigurable settings so a `logging` block update reaches every child logger. */
export class LogSettings {
  constructor(public options: LoggerOptions) {}

  /** The `logging` block's defaults, before (or without) a config that has one. */
  static defaults(write: (line: string) => void = (l) => process.stderr.write(l)): LogSettings {
    const { level, format } = defaultsOf(LoggingArgs);
    return new LogSettings({ level, format, write, sinks: [] });
  }
}

export class Logger {
  constructor(
    private readonly settings: LogSettings,
    private readonly fields: LogFields = {},
  ) {}

  /** A logger that adds `fields` to every line. */
  child(fields: LogFields): Logger {
    return new Logger(this.settings, { ...this.fields, ...fields });
  }

  debug(msg: string, fields?: LogFields): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: LogFields): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: LogFields): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: LogFields): void {
    this.log('error', msg, fields);
  }

  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= LEVEL_RANK[this.settings.options.level];
  }

  log(level: LogLevel, msg: string, fields?: LogFields): void {
    if (!this.enabled(level)) return;
    const opts = this.settings.options;
    const record: LogFields = { ts: new Date().toISOString(), level, msg, ...this.fields, ...fields };
    const line = (opts.format === 'json' ? JSON.stringify(record, jsonReplacer) : logfmt(record)) + '\n';
    opts.write(line);
    for (const sink of opts.sinks) sink(line, level);
  }
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return value.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Formats a record as one logfmt line (without the newline). */
export function logfmt(record: LogFields): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    parts.push(`${k}=${logfmtValue(v)}`);
  }
  return parts.join(' ');
}

function logfmtValue(v: unknown): string {
  const s = v instanceof Error ? v.message : typeof v === 'string' ? v : typeof v === 'object' && v !== null ? JSON.stringify(v, jsonReplacer) : String(v);
  if (s === '') return '""';
  return /[\s"=\\]|[^\x21-\x7e]/.test(s) ? JSON.stringify(s) : s;
}
