/**
 * The graph page: every component of the root config or of one module as a
 * node coloured by health, data-flow edges (solid, in the direction data
 * travels) and, on request, reference edges (dashed, referrer → referenced).
 * dagre lays the graph out left to right; the page draws it as plain SVG.
 */
import dagre from './vendor/dagre.esm.js';
import { globalId, listComponents } from './api.js';
import { h, link, svg } from './dom.js';
import { componentHref, graphHref } from './routes.js';

/** @typedef {import('./api.js').Component} Component */
/** @typedef {{ from: string, to: string, kind: 'flow' | 'ref' }} Edge */
/** @typedef {{ x: number, y: number }} Point */

const NODE_HEIGHT = 56;
const NODE_PADDING_X = 16;
const HEALTH_BAR = 6;
const MIN_NODE_WIDTH = 140;
const MODULE_LINK_TEXT = 'module ›';
/** Fonts of the node texts; keep in sync with .node-name and .node-label in style.css. */
const NAME_FONT = '600 14px system-ui, sans-serif';
const LABEL_FONT = '13px system-ui, sans-serif';

/**
 * @param {HTMLElement} root
 * @param {string} moduleId '' for the root config
 * @returns {import('./app.js').Page}
 */
export function graphPage(root, moduleId) {
  const canvas = h('div', { id: 'graph', class: 'graph hide-refs' });
  const summary = h('span', { class: 'summary' });
  root.append(heading(moduleId), toolbar(canvas, summary), canvas);
  let shape = '';
  return {
    async refresh() {
      const components = await listComponents(moduleId);
      summary.textContent = summarize(components);
      const next = graphShape(components);
      // Re-layout only when the graph changed: a health change must not move nodes.
      if (next !== shape) canvas.replaceChildren(drawGraph(components));
      else updateHealth(canvas, components);
      shape = next;
    },
    dispose() {},
  };
}

/** @param {string} moduleId */
function heading(moduleId) {
  if (moduleId === '') return h('h1', {}, 'Graph');
  const parent = moduleId.includes('/') ? moduleId.slice(0, moduleId.lastIndexOf('/')) : '';
  return h('div', {},
    h('nav', { class: 'crumbs' }, link(graphHref(parent), parent === '' ? 'Graph' : `Module ${parent}`), ' › ', link(componentHref(moduleId), moduleId)),
    h('h1', {}, 'Module ', h('code', {}, moduleId)));
}

/**
 * @param {HTMLElement} canvas
 * @param {HTMLElement} summary
 */
function toolbar(canvas, summary) {
  const toggle = h('input', { type: 'checkbox', id: 'show-refs' });
  toggle.addEventListener('change', () => canvas.classList.toggle('hide-refs', !toggle.checked));
  return h('div', { class: 'toolbar' },
    summary,
    h('label', {}, toggle, ' Show references'),
    h('span', { class: 'legend' },
      ...['healthy', 'unknown', 'unhealthy', 'exited'].map((state) => h('span', { class: `swatch health-${state}` }, state)),
      h('span', { class: 'legend-edge flow' }, 'data flow'),
      h('span', { class: 'legend-edge ref' }, 'reference')));
}

/** @param {Component[]} components */
function summarize(components) {
  const unhealthy = components.filter((c) => c.health.state === 'unhealthy').length;
  return `${components.length} components${unhealthy > 0 ? `, ${unhealthy} unhealthy` : ''}`;
}

/**
 * What the layout depends on (nodes, texts, edges), not health.
 * @param {Component[]} components
 */
function graphShape(components) {
  return JSON.stringify(components.map((c) => [c.localID, c.name, c.label, c.dataFlowEdgesTo, c.referencesTo, c.createdModuleIDs]));
}

/**
 * Data-flow edges, then one reference edge per reference.
 * @param {Component[]} components
 * @returns {Edge[]}
 */
export function edgesOf(components) {
  const ids = new Set(components.map((c) => c.localID));
  /** @type {(kind: Edge['kind'], c: Component, targets: string[]) => Edge[]} */
  const edges = (kind, c, targets) => targets.filter((to) => ids.has(to)).map((to) => ({ from: c.localID, to, kind }));
  return [
    ...components.flatMap((c) => edges('flow', c, c.dataFlowEdgesTo)),
    ...components.flatMap((c) => edges('ref', c, c.referencesTo)),
  ];
}

/** @param {Component[]} components */
function drawGraph(components) {
  if (components.length === 0) return h('p', { class: 'muted' }, 'No components.');
  const edges = edgesOf(components);
  const graph = layout(components, edges);
  const { width = 0, height = 0 } = graph.graph();
  return svg('svg', { class: 'graph-svg', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'Component graph' },
    edges.map((e) => drawEdge(e, edgePoints(graph, e))),
    components.map((c) => drawNode(c, graph.node(c.localID))));
}

/**
 * Lays out nodes left to right along data flow. A reference that no data-flow
 * edge already covers places the referenced node first, as dependencies come first.
 * @param {Component[]} components
 * @param {Edge[]} edges
 */
