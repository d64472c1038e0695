/**
 * What the editor features know about blocks: the component registry's
 * schemas (read through its public `get`/`names`), the runtime's config
 * blocks, and the blocks nested in them. Everything comes from the schema
 * declarations; nothing is restated here.
 */
import type { ComponentRegistry, Stability } from '../runtime/component.js';
import { CONFIG_BLOCK_SCHEMAS, IMPORT_BLOCKS } from '../runtime/config-blocks.js';
import type { AttrField, BlockField, BlockSchema, Field } from '../lang/schema.js';
import { renderAlloy } from '../lang/render.js';

/** A top-level block the server knows: a component or a config block. */
export interface KnownBlock {
  name: string;
  kind: 'component' | 'config';
  /** Whether the block takes a label (components, import.*, argument, export, declare). */
  labelled: boolean;
  stability?: Stability;
  /** One line on what it is, from its schema (or component definition). */
  description?: string;
  args: BlockSchema;
  exports?: BlockSchema;
}

/** Config blocks that take a label; the others (logging, http, …) take none. */
const LABELLED_CONFIG = new Set([...Object.keys(IMPORT_BLOCKS), 'argument', 'export', 'foreach', 'declare']);

const CONFIG_BLOCKS: KnownBlock[] = Object.entries(CONFIG_BLOCK_SCHEMAS).map(([name, args]) => ({
  name,
  kind: 'config',
  labelled: LABELLED_CONFIG.has(name),
  description: args.description,
  args,
}));

export class SchemaIndex {
  private readonly byName = new Map<string, KnownBlock>();

  constructor(registry: ComponentRegistry) {
    for (const block of CONFIG_BLOCKS) this.byName.set(block.name, block);
    for (const name of registry.names()) {
      const def = registry.get(name);
      if (!def) continue;
      this.byName.set(name, {
        name,
        kind: 'component',
        labelled: true,
        stability: def.stability,
        description: def.description,
        args: def.args as BlockSchema,
        exports: def.exports as BlockSchema | undefined,
      });
    }
  }

  get(name: string): KnownBlock | undefined {
    return this.byName.get(name);
  }

  all(): KnownBlock[] {
    return [...this.byName.values()];
  }

  components(): KnownBlock[] {
    return this.all().filter((b) => b.kind === 'component');
  }
}

/** A field found under a block path, with the schema that holds it. */
export interface FieldAt {
  name: string;
  field: Field;
}

/**
 * The schema of the body at `path` below a known block: `['endpoint']`
 * inside loki.write is the endpoint block's schema; enum variants
 * (loki.process `stage.regex`) count as nested blocks.
 */
export function schemaAt(root: BlockSchema, path: readonly string[]): BlockSchema | undefined {
  let current: BlockSchema | undefined = root;
  for (const name of path) {
    if (!current) return undefined;
    current = nestedSchema(current, name);
  }
  return current;
}

export function nestedSchema(s: BlockSchema, name: string): BlockSchema | undefined {
  const direct = s.fields[name];
  if (direct?.kind === 'block') return direct.schema as BlockSchema;
  for (const field of Object.values(s.fields)) {
    if (field.kind === 'enum' && field.variants[name]) return field.variants[name] as BlockSchema;
  }
  return undefined;
}

/** Every name that may be written in a body: attributes, blocks, enum variants. */
export function bodyFields(s: BlockSchema): FieldAt[] {
  const out: FieldAt[] = [];
  for (const [name, field] of Object.entries(s.fields)) {
    if (field.kind === 'enum') {
      for (const [variant, schema] of Object.entries(field.variants)) out.push({ name: variant, field: { kind: 'block', schema, multiplicity: 'many' } as BlockField });
    } else out.push({ name, field });
  }
  return out;
}

/** The field `name` of a body, enum variants included. */
export function fieldOf(s: BlockSchema, name: string): Field | undefined {
  return bodyFields(s).find((f) => f.name === name)?.field;
}

/** `type`, `default` and `required` of an attribute, as one Markdown-free line. */
export function attrSummary(field: AttrField): string {
  const parts = [field.type.name];
  if (field.required) parts.push('required');
  else if (field.defaultValue !== undefined) parts.push(`default ${renderAlloy(field.defaultValue)}`);
  else parts.push('optional');
  return parts.join(', ');
}

export function blockSummary(field: BlockField): string {
  switch (field.multiplicity) {
    case 'one': return 'block, required';
    case 'many': return 'block, may be repeated';
    default: return 'block, optional';
  }
}

/** The element type of a list type name (`list(capsule(x))` → `capsule(x)`), else undefined. */
export function listElement(typeName: string): string | undefined {
  return typeName.startsWith('list(') && typeName.endsWith(')') ? typeName.slice(5, -1) : undefined;
}
