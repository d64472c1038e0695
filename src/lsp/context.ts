/**
 * What a body at some place in the file is: the body of a known block
 * (component or config block, possibly nested), or of a custom component
 * instance whose arguments come from its `declare`.
 */
import type { BlockSchema } from '../lang/schema.js';
import type { DeclareInfo, FileModel } from './model.js';
import { schemaAt, type KnownBlock, type SchemaIndex } from './schemas.js';

export interface BodyContext {
  /** Names of the blocks from the scope's top down to this body (`loki.write`, `endpoint`). */
  names: string[];
  known?: KnownBlock;
  /** Schema of this body, when known. */
  schema?: BlockSchema;
  /** The declare of a custom component instance (its arguments are the body's attributes). */
  custom?: DeclareInfo;
  /** True at a scope's top level (the file or a declare body). */
  topLevel: boolean;
}

/** Resolves a chain of block names, outermost first, as written. */
export function bodyContext(chain: readonly string[], schemas: SchemaIndex, model: FileModel): BodyContext {
  let start = 0;
  while (start < chain.length && chain[start] === 'declare') start++;
  const names = chain.slice(start);
  if (names.length === 0) return { names, topLevel: true };
  const head = names[0]!;
  const known = schemas.get(head);
  if (known) return { names, known, schema: schemaAt(known.args, names.slice(1)), topLevel: false };
  const custom = model.declares.get(head);
  if (custom && names.length === 1) return { names, custom, topLevel: false };
  return { names, topLevel: false };
}

/** Full name of the innermost block for descriptions: nested blocks are described by their own name. */
export function innermostName(ctx: BodyContext): string {
  return ctx.names[ctx.names.length - 1] ?? '';
}