function layout(components, edges) {
  const graph = new dagre.graphlib.Graph();
  graph.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 72, marginx: 16, marginy: 16 });
  graph.setDefaultEdgeLabel(() => ({}));
  for (const c of components) graph.setNode(c.localID, { width: nodeWidth(c), height: NODE_HEIGHT });
  for (const e of edges) {
    if (e.kind === 'flow') graph.setEdge(e.from, e.to);
    else if (!graph.hasEdge(e.from, e.to) && !graph.hasEdge(e.to, e.from)) graph.setEdge(e.to, e.from);
  }
  dagre.layout(graph);
  return graph;
}

/**
 * The laid-out route between an edge's ends, whichever way dagre placed it.
 * @param {import('@dagrejs/dagre').graphlib.Graph} graph
 * @param {Edge} e
 * @returns {Point[]}
 */
function edgePoints(graph, e) {
  const forward = graph.edge(e.from, e.to);
  if (forward?.points) return forward.points;
  return [...(graph.edge(e.to, e.from)?.points ?? [])].reverse();
}

/**
 * @param {Edge} e
 * @param {Point[]} points
 */
function drawEdge(e, points) {
  if (points.length < 2) return null;
  return svg('g', { class: `edge edge-${e.kind}`, 'data-from': e.from, 'data-to': e.to },
    svg('title', {}, `${e.from} ${e.kind === 'flow' ? 'sends data to' : 'references'} ${e.to}`),
    svg('path', { class: 'edge-line', d: curve(points) }),
    svg('path', { class: 'edge-arrow', d: arrowHead(points) }));
}

/**
 * A smooth path through dagre's control points.
 * @param {Point[]} points
 */
function curve(points) {
  const [first, ...rest] = points;
  let d = `M${first?.x},${first?.y}`;
  for (let i = 0; i < rest.length - 1; i++) {
    const p = /** @type {Point} */ (rest[i]);
    const q = /** @type {Point} */ (rest[i + 1]);
    d += ` Q${p.x},${p.y} ${(p.x + q.x) / 2},${(p.y + q.y) / 2}`;
  }
  const last = rest[rest.length - 1];
  return `${d} L${last?.x},${last?.y}`;
}

/**
 * A filled triangle at the end of the path. Drawn, not an SVG marker: `url(#id)`
 * references would resolve against the page's <base href>.
 * @param {Point[]} points
 */
function arrowHead(points) {
  const tip = /** @type {Point} */ (points[points.length - 1]);
  const from = /** @type {Point} */ (points[points.length - 2]);
  const angle = Math.atan2(tip.y - from.y, tip.x - from.x);
  const corner = (/** @type {number} */ turn) => `${tip.x - 9 * Math.cos(angle + turn)},${tip.y - 9 * Math.sin(angle + turn)}`;
  return `M${tip.x},${tip.y} L${corner(0.45)} L${corner(-0.45)} Z`;
}

/**
 * @param {Component} c
 * @param {{ x: number, y: number, width: number, height: number }} box
 */
function drawNode(c, box) {
  const left = box.x - box.width / 2;
  const top = box.y - box.height / 2;
  const moduleId = c.createdModuleIDs[0];
  return svg('g', { class: `node health-${c.health.state}`, 'data-id': c.localID, transform: `translate(${left},${top})` },
    svg('a', { href: componentHref(globalId(c)), class: 'node-link' },
      svg('title', {}, healthTitle(c)),
      svg('rect', { class: 'node-box', width: box.width, height: box.height, rx: 6 }),
      svg('rect', { class: 'node-bar', width: HEALTH_BAR, height: box.height, rx: 3 }),
      // A node without a label (logging, livedebugging) centres its name.
      svg('text', { class: 'node-name', x: HEALTH_BAR + NODE_PADDING_X - 4, y: c.label === '' ? 33 : 23 }, c.name),
      c.label !== '' && svg('text', { class: 'node-label', x: HEALTH_BAR + NODE_PADDING_X - 4, y: 42 }, JSON.stringify(c.label))),
    moduleId !== undefined && svg('a', { href: graphHref(moduleId), class: 'module-link' },
      svg('text', { x: box.width - 10, y: 42, 'text-anchor': 'end' }, MODULE_LINK_TEXT)));
}

/** @param {Component} c */
function healthTitle(c) {
  return `${c.localID}\n${c.health.state}${c.health.message ? `: ${c.health.message}` : ''}`;
}

/** @param {Component} c */
function nodeWidth(c) {
  const label = textWidth(JSON.stringify(c.label), LABEL_FONT) + (c.createdModuleIDs.length > 0 ? textWidth(MODULE_LINK_TEXT, LABEL_FONT) + 16 : 0);
  return Math.max(MIN_NODE_WIDTH, Math.ceil(Math.max(textWidth(c.name, NAME_FONT), label)) + HEALTH_BAR + 2 * NODE_PADDING_X);
}

const measure = document.createElement('canvas').getContext('2d');

/**
 * @param {string} text
 * @param {string} font
 */
function textWidth(text, font) {
  if (!measure) return text.length * 8;
  measure.font = font;
  return measure.measureText(text).width;
}

/**
 * Recolours nodes in place and refreshes their tooltips.
 * @param {HTMLElement} canvas
 * @param {Component[]} components
 */
function updateHealth(canvas, components) {
  for (const c of components) {
    const node = canvas.querySelector(`g.node[data-id="${CSS.escape(c.localID)}"]`);
    if (!node) continue;
    node.setAttribute('class', `node health-${c.health.state}`);
    const title = node.querySelector('title');
    if (title) title.textContent = healthTitle(c);
  }
}
