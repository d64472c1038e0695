/**
 * Live debugging: components publish descriptions of the data passing
 * through them; subscribers (the UI's stream) receive them. Publishing is
 * free when nobody listens, and a slow subscriber loses lines instead of
 * slowing the pipeline (each subscriber has a bounded buffer).
 */
export type DebugListener = (line: string) => void;

const MAX_PENDING = 1000;

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

  /** Subscribes to a component's stream; call the returned function to stop. */
  subscribe(componentId: string, listener: DebugListener): () => void {
    const sub = new Subscriber(listener);
    let set = this.listeners.get(componentId);
    if (!set) this.listeners.set(componentId, (set = new Set()));
    set.add(sub);
    return () => {
      sub.closed = true;
      set.delete(sub);
      if (set.size === 0) this.listeners.delete(componentId);
    };
  }
}

/** Delivers lines asynchronously with a bounded queue; counts what it drops. */
class Subscriber {
  closed = false;
  dropped = 0;
  private pending: string[] = [];
  private scheduled = false;

  constructor(private readonly listener: DebugListener) {}

  offer(line: string): void {
    if (this.closed) return;
    if (this.pending.length >= MAX_PENDING) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.scheduled = false;
    const lines = this.pending;
    this.pending = [];
    for (const line of lines) if (!this.closed) this.listener(line);
  }
}
