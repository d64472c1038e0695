/** A root Controller for tests, with quiet logging and a temp storage path. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import type { ComponentRegistry, HostInfo } from '../../src/runtime/component.js';
import { Controller, type RuntimeGlobals } from '../../src/runtime/controller.js';
import { LiveDebugHub } from '../../src/runtime/live-debug.js';
import type { ConfigFile } from '../../src/runtime/loader.js';
import { Logger, LogSettings } from '../../src/runtime/logger.js';

/** What tests' components see of the agent. */
export const testHost: HostInfo = {
  httpListenAddr: '127.0.0.1:0',
  memoryAddr: 'alloy.internal:12345',
  gatherMetrics: async () => ({ contentType: 'text/plain', body: '' }),
};

export function testGlobals(registry: ComponentRegistry, overrides: Partial<RuntimeGlobals> = {}): RuntimeGlobals {
  return {
    registry,
    logger: new Logger(LogSettings.defaults(() => {})),
    storagePath: mkdtempSync(path.join(tmpdir(), 'alloy-ts-test-')),
    minStability: 'generally-available',
    liveDebug: new LiveDebugHub(),
    onConfigBlock: () => {},
    shutdownDeadlineMs: 5000,
    host: testHost,
    ...overrides,
  };
}

export function testController(registry: ComponentRegistry, overrides: Partial<RuntimeGlobals> = {}): Controller {
  return new Controller(testGlobals(registry, overrides), { modulePath: '' });
}

/** Parses one config text as `main.alloy` (no diagnostics expected). */
export function configFiles(text: string, name = 'main.alloy'): ConfigFile[] {
  const source = SourceFile.fromString(name, text);
  return [{ source, file: parseFile(source).file }];
}
