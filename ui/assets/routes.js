/**
 * Client-side routes, relative to the UI prefix (the page's <base href>):
 *   ''                      graph of the root config
 *   'graph'                 same
 *   'graph/{moduleId}'      graph of a module instance
 *   'component/{globalId}'  one component
 *   'config'                the effective config (every loaded file, secrets redacted)
 * Ids are URI-encoded whole, so a module component's `/` stays in one segment.
 */

/** @typedef {{ page: 'graph', moduleId: string } | { page: 'component', id: string } | { page: 'config' } | { page: 'missing', path: string }} Route */

/** @param {string} moduleId */
export function graphHref(moduleId) {
  return moduleId === '' ? 'graph' : `graph/${encodeURIComponent(moduleId)}`;
}

/** @param {string} globalId */
export function componentHref(globalId) {
  return `component/${encodeURIComponent(globalId)}`;
}

/**
 * The route of a location, or 'missing' for paths outside the UI's routes.
 * @param {Location | URL} location
 * @returns {Route}
 */
export function parseRoute(location) {
  const base = new URL(document.baseURI).pathname;
  const path = location.pathname.startsWith(base) ? location.pathname.slice(base.length) : location.pathname;
  if (path === '' || path === 'graph' || path === 'graph/') return { page: 'graph', moduleId: '' };
  if (path === 'config') return { page: 'config' };
  const graph = /^graph\/(.+)$/.exec(path);
  if (graph) return { page: 'graph', moduleId: decodeURIComponent(graph[1] ?? '') };
  const component = /^component\/(.+)$/.exec(path);
  if (component) return { page: 'component', id: decodeURIComponent(component[1] ?? '') };
  return { page: 'missing', path };
}
