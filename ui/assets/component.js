/**
 * The component page: health, arguments, exports and debug info, the
 * components it references and is referenced by, and live debugging.
 */
import { ApiError, getComponent, globalId } from './api.js';
import { liveDebugPanel } from './debug.js';
import { age, h, link } from './dom.js';
import { componentHref, graphHref } from './routes.js';
import { bodyTable } from './values.js';

/** @typedef {import('./api.js').Component} Component */

/**
 * @param {HTMLElement} root
 * @param {string} id global id of the component
 * @returns {import('./app.js').Page}
 */
export function componentPage(root, id) {
  const details = h('div', { class: 'component' });
  root.append(details);
  /** @type {ReturnType<typeof liveDebugPanel> | undefined} */
  let debug;
  let shown = '';
  return {
    async refresh() {
      const c = await load(id);
      if (!c) return details.replaceChildren(notFound(id));
      const next = JSON.stringify(c);
      // Redraw only on change, so reading or selecting text is not disturbed every poll.
      if (next !== shown) details.replaceChildren(...renderComponent(c));
      else refreshAge(details, c);
      shown = next;
      if (!debug) root.append((debug = liveDebugPanel(id, c.liveDebuggingEnabled)).element);
    },
    dispose() {
      debug?.dispose();
    },
  };
}

/**
 * The component, or undefined when the agent no longer has it (removed by a reload).
 * @param {string} id
 */
async function load(id) {
  try {
    return await getComponent(id);
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return undefined;
    throw err;
  }
}

/** @param {string} id */
function notFound(id) {
  return h('div', {}, h('h1', {}, 'Component not found'), h('p', {}, 'The agent has no component ', h('code', {}, id), '. ', link('graph', 'Back to the graph'), '.'));
}

/**
 * @param {Component} c
 * @returns {HTMLElement[]}
 */
function renderComponent(c) {
  const moduleId = c.createdModuleIDs[0];
  const parts = [
    h('nav', { class: 'crumbs' }, link(graphHref(c.moduleID), c.moduleID === '' ? 'Graph' : `Module ${c.moduleID}`), ' › ', globalId(c)),
    h('h1', {}, c.name, c.label !== '' && h('span', { class: 'title-label' }, ` ${JSON.stringify(c.label)}`)),
    !!c.description && h('p', { class: 'component-description' }, c.description),
    healthCard(c),
    moduleId !== undefined && h('p', {}, 'This custom component runs a module: ', link(graphHref(moduleId), 'open its graph'), '.'),
    h('div', { class: 'cards' },
      h('section', { class: 'card', id: 'arguments' }, h('h2', {}, 'Arguments'), bodyTable(c.arguments, 'No arguments set.', c.argumentDescriptions)),
      h('section', { class: 'card', id: 'exports' }, h('h2', {}, 'Exports'), bodyTable(c.exports, 'No exports.')),
      h('section', { class: 'card', id: 'debug-info' }, h('h2', {}, 'Debug info'), bodyTable(c.debugInfo, 'No debug info.')),
      relationsCard(c)),
  ];
  return parts.filter((p) => p !== false);
}

/** @param {Component} c */
function healthCard(c) {
  const { state, message, updatedTime } = c.health;
  return h('section', { class: `card health health-${state}`, id: 'health' },
    h('span', { class: 'badge' }, state),
    h('span', { class: 'health-message' }, message),
    h('span', { class: 'muted' }, ' updated ', h('time', { datetime: updatedTime, title: updatedTime }, age(updatedTime))));
}

/**
 * @param {HTMLElement} details
 * @param {Component} c
 */
function refreshAge(details, c) {
  const time = details.querySelector('#health time');
  if (time) time.textContent = age(c.health.updatedTime);
}

/** @param {Component} c */
function relationsCard(c) {
  /** @param {string} title @param {string} key @param {string[]} ids local ids in the same module */
  const list = (title, key, ids) => h('div', { class: 'relation', 'data-relation': key },
    h('h3', {}, title),
    ids.length === 0 ? h('p', { class: 'muted' }, 'none') : h('ul', {}, ids.map((local) => h('li', {}, link(componentHref(globalId({ moduleID: c.moduleID, localID: local })), local)))));
  return h('section', { class: 'card', id: 'relations' },
    h('h2', {}, 'Connections'),
    list('References', 'references', c.referencesTo),
    list('Referenced by', 'referenced-by', c.referencedBy),
    list('Sends data to', 'data-flow', c.dataFlowEdgesTo));
}
