/**
 * From a syslog frame to a log entry (grafana/alloy internal/component/loki/
 * source/syslog/internal/syslogtarget/syslogtarget.go): parse by format,
 * count errors and empty messages, build `__syslog_*` labels on top of the
 * connection's, run relabel rules, drop `__` labels, pick line and timestamp.
 * Entries are gathered into one batch per label set and handed on together
 * (EntryBatcher), with a bounded number of bytes awaiting acknowledgement.
 */
import type { Counter } from 'prom-client';
import { fanOut, flushAll, labelsString, type Labels, type LogBatch, type LogsReceiver } from '../../common/log-entries.js';
import { LabelBuilder } from '../../relabel/labels.js';
import type { RelabelRules } from '../../relabel/rules.js';
import { EntryClock } from '../entry-clock.js';
import { facilityLevel, parsePriority, severityLevel, SyslogParseError, type SyslogMessage } from './message.js';
import { parseRfc3164, type CiscoComponents } from './rfc3164.js';
import { formatRfc5424, parseRfc5424 } from './rfc5424.js';

export type SyslogFormat = 'rfc5424' | 'rfc3164' | 'raw';

export interface MessageSettings {
  readonly format: SyslogFormat;
  readonly labelStructuredData: boolean;
  readonly useIncomingTimestamp: boolean;
  readonly useRfc5424Message: boolean;
  readonly rfc5424AllowEmptyMsg: boolean;
  readonly rfc3164DefaultToCurrentYear: boolean;
  readonly cisco: CiscoComponents | undefined;
}

export interface SyslogMetrics {
  readonly entries: Counter;
  readonly parsingErrors: Counter;
  readonly emptyMessages: Counter;
}

export interface EntrySink {
  readonly metrics: SyslogMetrics;
  relabel(): RelabelRules | undefined;
  /** Reports a frame that did not parse. */
  parseError(message: string): void;
  /** Live debugging (only called when enabled by the sink). */
  debug?(format: SyslogFormat, line: string, original: Labels, mapped: Labels): void;
}

/** Label sets remembered per listener before the cache starts over (bounded memory). */
const LABEL_CACHE_SIZE = 4096;

/** Turns frames of one listener into entries for its batcher. */
export class FrameHandler {
  private readonly clock = new EntryClock();
  /** Pre-relabel label key → final labels object (one object per label set, so batches group by identity). */
  private cache = new Map<string, { original: Labels; mapped: Labels }>();
  private cachedRules: RelabelRules | undefined;
  private readonly builder = new LabelBuilder();

  constructor(
    private readonly settings: MessageSettings,
    private readonly sink: EntrySink,
    private readonly batcher: EntryBatcher,
  ) {}

  handle(frame: Buffer, connection: Labels, connectionKey: string): void {
    const text = frame.toString('utf8');
    let msg: SyslogMessage;
    try {
      msg = this.parse(text);
    } catch (err) {
      if (!(err instanceof SyslogParseError)) throw err;
      this.sink.parseError(err.message);
      return;
    }
    if (this.isEmpty(msg)) return;
    const labels = this.labelsOf(msg, connection, connectionKey);
    const line = this.settings.useRfc5424Message && this.settings.format === 'rfc5424' ? formatRfc5424(msg) : (msg.message ?? '');
    const [ms, ns] = this.settings.useIncomingTimestamp && msg.timestamp ? [msg.timestamp.ms, msg.timestamp.ns] : this.clock.next();
    this.batcher.add(labels, ms, ns, line);
  }

  private parse(text: string): SyslogMessage {
    const s = this.settings;
    if (s.format === 'rfc5424') return parseRfc5424(text);
    if (s.format === 'rfc3164') return parseRfc3164(text, { ...(s.cisco ? { cisco: s.cisco } : {}), currentYear: s.rfc3164DefaultToCurrentYear });
    return parseRaw(text);
  }

  /** Empty messages are counted; only RFC 5424 ones may be forwarded (rfc5424_allow_empty_msg). */
  private isEmpty(msg: SyslogMessage): boolean {
    if (msg.message !== undefined && msg.message !== '') return false;
    this.sink.metrics.emptyMessages.inc();
    return !(this.settings.format === 'rfc5424' && this.settings.rfc5424AllowEmptyMsg);
  }

