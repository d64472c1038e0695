#!/usr/bin/env node
/**
 * Screenshots the UI's graph of a config: node scripts/screenshot-graph.mjs CONFIG OUT.png
 *
 * Runs the agent in-process (from dist/: `npm run build` first) on a free
 * loopback port, opens the graph in headless Chromium (/usr/bin/chromium),
 * sizes the window to the whole graph and saves the page's content as PNG.
 * Components that cannot reach their endpoints still appear, coloured by health.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromiumMissing, launchChromium, openGraph } from './chromium.mjs';

const [config, out] = process.argv.slice(2);
if (!config || !out) {
  console.error('usage: node scripts/screenshot-graph.mjs CONFIG OUT.png');
  process.exit(2);
}
const missing = chromiumMissing();
if (missing) {
  console.error(missing);
  process.exit(1);
}

const { startAgent } = await import('../dist/cli/run-agent.js');
const storage = mkdtempSync(path.join(tmpdir(), 'alloy-ts-screenshot-'));
const quiet = { write: () => true };
const running = await startAgent(path.resolve(config), { 'server.http.listen-addr': '127.0.0.1:0', 'storage.path': storage }, { stdin: (async function* () {})(), stdout: quiet, stderr: quiet });
const browser = await launchChromium();
try {
  const page = await browser.context.newPage();
  await openGraph(page, `http://127.0.0.1:${running.server.address.port}/`);
  const size = await page.locator('#graph svg').evaluate((svg) => ({ width: svg.clientWidth, height: svg.clientHeight }));
  await page.setViewportSize({ width: Math.max(1000, size.width + 80), height: Math.max(400, size.height + 220) });
  await page.locator('#page').screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await running.stop();
  rmSync(storage, { recursive: true, force: true });
}
