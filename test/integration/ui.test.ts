/**
 * The web UI in a real browser: Debian's Chromium driven by playwright-core,
 * against an agent started in-process under a UI path prefix. Screenshots
 * go to test-artifacts/ (git-ignored). Skips, saying why, without
 * /usr/bin/chromium.
 */
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumMissing, launchChromium, openGraph } from '../../scripts/chromium.mjs';
import { ROOT_FLOWS, ROOT_NODES, SECRET, startUiAgent, type UiAgent } from './ui-fixture.js';
import { builtinComponents } from '../../src/components/index.js';
import { fieldDescription } from '../../src/lang/schema.js';

const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const GREEN = 'rgb(46, 158, 82)';
const RED = 'rgb(217, 54, 54)';
const missing = chromiumMissing();
if (missing) console.warn(`UI browser tests skipped: ${missing}`);

describe.skipIf(missing !== undefined)(`web UI in Chromium${missing ? ` (skipped: ${missing})` : ''}`, () => {
  let agent: UiAgent;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let page: Page;

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    agent = await startUiAgent('/alloy');
    browser = await launchChromium();
    page = await browser.context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await agent?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  const node = (id: string) => page.locator(`#graph g.node[data-id="${id}"]`);
  const barColour = (id: string) => node(id).locator('.node-bar').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).fill);
  /** Polls a value from the page until it matches (the UI refreshes every 2 s). */
  const eventually = <T>(read: () => Promise<T> | T, timeout = 10_000) => expect.poll(read, { timeout, interval: 100 });
  const nodeCount = () => page.locator('#graph g.node').count();
  const edges = (kind: 'flow' | 'ref') =>
    page.locator(`#graph g.edge-${kind}`).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')} → ${e.getAttribute('data-to')}`).sort());

  it('draws a node per component and the data-flow edges', async () => {
    expect(await openGraph(page, agent.uiUrl)).toBe(ROOT_NODES.length);
    const ids = await page.locator('#graph g.node').evaluateAll((els) => els.map((e) => e.getAttribute('data-id')).sort());
    expect(ids).toEqual(ROOT_NODES);
    expect(await node('loki.echo.out').locator('.node-name').textContent()).toBe('loki.echo');
    expect(await node('loki.echo.out').locator('.node-label').textContent()).toBe('"out"');
    expect(await edges('flow')).toEqual(ROOT_FLOWS);
    // Data flows left to right.
    const x = (id: string) => node(id).evaluate((el) => el.getBoundingClientRect().x);
    expect(await x('pipeline.main')).toBeLessThan(await x('loki.echo.out'));
    expect(await x('local.file.pointer')).toBeLessThan(await x('local.file.secret'));
    expect(await barColour('loki.echo.out')).toBe(GREEN);
    await shot('ui-graph');
  });

  it('shows reference edges on request', async () => {
    const api = (await (await fetch(`${agent.uiUrl}api/v0/web/components`)).json()) as { localID: string; referencesTo: string[] }[];
    const references = api.flatMap((c) => c.referencesTo.map((to) => `${c.localID} → ${to}`)).sort();
    expect(references).toContain('pipeline.main → declare.pipeline');
    expect(await edges('ref')).toEqual(references);
    expect(await page.locator('#graph g.edge-ref').first().isVisible()).toBe(false);
    await page.locator('#show-refs').check();
    expect(await page.locator('#graph g.edge-ref').first().isVisible()).toBe(true);
    await shot('ui-graph-references');
    await page.locator('#show-refs').uncheck();
  });

  it('opens a component with its arguments, secrets redacted, and links to its neighbours', async () => {
    await node('local.file.secret').locator('a.node-link').click();
    await page.waitForURL(`${agent.uiUrl}component/local.file.secret`);
    await page.locator('#arguments tr[data-attr="is_secret"]').waitFor();
    expect(await page.locator('h1').textContent()).toBe('local.file "secret"');
    expect(await page.locator('#arguments tr[data-attr="filename"] td').textContent()).toBe(JSON.stringify(agent.files.secret));
    expect(await page.locator('#arguments tr[data-attr="is_secret"] td').textContent()).toBe('true');
    // What the component and each argument are for, from the schema.
    const localFile = builtinComponents().get('local.file')!;
    expect(await page.locator('.component-description').textContent()).toBe(localFile.description);
    expect(await page.locator('#arguments tr[data-attr="filename"] th .field-description').textContent()).toBe(fieldDescription(localFile.args, 'filename'));
    expect(await page.locator('#exports tr[data-attr="content"] td .value-secret').textContent()).toBe('(secret)');
    expect(await page.locator('#health .badge').textContent()).toBe('healthy');
    expect(await page.content()).not.toContain(SECRET);
    await shot('ui-component');
    await page.locator('[data-relation="references"] a', { hasText: 'local.file.pointer' }).click();
    await page.waitForURL(`${agent.uiUrl}component/local.file.pointer`);
    await page.locator('[data-relation="data-flow"] a', { hasText: 'local.file.secret' }).waitFor();
    await page.goBack();
    await page.waitForURL(`${agent.uiUrl}component/local.file.secret`);
    await page.locator('[data-relation="referenced-by"]').waitFor();
  });

  it('drills down into a module and survives a reload of a deep link', async () => {
    await openGraph(page, agent.uiUrl);
    await node('pipeline.main').locator('a.module-link').click();
    await page.waitForURL(`${agent.uiUrl}graph/pipeline.main`);
    await eventually(nodeCount).toBe(3);
    expect(await edges('flow')).toEqual(['export.receiver → loki.echo.inner']);
    await page.reload();
    await eventually(nodeCount).toBe(3);
    await node('loki.echo.inner').locator('a.node-link').click();
    await page.waitForURL(`${agent.uiUrl}component/${encodeURIComponent('pipeline.main/loki.echo.inner')}`);
    await page.locator('#health .badge').waitFor();
    expect(await page.locator('nav.crumbs').textContent()).toBe('Module pipeline.main › pipeline.main/loki.echo.inner');
    await shot('ui-module-component');
  });

  it('streams live debugging data, pausable, with a rate', async () => {
    await page.goto(`${agent.uiUrl}component/loki.echo.out`);
    const toggle = page.locator('#debug-toggle');
    await toggle.click();
    await eventually(() => toggle.textContent()).toBe('Pause');
    // The stream is open once the hub has a listener; push only then.
    await eventually(() => agent.running.agent.liveDebug.active('loki.echo.out')).toBe(true);
    await agent.push('loki.echo.out', ['first', 'second', 'third']);
    await eventually(() => page.locator('#debug-lines li').count()).toBe(3);
    expect(await page.locator('#debug-lines li').first().textContent()).toBe('{job="ui-test"} 1 entries');
    await eventually(() => page.locator('#debug-rate').textContent()).not.toBe('0.0 msg/s');
    expect(await page.locator('#debug-rate').textContent()).toMatch(/^\d+\.\d msg\/s$/);
    await shot('ui-live-debugging');
    await toggle.click();
    expect(await toggle.textContent()).toBe('Resume');
    await eventually(() => agent.running.agent.liveDebug.active('loki.echo.out')).toBe(false);
    await agent.push('loki.echo.out', ['while paused']);
    expect(await page.locator('#debug-lines li').count()).toBe(3);
  });

  it('shows the effective config with secrets redacted', async () => {
    writeFileSync(agent.configPath, agent.config('loki.write "w" {\n  endpoint {\n    url          = "http://u:url-pw@127.0.0.1:1/push"\n    bearer_token = "token-value"\n  }\n}\n'));
    await agent.running.agent.reload();
    await page.goto(`${agent.uiUrl}config`);
    await page.locator('pre.config-text').first().waitFor();
    const text = (await page.locator('pre.config-text').allTextContents()).join('\n');
    expect(text).toContain('local.file "secret"');
    expect(text).toContain('bearer_token = "(secret)"');
    expect(text).toContain('http://u:xxxxx@127.0.0.1:1/push');
    expect(text).not.toContain('token-value');
    expect(text).not.toContain('url-pw');
    writeFileSync(agent.configPath, agent.config());
    await agent.running.agent.reload();
  });

  it('reloads the config and shows the diagnostics when it fails', async () => {
    await openGraph(page, agent.uiUrl);
    writeFileSync(agent.configPath, agent.config('loki.echo "broken" {\n'));
    await page.locator('#reload').click();
    await page.locator('#reload-result pre.diagnostics').waitFor();
    expect(await page.locator('#reload-result pre.diagnostics').textContent()).toMatch(/config\.alloy:\d+:\d+: /);
    await shot('ui-reload-failed');
    writeFileSync(agent.configPath, agent.config('loki.echo "added" { }\n'));
    await page.locator('#reload').click();
    await eventually(() => page.locator('#status').textContent()).toBe('Config reloaded');
    expect(await page.locator('#reload-result').isHidden()).toBe(true);
    await node('loki.echo.added').waitFor();
  });

  it('recolours a component that becomes unhealthy without a page reload', async () => {
    await openGraph(page, agent.uiUrl);
    expect(await barColour('local.file.doomed')).toBe(GREEN);
    unlinkSync(agent.files.doomed);
    await node('local.file.doomed').and(page.locator('.health-unhealthy')).waitFor({ timeout: 15_000 });
    expect(await barColour('local.file.doomed')).toBe(RED);
    expect(await page.locator('.summary').textContent()).toContain('1 unhealthy');
    await shot('ui-graph-unhealthy');
    await node('local.file.doomed').locator('a.node-link').click();
    await page.locator('#health.health-unhealthy').waitFor();
    expect(await page.locator('#health .health-message').textContent()).toMatch(/failed to read file/);
  });

  it('escapes user text: markup in a value stays text', async () => {
    // Labels must be identifiers, so markup arrives through values: here a file's content.
    const marker = path.join(agent.dir, 'markup.txt');
    writeFileSync(marker, '<img src=x onerror="window.__pwned=1">');
    writeFileSync(agent.configPath, agent.config(`local.file "markup" {\n  filename = ${JSON.stringify(marker)}\n}\n`));
    await agent.running.agent.reload();
    await page.goto(`${agent.uiUrl}component/local.file.markup`);
    const value = page.locator('#exports tr[data-attr="content"] td');
    await value.waitFor();
    expect(await value.textContent()).toBe(JSON.stringify('<img src=x onerror="window.__pwned=1">'));
    expect(await page.locator('#exports img').count()).toBe(0);
    expect(await page.evaluate('window.__pwned')).toBeUndefined();
  });
});