  private labelsOf(msg: SyslogMessage, connection: Labels, connectionKey: string): Labels {
    const rules = this.sink.relabel();
    if (rules !== this.cachedRules) {
      this.cache = new Map();
      this.cachedRules = rules;
    }
    const key = cacheKey(msg, connectionKey, this.settings.labelStructuredData);
    let found = this.cache.get(key);
    if (!found) {
      const original = messageLabels(msg, connection, this.settings.labelStructuredData);
      found = { original, mapped: publicLabels(rules && rules.length > 0 ? relabelIgnoringDrop(this.builder, rules, original) : original) };
      if (this.cache.size >= LABEL_CACHE_SIZE) this.cache.clear();
      this.cache.set(key, found);
    }
    this.sink.debug?.(this.settings.format, msg.message ?? '', found.original, found.mapped);
    return found.mapped;
  }
}

/**
 * Alloy ignores the keep/drop verdict of the rules here (syslogtarget.go calls
 * relabel.ProcessBuilder and forwards the builder's labels either way): a
 * dropped set goes on with the labels it had when the rule dropped it.
 */
function relabelIgnoringDrop(lb: LabelBuilder, rules: RelabelRules, original: Labels): Labels {
  lb.reset(original);
  rules.applyTo(lb, 'legacy');
  return lb.labels();
}

function publicLabels(labels: Labels): Labels {
  const out: Record<string, string> = {};
  for (const name of Object.keys(labels)) if (!name.startsWith('__')) out[name] = labels[name]!;
  return out;
}

function cacheKey(msg: SyslogMessage, connectionKey: string, structured: boolean): string {
  let key = `${connectionKey}\u0000${msg.priority}\u0000${msg.hostname ?? '\u0001'}\u0000${msg.appname ?? '\u0001'}\u0000${msg.procid ?? '\u0001'}\u0000${msg.msgid ?? '\u0001'}\u0000${msg.messageCounter ?? ''}\u0000${msg.sequence ?? ''}`;
  if (structured && msg.structuredData) for (const [id, params] of msg.structuredData) for (const [name, value] of params) key += `\u0000${id}\u0001${name}\u0001${value}`;
  return key;
}

/** The connection's labels plus the message's `__syslog_message_*` ones. */
export function messageLabels(msg: SyslogMessage, connection: Labels, structured: boolean): Record<string, string> {
  const labels: Record<string, string> = { ...connection };
  if (msg.priority >= 0) {
    labels.__syslog_message_severity = severityLevel(msg.priority);
    labels.__syslog_message_facility = facilityLevel(msg.priority);
  }
  if (msg.hostname !== undefined) labels.__syslog_message_hostname = msg.hostname;
  if (msg.appname !== undefined) labels.__syslog_message_app_name = msg.appname;
  if (msg.procid !== undefined) labels.__syslog_message_proc_id = msg.procid;
  if (msg.msgid !== undefined) labels.__syslog_message_msg_id = msg.msgid;
  if (msg.messageCounter !== undefined) labels.__syslog_message_msg_counter = String(msg.messageCounter);
  if (msg.sequence !== undefined) labels.__syslog_message_sequence = String(msg.sequence);
  if (structured && msg.structuredData) {
    for (const [id, params] of msg.structuredData) {
      const prefix = `__syslog_message_sd_${id.replaceAll('@', '_')}_`;
      for (const [name, value] of params) labels[prefix + name] = value;
    }
  }
  return labels;
}

/** The raw format: the optional `<PRI>` gives severity and facility; the rest, trimmed, is the message. */
function parseRaw(text: string): SyslogMessage {
  let priority = -1;
  let rest = text;
  if (/^<\d{1,3}>/.test(text)) {
    try {
      const [p, after] = parsePriority(text);
      priority = p;
      rest = text.slice(after);
    } catch {
      // Not a priority after all: the whole text is the message.
    }
  }
  const message = rest.trim();
  return { priority, ...(message ? { message } : {}) };
}

// ---------------------------------------------------------------------------

/** Entries gathered before a batch is handed on, at the latest after the current burst. */
const BATCH_MAX_ENTRIES = 1024;
const BATCH_MAX_BYTES = 1 << 20;
/**
 * Bytes handed on and not yet acknowledged before the listener stops reading.
 * Every entry in flight outlives several young-generation GCs and is promoted,
 * so this window sets how fast the old generation grows between full GCs
 * (bench/receivers.mjs: 4 MiB peaked at ~210 MiB RSS, 1 MiB at ~170 MiB with
 * no loss of throughput — one loki.write batch_size is enough to keep the
 * writer busy, since a blocked listener asks writers to send at once).
 */
