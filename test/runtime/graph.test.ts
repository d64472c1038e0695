import { describe, expect, it } from 'vitest';
import { Graph } from '../../src/runtime/graph.js';

function graphOf(edges: [string, string][], extra: string[] = []): Graph<string> {
  const g = new Graph<string>();
  for (const id of extra) g.add(id, id);
  for (const [a, b] of edges) {
    if (!g.has(a)) g.add(a, a);
    if (!g.has(b)) g.add(b, b);
    g.addEdge(a, b);
  }
  return g;
}

describe('Graph', () => {
  it('orders dependencies before dependants', () => {
    const g = graphOf([['write', 'process'], ['process', 'source'], ['write', 'source']]);
    const order = g.topologicalOrder();
    expect(order.indexOf('source')).toBeLessThan(order.indexOf('process'));
    expect(order.indexOf('process')).toBeLessThan(order.indexOf('write'));
  });

  it('finds cycles as strongly connected components', () => {
    const g = graphOf([['a', 'b'], ['b', 'a'], ['c', 'd'], ['d', 'e'], ['e', 'c'], ['f', 'f']], ['g']);
    const cycles = g.stronglyConnected().filter((s) => s.length > 1).map((s) => s.sort());
    expect(cycles).toEqual(expect.arrayContaining([['a', 'b'], ['c', 'd', 'e']]));
    expect(cycles).toHaveLength(2);
    expect(g.hasSelfEdge('f')).toBe(true);
    expect(g.hasSelfEdge('g')).toBe(false);
  });

  it('survives a 100k-deep chain without recursion limits', () => {
    const g = new Graph<number>();
    for (let i = 0; i < 100_000; i++) g.add(`n${i}`, i);
    for (let i = 1; i < 100_000; i++) g.addEdge(`n${i}`, `n${i - 1}`);
    expect(g.stronglyConnected()).toHaveLength(100_000);
    expect(g.topologicalOrder()[0]).toBe('n0');
  });

  it('lists direct and transitive dependants', () => {
    const g = graphOf([['b', 'a'], ['c', 'b'], ['d', 'a']]);
    expect([...g.dependants('a')].sort()).toEqual(['b', 'd']);
    expect([...g.transitiveDependants('a')].sort()).toEqual(['b', 'c', 'd']);
  });
});
