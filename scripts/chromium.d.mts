// Types of chromium.mjs for the TypeScript tests that import it.
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM_PATH: string;
export const CHROMIUM_INSTALL: string;
export function chromiumMissing(): string | undefined;
export function launchChromium(viewport?: { width: number; height: number }): Promise<{ context: BrowserContext; close(): Promise<void> }>;
export function openGraph(page: Page, uiUrl: string): Promise<number>;
