/**
 * Live debugging: components publish descriptions of the data passing
 * through them; subscribers (the UI's stream) receive them. Publishing is
 * free when nobody listens, and a slow subscriber loses lines instead of
 * slowing the pipeline or growing memory: each subscriber has a bounded
 * buffer (lines and bytes) that drops its oldest lines when full, and lines
 * are only handed to the subscriber's sink while the sink accepts them (a
 * socket whose client does not read stops taking lines once its own buffer
 * reached its high-water mark).
 */

/** Where a subscriber's lines go (the HTTP response of one client). */
export interface DebugSink {
  /** Writes one chunk; false when the sink's own buffer is full (wait for `onDrain`). */
  write(chunk: string): boolean;
  /** Calls `resume` once the sink accepts writes again. */
  onDrain(resume: () => void): void;
}

/** Lines a subscriber may hold while its sink is full. */
export const MAX_PENDING_LINES = 1000;
/** Bytes a subscriber may hold while its sink is full (UTF-16 length, a bound on the memory used). */
export const MAX_PENDING_BYTES = 1 << 20;

export interface SubscriberStats {
  /** Lines waiting for the sink. */
  pendingLines: number;
  /** Bytes of those lines. */
  pendingBytes: number;
  /** Lines dropped (oldest first) because the buffer was full. */
  dropped: number;
  /** Lines handed to the sink. */
  delivered: number;
}

export class LiveDebugHub {
  enabled = false;
  private readonly listeners = new Map<string, Set<Subscriber>>();

  /** True when `componentId` has a listener and live debugging is on. */
  active(componentId: string): boolean {
    return this.enabled && (this.listeners.get(componentId)?.size ?? 0) > 0;
  }

  publish(componentId: string, line: string): void {
    if (!this.enabled) return;
    for (const sub of this.listeners.get(componentId) ?? []) sub.offer(line);
  }

  /** Subscribes `sink` to a component's stream; call the returned function to stop. */
  subscribe(componentId: string, sink: DebugSink): () => void {
    const sub = new Subscriber(sink);
    let set = this.listeners.get(componentId);
    if (!set) this.listeners.set(componentId, (set = new Set()));
    set.add(sub);
    return () => {
      sub.close();
      set.delete(sub);
      if (set.size === 0) this.listeners.delete(componentId);
    };
  }

  /** Buffer figures of every current subscriber of `componentId`. */
  stats(componentId: string): SubscriberStats[] {
    return [...(this.listeners.get(componentId) ?? [])].map((s) => s.stats());
  }
}

/** Delivers lines asynchronously through a bounded queue that drops its oldest lines; counts what it drops. */
class Subscriber {
  private closed = false;
  private dropped = 0;
  /** Drops not yet reported to the client. */
  private unreported = 0;
  private delivered = 0;
  private pending: string[] = [];
  private head = 0;
  private pendingBytes = 0;
  private scheduled = false;
  private waitingForDrain = false;

  constructor(private readonly sink: DebugSink) {}

  offer(line: string): void {
    if (this.closed) return;
    this.pending.push(line);
    this.pendingBytes += line.length;
    while (this.pendingLines() > MAX_PENDING_LINES || (this.pendingBytes > MAX_PENDING_BYTES && this.pendingLines() > 1)) this.dropOldest();
    this.schedule();
  }

  close(): void {
    this.closed = true;
    this.pending = [];
    this.head = 0;
    this.pendingBytes = 0;
  }

  stats(): SubscriberStats {
    return { pendingLines: this.pendingLines(), pendingBytes: this.pendingBytes, dropped: this.dropped, delivered: this.delivered };
  }

  private pendingLines(): number {
    return this.pending.length - this.head;
  }

  private dropOldest(): void {
    this.pendingBytes -= this.pending[this.head]!.length;
    // Forget the line now: the queue's front is only cut off in batches.
    this.pending[this.head] = '';
    this.head++;
    this.dropped++;
    this.unreported++;
    if (this.head >= MAX_PENDING_LINES) this.compact();
  }

  private schedule(): void {
    if (this.scheduled || this.waitingForDrain) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  /** Writes pending lines until the sink is full; a drop is announced before the lines that follow it. */
  private flush(): void {
    while (!this.closed && this.pendingLines() > 0) {
      let chunk = '';
      if (this.unreported > 0) {
        chunk = `alloy-ts: ${this.unreported} lines dropped: this client read slower than the component published\n`;
        this.unreported = 0;
      }
      const line = this.pending[this.head]!;
      this.head++;
      this.pendingBytes -= line.length;
      this.delivered++;
      if (!this.sink.write(`${chunk}${line}\n`)) {
        this.waitingForDrain = true;
        this.sink.onDrain(() => {
          this.waitingForDrain = false;
          this.schedule();
        });
        break;
      }
    }
    this.compact();
  }

  /** Releases the consumed front of the queue. */
  private compact(): void {
    if (this.head === 0) return;
    this.pending = this.pending.slice(this.head);
    this.head = 0;
  }
}
