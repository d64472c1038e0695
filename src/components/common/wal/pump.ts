/**
 * Feeds a WAL consumer's records to a destination: up to `maxInFlight`
 * records are delivered at once, and positions are acknowledged strictly in
 * order (a record is acknowledged only when it and every earlier one were
 * delivered), so a restart resumes after the last contiguous delivery. It
 * starts from the reader's last acknowledgement and returns when `signal`
 * aborts or a delivery failed (the destination stopped).
 */
import type { RecordMemo, WalPosition, WalReader } from './wal.js';

export interface PumpOptions {
  maxInFlight: number;
  /** Payload bytes in flight at most (one record is always allowed); none: only maxInFlight bounds. */
  maxInFlightBytes?: number;
  /**
   * Resolves once the payload was delivered (or dropped for good); rejects when the destination stopped. `end` tells where the record lies.
   * `memo`: the record's in-memory form, given instead of the payload (then empty) when the reader had it (see WalRecord.memo).
   */
  deliver(payload: Buffer, end: WalPosition, memo?: RecordMemo): Promise<void>;
  /** Called when the window is full: asks the destination to send what it holds now rather than at its batch deadline. */
  flush?(): void;
  /** Called after each acknowledgement (truncation, metrics). */
  onAck?(pos: WalPosition): void;
}

export async function pumpWal(reader: WalReader, opts: PumpOptions, signal: AbortSignal): Promise<void> {
  const inFlight: { done: boolean; failed: boolean; end: WalPosition; settled: Promise<void> }[] = [];
  let bytesInFlight = 0;
  const full = (): boolean => inFlight.length >= opts.maxInFlight || (opts.maxInFlightBytes !== undefined && inFlight.length > 0 && bytesInFlight >= opts.maxInFlightBytes);
  let slot: (() => void) | undefined;
  const freeSlot = (): void => {
    const s = slot;
    slot = undefined;
    s?.();
  };
  const ackDone = (): void => {
    let last: WalPosition | undefined;
    while (inFlight.length > 0 && inFlight[0]!.done) last = inFlight.shift()!.end;
    if (last) {
      reader.ack(last);
      opts.onAck?.(last);
    }
  };
  const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));
  reader.rewind();
  while (!signal.aborted) {
    if (inFlight.some((f) => f.failed)) break;
    if (full()) {
      opts.flush?.();
      await Promise.race([new Promise<void>((resolve) => (slot = resolve)), aborted]);
      continue;
    }
    const record = await reader.next(signal);
    if (!record) break;
    const entry = { done: false, failed: false, end: record.end, settled: Promise.resolve() };
    const bytes = record.memo ? record.memo.bytes : record.payload.length;
    bytesInFlight += bytes;
    entry.settled = opts.deliver(record.payload, record.end, record.memo).then(
      () => {
        bytesInFlight -= bytes;
        entry.done = true;
        ackDone();
        freeSlot();
      },
      () => {
        // Not delivered: stays unacknowledged, read again after a restart.
        bytesInFlight -= bytes;
        entry.failed = true;
        freeSlot();
      },
    );
    inFlight.push(entry);
  }
  await Promise.all(inFlight.map((f) => f.settled));
}
