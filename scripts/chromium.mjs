/**
 * Headless Chromium for the UI's browser tests and screenshots: Debian's
 * /usr/bin/chromium driven by playwright-core (no browser download; the
 * machine is offline), with a fresh profile directory per launch.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const CHROMIUM_INSTALL = 'apt-get install -y chromium';

/** Why the browser cannot run here, or undefined when it can. */
export function chromiumMissing() {
  return existsSync(CHROMIUM_PATH) ? undefined : `${CHROMIUM_PATH} is absent (install it as root: ${CHROMIUM_INSTALL})`;
}

/**
 * Starts Chromium with a fresh profile; close() also removes the profile.
 * @param {{ width: number, height: number }} [viewport]
 */
export async function launchChromium(viewport = { width: 1400, height: 900 }) {
  const { chromium } = await import('playwright-core');
  const userDataDir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-chromium-'));
  // Playwright passes the profile as --user-data-dir itself (it refuses the flag in args).
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    viewport,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the graph page and waits until it shows one node per component the API lists.
 * @param {import('playwright-core').Page} page
 * @param {string} uiUrl the UI's root URL (with the path prefix and a trailing slash)
 */
export async function openGraph(page, uiUrl) {
  const res = await fetch(new URL('api/v0/web/components', uiUrl));
  const count = (await res.json()).length;
  await page.goto(uiUrl);
  await page.waitForFunction((n) => document.querySelectorAll('#graph g.node').length === n, count);
  return count;
}
