/**
 * Data-flow edges for the web API's `dataFlowEdgesTo` (grafana/alloy
 * internal/component/component_provider.go): which way
 * data travels along each reference between two nodes of one controller.
 *
 * A reference into another node's exports is a dependency edge (referrer →
 * referenced). Data flows the other way round unless what is referenced is
 * a receiver: `forward_to = [loki.write.default.receiver]` hands the
 * referrer a capsule to push into, so data flows referrer → referenced.
 * Everything else (targets, file contents, secrets, rules) is read by the
 * referrer, so data flows referenced → referrer. This is the direction
 * Alloy's graph draws: `discovery → scrape → remote_write`.
 *
 * The decision is made from the expressions in the block and the current
 * exports, not from decoded arguments, so a component whose evaluation
 * failed still shows where it sends data.
 */
import { bodyTraversals, type Traversal } from '../../lang/references.js';
import type { Value } from '../../lang/value.js';
import type { NodeInfo } from '../controller.js';
import { resolveTraversal } from '../loader.js';

/**
 * Capsule types that carry data into a component (Go's loki.LogsReceiver,
 * storage.Appendable, otelcol.Consumer, pyroscope.Appendable). Secrets and
 * relabel rules are capsules too, but they are values read by the referrer.
 */
const RECEIVER_CAPSULE = /(Receiver|Appendable|Consumer)$/;

/** Outgoing data-flow edges of every node, by local id (all nodes of one controller). */
export function dataFlowEdges(nodes: readonly NodeInfo[]): Map<string, string[]> {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = new Map<string, Set<string>>(nodes.map((n) => [n.id, new Set()]));
  for (const from of nodes) {
    for (const t of bodyTraversals(from.block.body)) {
      const targetId = resolveTraversal(t, byId);
      const target = targetId === undefined ? undefined : byId.get(targetId);
      if (!target || target === from) continue;
      if (carriesReceiver(exportAt(target.exports, fieldPath(t, targetId!)))) edges.get(from.id)!.add(target.id);
      else edges.get(target.id)!.add(from.id);
    }
  }
  return new Map([...edges].map(([id, to]) => [id, [...to].sort()]));
}

/** The field names a traversal reads after the node id (`a.b.c.receiver` → ["receiver"]). */
function fieldPath(t: Traversal, nodeId: string): string[] {
  const idParts = nodeId.split('.').length;
  return t.parts.slice(idParts).map((p) => p.name);
}

/** Follows object fields as far as they exist: a deeper access reads part of the same export. */
function exportAt(exports: Value, path: readonly string[]): Value {
  let v = exports;
  for (const name of path) {
    const next = v.type === 'object' ? v.fields.get(name) : undefined;
    if (!next) break;
    v = next;
  }
  return v;
}

function carriesReceiver(v: Value): boolean {
  switch (v.type) {
    case 'capsule': return RECEIVER_CAPSULE.test(v.payload.capsuleType);
    case 'array': return v.elements.some(carriesReceiver);
    case 'object': return [...v.fields.values()].some(carriesReceiver);
    default: return false;
  }
}
