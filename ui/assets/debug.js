/**
 * Live debugging on a component page: streams what passes through the
 * component (one message per line), pausable, with the current rate. Pausing
 * closes the stream, so a paused page costs the agent nothing.
 */
import { ApiError, streamDebug } from './api.js';
import { h } from './dom.js';

/** Lines kept on screen; older ones scroll away. */
const MAX_LINES = 500;
/** The rate is the number of messages over this window. */
const RATE_WINDOW_MS = 5000;

/**
 * @param {string} id global id of the component
 * @param {boolean} available whether the agent says live debugging is on for it
 * @returns {{ element: HTMLElement, dispose(): void }}
 */
export function liveDebugPanel(id, available) {
  const toggle = h('button', { type: 'button', id: 'debug-toggle' }, 'Start');
  const clear = h('button', { type: 'button' }, 'Clear');
  const rate = h('span', { class: 'debug-rate', id: 'debug-rate' }, '0.0 msg/s');
  const message = h('p', { class: 'muted debug-message' }, available ? '' : 'Live debugging is off for this component: it needs `livedebugging { enabled = true }` in the config, and only some components publish data.');
  const lines = h('ol', { class: 'debug-lines', id: 'debug-lines' });
  /** Arrival times of recent messages, for the rate. */
  let arrivals = /** @type {number[]} */ ([]);
  /** @type {AbortController | undefined} */
  let stream;

  /** @param {string[]} batch */
  const append = (batch) => {
    const now = performance.now();
    arrivals.push(...batch.map(() => now));
    lines.append(...batch.map((line) => h('li', {}, line)));
    while (lines.childElementCount > MAX_LINES) lines.firstElementChild?.remove();
    lines.scrollTop = lines.scrollHeight;
  };
  const stop = () => {
    stream?.abort();
    stream = undefined;
    toggle.textContent = 'Resume';
  };
  const start = () => {
    const controller = (stream = new AbortController());
    toggle.textContent = 'Pause';
    message.textContent = '';
    streamDebug(id, append, controller.signal).then(
      () => stream === controller && stop(),
      (/** @type {unknown} */ err) => {
        if (controller.signal.aborted) return;
        stop();
        message.textContent = err instanceof ApiError ? err.message : 'The stream ended: cannot reach the agent.';
      },
    );
  };
  const tick = setInterval(() => {
    const since = performance.now() - RATE_WINDOW_MS;
    arrivals = arrivals.filter((t) => t >= since);
    rate.textContent = `${(arrivals.length / (RATE_WINDOW_MS / 1000)).toFixed(1)} msg/s`;
  }, 1000);

  toggle.addEventListener('click', () => (stream ? stop() : start()));
  clear.addEventListener('click', () => lines.replaceChildren());
  const element = h('section', { class: 'card live-debug' },
    h('h2', {}, 'Live debugging'),
    h('div', { class: 'toolbar' }, toggle, clear, rate),
    message,
    lines);
  return {
    element,
    dispose() {
      clearInterval(tick);
      stream?.abort();
    },
  };
}
