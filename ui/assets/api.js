/**
 * The agent's web API, as the UI uses it. Paths are relative to the page's
 * <base href>, so they follow the UI path prefix; `/-/reload` lives at the
 * server root, as in Alloy.
 */

/**
 * @typedef {{ type: string, value: any }} AlloyValue
 * @typedef {{ name: string, type: 'attr', value: AlloyValue } | { name: string, type: 'block', label?: string, body: Stmt[] }} Stmt
 * @typedef {{ state: 'healthy' | 'unhealthy' | 'unknown' | 'exited', message: string, updatedTime: string }} Health
 * @typedef {{
 *   name: string, label: string, localID: string, moduleID: string,
 *   referencesTo: string[], referencedBy: string[], dataFlowEdgesTo: string[],
 *   health: Health, createdModuleIDs: string[], liveDebuggingEnabled: boolean,
 *   arguments?: Stmt[], exports?: Stmt[], debugInfo?: Stmt[],
 *   description?: string, argumentDescriptions?: FieldDocs
 * }} Component
 * @typedef {{ [name: string]: { description?: string, fields?: FieldDocs } }} FieldDocs
 */

/** An HTTP error with the server's text (diagnostics, "component not found"). */
export class ApiError extends Error {
  /** @param {number} status @param {string} body */
  constructor(status, body) {
    super(body.trim() || `HTTP ${status}`);
    this.status = status;
  }
}

/**
 * Components of the root config (moduleId '') or of one module instance.
 * @param {string} moduleId
 * @returns {Promise<Component[]>}
 */
export function listComponents(moduleId) {
  return getJson(moduleId === '' ? 'api/v0/web/components' : `api/v0/web/modules/${encodeURIComponent(moduleId)}/components`);
}

/**
 * One component with arguments, exports and debug info.
 * @param {string} globalId
 * @returns {Promise<Component>}
 */
export function getComponent(globalId) {
  return getJson(`api/v0/web/components/${encodeURIComponent(globalId)}`);
}

/**
 * The effective config: every loaded file in load order, secrets redacted by the agent.
 * @returns {Promise<{ files: { name: string, content: string }[] }>}
 */
export function getConfig() {
  return getJson('api/v0/web/config');
}

/** Asks the agent to re-read its config; rejects with the diagnostics on failure. */
export async function reloadConfig() {
  const res = await fetch(new URL('/-/reload', location.origin), { method: 'POST' });
  const body = await res.text();
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/**
 * Streams a component's live-debugging messages, one per line, until `signal` aborts.
 * @param {string} globalId
 * @param {(lines: string[]) => void} onLines
 * @param {AbortSignal} signal
 */
export async function streamDebug(globalId, onLines, signal) {
  const res = await fetch(`api/v0/web/debug/${encodeURIComponent(globalId)}`, { signal });
  if (!res.ok || !res.body) throw new ApiError(res.status, await res.text());
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let partial = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    const lines = (partial + value).split('\n');
    partial = lines.pop() ?? '';
    if (lines.length > 0) onLines(lines);
  }
}

/**
 * The id the API knows a component by: local inside the root, `module/local` inside a module.
 * @param {{ moduleID: string, localID: string }} c
 */
export function globalId(c) {
  return c.moduleID === '' ? c.localID : `${c.moduleID}/${c.localID}`;
}

/** @param {string} url */
async function getJson(url) {
  const res = await fetch(url, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new ApiError(res.status, await res.text());
  return res.json();
}
