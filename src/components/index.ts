/**
 * Every built-in component, registered by name, all declarations loaded:
 * for the tools that list them all (lsp, pipeline tests, the tests).
 * The list itself is the catalog's (catalog.ts), so there is one.
 */
import { ComponentRegistry, type ComponentDefinition } from '../runtime/component.js';
import { COMPONENT_DECLARATIONS } from './catalog.js';

const ALL: readonly ComponentDefinition[] = await Promise.all(Object.values(COMPONENT_DECLARATIONS).map((load) => load()));

export function builtinComponents(): ComponentRegistry {
  return new ComponentRegistry().register(...ALL);
}