export const MAX_IN_FLIGHT_BYTES = 1 << 20;

interface Pending {
  readonly labels: Labels;
  ms: number[];
  ns: number[];
  lines: string[];
}

/**
 * Groups entries by label set and hands them on after the current burst of
 * reads (setImmediate) or when a batch is full. `blocked` tells transports to
 * stop reading while too much awaits acknowledgement; `onUnblocked` lets them
 * resume.
 */
export class EntryBatcher {
  private pending = new Map<Labels, Pending>();
  private pendingEntries = 0;
  private pendingBytes = 0;
  private scheduled = false;
  private inFlightBytes = 0;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly unblockedListeners = new Set<() => void>();
  private readonly blockedListeners = new Set<() => void>();

  constructor(
    private readonly receivers: () => readonly LogsReceiver[],
    private readonly onError: (err: unknown) => void,
    /** Counts entries handed on (loki_source_syslog_entries_total), once per batch rather than per message. */
    private readonly entriesCounter?: Counter,
  ) {}

  get blocked(): boolean {
    return this.inFlightBytes >= MAX_IN_FLIGHT_BYTES;
  }

  /** Called each time the batcher becomes blocked: transports stop every reader at once, not one by one as data arrives. */
  onBlocked(listener: () => void): () => void {
    this.blockedListeners.add(listener);
    return () => this.blockedListeners.delete(listener);
  }

  onUnblocked(listener: () => void): () => void {
    this.unblockedListeners.add(listener);
    return () => this.unblockedListeners.delete(listener);
  }

  add(labels: Labels, ms: number, ns: number, line: string): void {
    let p = this.pending.get(labels);
    if (!p) this.pending.set(labels, (p = { labels, ms: [], ns: [], lines: [] }));
    p.ms.push(ms);
    p.ns.push(ns);
    p.lines.push(line);
    this.pendingEntries++;
    this.pendingBytes += line.length;
    if (this.pendingEntries >= BATCH_MAX_ENTRIES || this.pendingBytes >= BATCH_MAX_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Hands on everything pending. */
  flush(): void {
    this.scheduled = false;
    if (this.pendingEntries === 0) return;
    const groups = this.pending;
    const bytes = this.pendingBytes;
    this.entriesCounter?.inc(this.pendingEntries);
    this.pending = new Map();
    this.pendingEntries = 0;
    this.pendingBytes = 0;
    const wasBlocked = this.blocked;
    this.inFlightBytes += bytes;
    if (!wasBlocked && this.blocked) for (const l of [...this.blockedListeners]) l();
    const receivers = this.receivers();
    const pushes = [...groups.values()].map((p) => fanOut(receivers, toBatch(p)));
    // Reading stops until acknowledgements come: writers should send what they hold now, not at batch_wait.
    if (this.blocked) flushAll(receivers);
    const done = Promise.all(pushes).then(
      () => undefined,
      (err: unknown) => this.onError(err),
    );
    this.inFlight.add(done);
    void done.finally(() => {
      this.inFlight.delete(done);
      const wasBlocked = this.blocked;
      this.inFlightBytes -= bytes;
      if (wasBlocked && !this.blocked) for (const l of [...this.unblockedListeners]) l();
    });
  }

  /** Hands on what is pending and waits (at most `timeoutMs`) for every push to be acknowledged. */
  async drain(timeoutMs: number): Promise<void> {
    this.flush();
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
    await Promise.race([Promise.all([...this.inFlight]), timeout]);
    clearTimeout(timer);
  }
}

function toBatch(p: Pending): LogBatch {
  return { labels: p.labels, ms: Float64Array.from(p.ms), ns: Int32Array.from(p.ns), lines: p.lines };
}

/** Live debugging text of one message, in the spirit of Alloy's listener. */
export function describeMessage(format: SyslogFormat, line: string, original: Labels, mapped: Labels): string {
  return `[${format}] ${line}\n  - Mapped:   ${labelsString(mapped)}\n  - Original: ${labelsString(original)}`;
}
