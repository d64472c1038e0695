/**
 * A directed graph keyed by node id. An edge `from → to` means "from depends on
 * to" (from references to), as in Alloy's controller: evaluation walks
 * dependencies first, and an export change re-evaluates the nodes with an edge
 * into the changed node.
 */
export class Graph<N> {
  private readonly nodes = new Map<string, N>();
  private readonly out = new Map<string, Set<string>>();
  private readonly inn = new Map<string, Set<string>>();

  add(id: string, node: N): void {
    this.nodes.set(id, node);
    if (!this.out.has(id)) this.out.set(id, new Set());
    if (!this.inn.has(id)) this.inn.set(id, new Set());
  }

  get(id: string): N | undefined {
    return this.nodes.get(id);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  ids(): IterableIterator<string> {
    return this.nodes.keys();
  }

  values(): IterableIterator<N> {
    return this.nodes.values();
  }

  get size(): number {
    return this.nodes.size;
  }

  /** Records that `from` depends on `to`. Both must already be nodes. */
  addEdge(from: string, to: string): void {
    this.out.get(from)!.add(to);
    this.inn.get(to)!.add(from);
  }

  /** Ids `id` depends on. */
  dependencies(id: string): ReadonlySet<string> {
    return this.out.get(id) ?? EMPTY;
  }

  /** Ids that depend on `id`. */
  dependants(id: string): ReadonlySet<string> {
    return this.inn.get(id) ?? EMPTY;
  }

  hasSelfEdge(id: string): boolean {
    return this.out.get(id)?.has(id) ?? false;
  }

  /** Strongly connected components (Tarjan), iteratively to survive deep graphs. */
  stronglyConnected(): string[][] {
    const index = new Map<string, number>();
    const low = new Map<string, number>();
    const onStack = new Set<string>();
    const stack: string[] = [];
    const result: string[][] = [];
    let next = 0;
    for (const root of this.nodes.keys()) {
      if (index.has(root)) continue;
      const work: { id: string; it: Iterator<string> }[] = [];
      const visit = (id: string) => {
        index.set(id, next);
        low.set(id, next);
        next++;
        stack.push(id);
        onStack.add(id);
        work.push({ id, it: this.dependencies(id)[Symbol.iterator]() });
      };
      visit(root);
      while (work.length > 0) {
        const frame = work[work.length - 1]!;
        const step = frame.it.next();
        if (!step.done) {
          const w = step.value;
          if (!index.has(w)) visit(w);
          else if (onStack.has(w)) low.set(frame.id, Math.min(low.get(frame.id)!, index.get(w)!));
          continue;
        }
        work.pop();
        const parent = work[work.length - 1];
        if (parent) low.set(parent.id, Math.min(low.get(parent.id)!, low.get(frame.id)!));
        if (low.get(frame.id) === index.get(frame.id)) {
          const scc: string[] = [];
          let w: string;
          do {
            w = stack.pop()!;
            onStack.delete(w);
            scc.push(w);
          } while (w !== frame.id);
          result.push(scc);
        }
      }
    }
    return result;
  }

  /**
   * Ids ordered so every node comes after all of its dependencies. Ties keep
   * insertion order, which makes evaluation order deterministic. Nodes on a
   * cycle are appended at the end (callers reject cyclic graphs first).
   */
  topologicalOrder(): string[] {
    const pending = new Map<string, number>();
    for (const [id, deps] of this.out) pending.set(id, deps.size - (deps.has(id) ? 1 : 0));
    const order: string[] = [];
    const ready = [...this.nodes.keys()].filter((id) => pending.get(id) === 0);
    for (let i = 0; i < ready.length; i++) {
      const id = ready[i]!;
      order.push(id);
      for (const dependant of this.dependants(id)) {
        if (dependant === id) continue;
        const left = pending.get(dependant)! - 1;
        pending.set(dependant, left);
        if (left === 0) ready.push(dependant);
      }
    }
    if (order.length < this.nodes.size) {
      const placed = new Set(order);
      for (const id of this.nodes.keys()) if (!placed.has(id)) order.push(id);
    }
    return order;
  }

  /** Every node reachable from `id` through dependant edges (transitively), excluding `id`. */
  transitiveDependants(id: string): Set<string> {
    const seen = new Set<string>();
    const todo = [id];
    while (todo.length > 0) {
      for (const d of this.dependants(todo.pop()!)) {
        if (d !== id && !seen.has(d)) {
          seen.add(d);
          todo.push(d);
        }
      }
    }
    return seen;
  }
}

const EMPTY: ReadonlySet<string> = new Set();
