/**
 * The lazy catalog of component declarations (what `validate` loads) and the
 * eager registry (what `run` uses) must name the same components with the
 * same definitions, or validate would call a registered component unknown.
 */
import { describe, expect, it } from 'vitest';
import { COMPONENT_DECLARATIONS, registryOfNames } from '../../src/components/catalog.js';
import { builtinComponents } from '../../src/components/index.js';

describe('component catalog', () => {
  it('names every registered component, each with its registered definition', async () => {
    const eager = builtinComponents();
    expect(Object.keys(COMPONENT_DECLARATIONS).sort()).toEqual(eager.names());
    for (const [name, load] of Object.entries(COMPONENT_DECLARATIONS)) {
      expect(await load(), name).toBe(eager.get(name));
    }
  });

  it('builds a registry of only the built-in names asked for', async () => {
    const registry = await registryOfNames(['loki.write', 'stage.json', 'loki.write', 'my_module.thing', 'logging']);
    expect(registry.names()).toEqual(['loki.write']);
    expect(registry.get('loki.write')).toBe(builtinComponents().get('loki.write'));
  });
});
