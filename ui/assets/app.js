/**
 * The UI shell: client-side routing (history API under the UI prefix), the
 * polling that keeps the open page live, and the reload button.
 */
import { ApiError, reloadConfig } from './api.js';
import { componentPage } from './component.js';
import { configPage } from './config.js';
import { h, link } from './dom.js';
import { graphPage } from './graph.js';
import { parseRoute } from './routes.js';

/** How often the open page re-reads health and exports. */
const POLL_MS = 2000;

/**
 * A page renders into its own root and keeps it current on refresh().
 * @typedef {{ refresh(): Promise<void>, dispose(): void }} Page
 */

const main = /** @type {HTMLElement} */ (document.getElementById('page'));
const status = /** @type {HTMLElement} */ (document.getElementById('status'));
const reloadBox = /** @type {HTMLElement} */ (document.getElementById('reload-result'));
const reloadButton = /** @type {HTMLButtonElement} */ (document.getElementById('reload'));

/** @type {Page | undefined} */
let page;
/** Pages with a refresh in flight: a slow agent must not pile up requests. */
const busy = new WeakSet();

function openCurrentRoute() {
  page?.dispose();
  // A fresh root per page: a late answer for the previous page lands in a detached element.
  const root = h('div', { class: 'page-root' });
  main.replaceChildren(root);
  page = createPage(parseRoute(location), root);
  void refresh();
}

/**
 * @param {import('./routes.js').Route} route
 * @param {HTMLElement} root
 * @returns {Page}
 */
function createPage(route, root) {
  if (route.page === 'graph') return graphPage(root, route.moduleId);
  if (route.page === 'component') return componentPage(root, route.id);
  if (route.page === 'config') return configPage(root);
  root.append(h('h1', {}, 'Page not found'), h('p', {}, 'Nothing lives at ', h('code', {}, route.path), '. ', link('graph', 'Open the graph'), '.'));
  return { refresh: async () => {}, dispose() {} };
}

async function refresh() {
  const current = page;
  if (!current || busy.has(current)) return;
  busy.add(current);
  try {
    await current.refresh();
    if (status.classList.contains('offline')) setStatus('');
  } catch (err) {
    setStatus(err instanceof ApiError ? err.message : 'Cannot reach the agent', 'offline');
  } finally {
    busy.delete(current);
  }
}

/**
 * @param {string} text
 * @param {'offline' | 'ok'} [kind]
 */
function setStatus(text, kind) {
  status.textContent = text;
  status.className = `status ${kind ?? ''}`;
}

async function reload() {
  reloadButton.disabled = true;
  try {
    await reloadConfig();
    showReloadFailure(undefined);
    setStatus('Config reloaded', 'ok');
    await refresh();
  } catch (err) {
    showReloadFailure(err instanceof Error ? err.message : String(err));
  } finally {
    reloadButton.disabled = false;
  }
}

/** @param {string | undefined} diagnostics the agent's report (400 body), or undefined to hide the box */
function showReloadFailure(diagnostics) {
  reloadBox.hidden = diagnostics === undefined;
  if (diagnostics === undefined) return reloadBox.replaceChildren();
  const dismiss = h('button', { type: 'button' }, 'Dismiss');
  dismiss.addEventListener('click', () => showReloadFailure(undefined));
  reloadBox.replaceChildren(h('h2', {}, 'Reload failed; the previous config keeps running'), h('pre', { class: 'diagnostics' }, diagnostics), dismiss);
}

/** Follows in-app links (HTML and SVG <a>) without reloading the page. */
function onClick(/** @type {MouseEvent} */ event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  const anchor = event.target instanceof Element ? event.target.closest('a') : null;
  const href = anchor?.getAttribute('href');
  if (!anchor || !href || anchor.hasAttribute('target')) return;
  const url = new URL(href, document.baseURI);
  if (url.origin !== location.origin || !url.pathname.startsWith(new URL(document.baseURI).pathname)) return;
  event.preventDefault();
  if (url.href !== location.href) history.pushState(null, '', url);
  openCurrentRoute();
}

document.addEventListener('click', onClick);
window.addEventListener('popstate', openCurrentRoute);
reloadButton.addEventListener('click', () => void reload());
setInterval(() => {
  if (!document.hidden) void refresh();
}, POLL_MS);
openCurrentRoute();
