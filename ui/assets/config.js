/**
 * The Config page: the configuration the agent runs, file by file in load
 * order, as GET /api/v0/web/config gives it (secret values already replaced
 * by "(secret)" on the agent; the page never receives them).
 */
import { getConfig } from './api.js';
import { h } from './dom.js';

/**
 * @param {HTMLElement} root
 * @returns {import('./app.js').Page}
 */
export function configPage(root) {
  const files = h('div', { class: 'config-files' });
  root.append(h('h1', {}, 'Effective configuration'), h('p', {}, 'The files the running graph was loaded from, in load order. Secrets are shown as (secret).'), files);
  /** @type {string} */
  let shown = '';
  return {
    async refresh() {
      const config = await getConfig();
      const key = JSON.stringify(config);
      if (key === shown) return; // keep the reader's scroll position and selection
      shown = key;
      files.replaceChildren(...config.files.map((f) => h('section', { class: 'config-file' }, h('h2', {}, f.name), h('pre', { class: 'config-text' }, f.content))));
    },
    dispose() {},
  };
}
