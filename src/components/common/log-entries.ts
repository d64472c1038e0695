/**
 * The log data plane. Entries travel in batches that belong to one stream:
 * the labels are kept once and the entries as parallel arrays, so the hot
 * path creates no object per line. A receiver's `push` promise is both the
 * backpressure (await it before sending more) and the acknowledgement (it
 * resolves once every entry is durable downstream).
 */
import { quote } from '../../go/strconv.js';
import { LOGS_RECEIVER_TYPE, type LogLineReceiver } from '../../runtime/config-blocks.js';

export type Labels = Readonly<Record<string, string>>;

export interface StructuredMetadata {
  readonly [name: string]: string;
}

export interface LogBatch {
  /** Labels of the stream every entry belongs to. */
  readonly labels: Labels;
  /** Entry timestamps: whole milliseconds since the epoch. */
  readonly ms: Float64Array;
  /** Nanoseconds within the millisecond (0–999999), so timestamps stay exact. */
  readonly ns: Int32Array;
  readonly lines: readonly string[];
  /** Optional structured metadata per entry. */
  readonly metadata?: readonly (StructuredMetadata | undefined)[];
  /**
   * The lines as the bytes a source read them (a UTF-8 file), when it has
   * them: a writer sends those without decoding, and `lines` is then decoded
   * only when something reads it. Hot paths count entries with entryCount().
   */
  readonly raw?: RawLines;
}

/**
 * Lines kept as bytes: line i is bytes[bounds[2i], bounds[2i+1]), without its
 * newline and trailing CR. Sent as read, as Alloy sends the bytes of a Go
 * string (no UTF-8 replacement on the wire).
 */
export interface RawLines {
  readonly bytes: Buffer;
  readonly bounds: Uint32Array;
}

/** A batch of raw lines whose `lines` are decoded (by `decode`, once) the first time they are read. */
export function rawLinesBatch(labels: Labels, ms: Float64Array, ns: Int32Array, raw: RawLines, decode: () => readonly string[]): LogBatch {
  let lines: readonly string[] | undefined;
  return {
    labels,
    ms,
    ns,
    raw,
    get lines() {
      return (lines ??= decode());
    },
  };
}

/** Entries in a batch, without decoding raw lines. */
export function entryCount(batch: LogBatch): number {
  return batch.ms.length;
}

/** The same entries under other labels; raw lines stay undecoded. */
export function withLabels(batch: LogBatch, labels: Labels): LogBatch {
  // Spreading would read (decode) `lines`; raw batches carry no metadata.
  if (batch.raw === undefined || batch.metadata) return { ...batch, labels };
  return rawLinesBatch(labels, batch.ms, batch.ns, batch.raw, () => batch.lines);
}

export interface LogsReceiver extends LogLineReceiver {
  readonly capsuleType: typeof LOGS_RECEIVER_TYPE;
  push(batch: LogBatch): Promise<void>;
  /**
   * Asks for what was pushed to be delivered now rather than at the next
   * batch deadline: the sender waits for acknowledgements before it may push
   * more. Without it, a pipeline that shrinks lines (or drops most of them)
   * would leave a writer's batch unfilled until batch_wait, every time the
   * sender's in-flight window is full. Receivers that forward pass it on.
   */
  flush?(): void;
}

export { LOGS_RECEIVER_TYPE };

/** A batch of one entry (tests, low-rate sources). */
export function singleEntry(labels: Labels, line: string, timeMs = Date.now(), nanos = 0): LogBatch {
  return { labels, ms: Float64Array.of(Math.floor(timeMs)), ns: Int32Array.of(nanos), lines: [line] };
}

/** Agent log lines in flight to one receiver before further ones are dropped. */
const MAX_LOG_LINES_IN_FLIGHT = 1000;

/**
 * A receiver backed by a function. It also accepts the agent's own log lines
 * (`logging.write_to`): never blocking the logger, dropping lines when the
 * receiver is that far behind, as Alloy drops them when its channel is full.
 */
export function receiverOf(push: (batch: LogBatch) => Promise<void>, flush?: () => void): LogsReceiver {
  let inFlight = 0;
  return {
    capsuleType: LOGS_RECEIVER_TYPE,
    push,
    ...(flush ? { flush } : {}),
    pushLogLine(line: string, labels: Labels) {
      if (inFlight >= MAX_LOG_LINES_IN_FLIGHT) return;
      inFlight++;
      push(singleEntry(labels, line.replace(/\n$/, ''))).then(
        () => inFlight--,
        () => inFlight--,
      );
    },
  };
}

/** Sends a batch to every receiver; resolves when all acknowledged it. */
export async function fanOut(receivers: readonly LogsReceiver[], batch: LogBatch): Promise<void> {
  if (receivers.length === 1) return receivers[0]!.push(batch);
  await Promise.all(receivers.map((r) => r.push(batch)));
}

/** Passes a flush request (see LogsReceiver.flush) to every receiver. */
export function flushAll(receivers: readonly LogsReceiver[]): void {
  for (const r of receivers) r.flush?.();
}

/** Go's `{a="b", c="d"}` form of a label set: sorted by name, values Go-quoted. */
export function labelsString(labels: Labels): string {
  const names = Object.keys(labels).sort();
  return `{${names.map((n) => `${n}=${quote(labels[n]!)}`).join(', ')}}`;
}

/** RFC3339 with nanoseconds, as Go formats time.Time in logs. */
export function timestampText(ms: number, ns: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
  const nanos = (ms % 1000) * 1_000_000 + ns;
  const frac = nanos === 0 ? '' : `.${String(nanos).padStart(9, '0').replace(/0+$/, '')}`;
  return `${iso.slice(0, 19)}${frac}Z`;
}
