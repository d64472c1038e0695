/**
 * `const start = startsHarnesses()` at the top of a component test file:
 * `await start(config)` runs a config in a Harness that is stopped after the test.
 */
import { afterEach } from 'vitest';
import type { ComponentDefinition } from '../../src/runtime/component.js';
import { Harness } from '../support/harness.js';

export function startsHarnesses(components: ComponentDefinition[] = []): (config: string) => Promise<Harness> {
  const running: Harness[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((h) => h.stop()));
  });
  return async (config) => {
    const h = await Harness.start(config, { components });
    running.push(h);
    return h;
  };
}
