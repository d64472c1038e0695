/**
 * Reading the one-line descriptions that component and config-block schemas
 * carry (see `describeSchema` in lang/schema.ts): for the language server,
 * the web API's component page and validate's notes.
 */
import { fieldDescription, type BlockSchema } from '../lang/schema.js';
import type { ComponentRegistry } from './component.js';
import { CONFIG_BLOCK_SCHEMAS } from './config-blocks.js';

/** The description of a component or config block by its full name. */
export function topLevelDescription(registry: ComponentRegistry, name: string): string | undefined {
  return registry.get(name)?.description ?? CONFIG_BLOCK_SCHEMAS[name]?.description;
}

/** The argument schema of a component or config block by its full name. */
export function topLevelSchema(registry: ComponentRegistry, name: string): BlockSchema | undefined {
  return registry.get(name)?.args ?? CONFIG_BLOCK_SCHEMAS[name];
}

/** Descriptions of a body's fields, nested blocks' fields below them (the web API's shape). */
export interface FieldDocs {
  [name: string]: { description?: string; fields?: FieldDocs };
}

export function fieldDocs(s: BlockSchema, seen: ReadonlySet<BlockSchema> = new Set()): FieldDocs {
  const out: FieldDocs = {};
  const inside = new Set(seen).add(s);
  for (const [name, field] of Object.entries(s.fields)) {
    if (field.kind === 'attr') out[name] = { description: fieldDescription(s, name) };
    else if (field.kind === 'block') out[name] = nestedDocs(s, name, field.schema, inside);
    else for (const [variant, schema] of Object.entries(field.variants)) out[variant] = nestedDocs(s, variant, schema, inside);
  }
  return out;
}

function nestedDocs(parent: BlockSchema, name: string, child: BlockSchema, seen: ReadonlySet<BlockSchema>): FieldDocs[string] {
  // A schema nested in itself (loki.process stage.match) is described once.
  return { description: fieldDescription(parent, name), fields: seen.has(child) ? undefined : fieldDocs(child, seen) };
}

/**
 * Every component, config block, argument, block and export without a
 * description, as `name/path/field` (the unit test asserts there is none).
 */
export function missingDescriptions(registry: ComponentRegistry): string[] {
  const missing: string[] = [];
  const walk = (path: string, s: BlockSchema, seen: Set<BlockSchema>) => {
    if (seen.has(s)) return;
    seen.add(s);
    for (const [name, field] of Object.entries(s.fields)) {
      const names = field.kind === 'enum' ? Object.keys(field.variants) : [name];
      for (const n of names) if (!fieldDescription(s, n)?.trim()) missing.push(`${path}/${n}`);
      if (field.kind === 'block') walk(`${path}/${name}`, field.schema, seen);
      if (field.kind === 'enum') for (const [v, vs] of Object.entries(field.variants)) walk(`${path}/${v}`, vs, seen);
    }
  };
  for (const name of registry.names()) {
    const def = registry.get(name)!;
    if (!def.description?.trim()) missing.push(name);
    walk(name, def.args, new Set());
    if (def.exports) walk(`${name} (exports)`, def.exports, new Set());
  }
  for (const [name, s] of Object.entries(CONFIG_BLOCK_SCHEMAS)) {
    if (!s.description?.trim()) missing.push(name);
    walk(name, s, new Set());
  }
  return missing;
}

/** Descriptions whose key names no field of their schema (left behind by a rename). */
export function staleDescriptions(registry: ComponentRegistry): string[] {
  const stale: string[] = [];
  const seen = new Set<BlockSchema>();
  const walk = (path: string, s: BlockSchema) => {
    if (seen.has(s)) return;
    seen.add(s);
    const names = new Set<string>();
    for (const [name, field] of Object.entries(s.fields)) {
      names.add(name);
      if (field.kind === 'block') walk(`${path}/${name}`, field.schema);
      if (field.kind === 'enum') for (const [v, vs] of Object.entries(field.variants)) walk(`${path}/${v}`, vs);
    }
    for (const key of Object.keys(s.descriptions ?? {})) if (!names.has(key)) stale.push(`${path}/${key}`);
  };
  for (const name of registry.names()) {
    const def = registry.get(name)!;
    walk(name, def.args);
    if (def.exports) walk(`${name} (exports)`, def.exports);
  }
  for (const [name, s] of Object.entries(CONFIG_BLOCK_SCHEMAS)) walk(name, s);
  return stale;
}
