/**
 * Serving the UI and the API fields it needs (no browser): prefix handling,
 * the SPA fallback, assets, dataFlowEdgesTo and liveDebuggingEnabled.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizePrefix } from '../../src/runtime/http/ui.js';
import { ROOT_FLOWS, ROOT_NODES, SECRET, startUiAgent, type UiAgent } from './ui-fixture.js';

interface ComponentJson {
  localID: string;
  moduleID: string;
  dataFlowEdgesTo: string[];
  referencesTo: string[];
  createdModuleIDs: string[];
  liveDebuggingEnabled: boolean;
  arguments?: { name: string; value: { type: string; value: unknown } }[];
}

const html = { Accept: 'text/html,application/xhtml+xml' };

function flows(components: ComponentJson[]): string[] {
  return components.flatMap((c) => c.dataFlowEdgesTo.map((to) => `${c.localID} → ${to}`)).sort();
}

/** Runs a fixture agent around the enclosing describe; the returned function fetches from it without following redirects. */
function useAgent(uiPathPrefix?: string) {
  let agent: UiAgent | undefined;
  beforeAll(async () => {
    agent = await startUiAgent(uiPathPrefix);
  });
  afterAll(() => agent?.close());
  return (p: string, init: RequestInit = {}) => fetch(agent!.origin + p, { redirect: 'manual', ...init });
}

describe('UI at the default prefix', () => {
  const get = useAgent();

  it('serves index.html with the base href and a strict CSP', async () => {
    const res = await get('/', { headers: html });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    const body = await res.text();
    expect(body).toContain('<base href="/">');
    expect(body).toContain('src="assets/app.js"');
  });

  it('answers / with the UI page for any client, as Alloy does (curl sends Accept: */*)', async () => {
    const res = await get('/', { headers: { Accept: '*/*' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toContain('<base href="/">');
  });

  it('serves index.html for client-side routes a browser opens, 404 to other clients', async () => {
    const page = await get('/component/local.file.secret', { headers: html });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<base href="/">');
    expect((await get('/graph/pipeline.main', { headers: html })).status).toBe(200);
    expect((await get('/component/local.file.secret')).status).toBe(404);
    expect((await get('/api/v0/web/nope', { headers: html })).status).toBe(404);
  });

  it('serves assets and the vendored dagre bundle, nothing outside them', async () => {
    const app = await get('/assets/app.js');
    expect(app.status).toBe(200);
    expect(app.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const dagre = await get('/assets/vendor/dagre.esm.js');
    expect(dagre.status).toBe(200);
    expect(await dagre.text()).toMatch(/export\s*\{[^}]*as default/);
    expect((await get('/assets/style.css')).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/assets/nope.js')).status).toBe(404);
    expect((await get('/assets/..%2f..%2fpackage.json')).status).toBe(404);
    expect((await get('/assets/vendor/../../package.json')).status).toBe(404);
    const head = await get('/assets/app.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
  });

  it('reports data-flow edges: receivers downstream, read values upstream', async () => {
    const list = (await (await get('/api/v0/web/components')).json()) as ComponentJson[];
    expect(list.map((c) => c.localID).sort()).toEqual(ROOT_NODES);
    expect(flows(list)).toEqual(ROOT_FLOWS);
    const one = (await (await get('/api/v0/web/components/pipeline.main')).json()) as ComponentJson;
    expect(one.dataFlowEdgesTo).toEqual(['loki.echo.out']);
    expect(one.createdModuleIDs).toEqual(['pipeline.main']);
  });

  it('reports data-flow edges inside modules', async () => {
    const inner = (await (await get('/api/v0/web/modules/pipeline.main/components')).json()) as ComponentJson[];
    expect(inner.map((c) => c.localID).sort()).toEqual(['argument.forward_to', 'export.receiver', 'loki.echo.inner']);
    expect(flows(inner)).toEqual(['export.receiver → loki.echo.inner']);
    const one = (await (await get(`/api/v0/web/components/${encodeURIComponent('pipeline.main/export.receiver')}`)).json()) as ComponentJson;
    expect(one.moduleID).toBe('pipeline.main');
    expect(one.dataFlowEdgesTo).toEqual(['loki.echo.inner']);
  });

  it('shows a custom component its module arguments, and which components stream live data', async () => {
    const main = (await (await get('/api/v0/web/components/pipeline.main')).json()) as ComponentJson;
    expect(main.arguments).toEqual([{ name: 'forward_to', type: 'attr', value: { type: 'array', value: [{ type: 'capsule', value: 'capsule("loki.LogsReceiver")' }] } }]);
    const echo = (await (await get('/api/v0/web/components/loki.echo.out')).json()) as ComponentJson;
    expect(echo.liveDebuggingEnabled).toBe(true);
    const file = (await (await get('/api/v0/web/components/local.file.secret')).json()) as ComponentJson;
    expect(file.liveDebuggingEnabled).toBe(false);
    expect(JSON.stringify(file)).not.toContain(SECRET);
  });
});

describe('UI under a path prefix', () => {
  const get = useAgent('/alloy');

  it('redirects the prefix without its slash', async () => {
    const res = await get('/alloy', { headers: html });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/alloy/');
  });

  it('serves the UI, its assets and the web API under the prefix only', async () => {
    const index = await get('/alloy/', { headers: html });
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<base href="/alloy/">');
    expect((await get('/alloy/component/loki.echo.out', { headers: html })).status).toBe(200);
    expect((await get('/alloy/assets/app.js')).status).toBe(200);
    expect((await get('/', { headers: html })).status).toBe(404);
    expect((await get('/assets/app.js')).status).toBe(404);
    const list = (await (await get('/alloy/api/v0/web/components')).json()) as ComponentJson[];
    expect(list).toHaveLength(ROOT_NODES.length);
    // The unprefixed API keeps working for existing clients.
    expect((await get('/api/v0/web/components')).status).toBe(200);
  });

  it('normalizes prefixes', () => {
    expect(normalizePrefix('')).toBe('/');
    expect(normalizePrefix('/')).toBe('/');
    expect(normalizePrefix('ui')).toBe('/ui/');
    expect(normalizePrefix('/a/b/')).toBe('/a/b/');
  });

  it('serves a prefix with characters URLs encode', async () => {
    expect(normalizePrefix('/a b"<c')).toBe('/a%20b%22%3Cc/');
    const odd = await startUiAgent('/a b"<c');
    try {
      const body = await (await fetch(`${odd.origin}/a%20b%22%3Cc/`, { headers: html })).text();
      expect(body).toContain('<base href="/a%20b%22%3Cc/">');
    } finally {
      await odd.close();
    }
  });
});
