/**
 * The file's structure as the editor features see it: scopes (the file and
 * each `declare` body), the components, declares and imports defined in
 * them, and every occurrence of a name that can be followed or renamed
 * (component labels, declares, their arguments and exports, import
 * namespaces). Built once per document version from the syntax tree.
 */
import type { AttributeStmt, BlockStmt, Body } from '../lang/ast.js';
import { exprTraversals, type Traversal } from '../lang/references.js';

export interface DeclareInfo {
  stmt: BlockStmt;
  arguments: Map<string, BlockStmt>;
  exports: Map<string, BlockStmt>;
  scope: Scope;
  /** For a declare of an imported module (`mod.comp`): the module file; undefined when in this file. */
  moduleUri?: string;
}

export interface Scope {
  id: string;
  body: Body;
  /** Components by id (`loki.write.default`). */
  components: Map<string, BlockStmt>;
  /** The declare owning this scope; undefined for the file. */
  owner?: DeclareInfo;
}

/** A name occurrence: `key` identifies what it names; [start, end) is exactly the renamable text. */
export interface Occurrence {
  key: string;
  start: number;
  end: number;
  definition: boolean;
}

export interface FileModel {
  root: Scope;
  scopes: Scope[];
  declares: Map<string, DeclareInfo>;
  imports: Map<string, BlockStmt>;
  occurrences: Occurrence[];
}

const CONFIG_NAMES = new Set(['logging', 'tracing', 'http', 'livedebugging', 'argument', 'export', 'declare', 'foreach']);

export function blockId(stmt: BlockStmt): string {
  return stmt.label === '' ? stmt.name.join('.') : `${stmt.name.join('.')}.${stmt.label}`;
}

/** Byte range of a block's label text, inside its quotes. */
export function labelRange(stmt: BlockStmt): { start: number; end: number } {
  const start = stmt.labelPos + 1;
  return { start, end: start + Buffer.byteLength(stmt.label) };
}

export function identEnd(pos: number, name: string): number {
  return pos + Buffer.byteLength(name);
}

/** Whether a block stands for a component (built-in, imported or custom) rather than a config block. */
export function isComponentBlock(stmt: BlockStmt): boolean {
  const name = stmt.name.join('.');
  return stmt.label !== '' && !CONFIG_NAMES.has(name) && !name.startsWith('import.');
}

export function buildModel(body: Body): FileModel {
  const model: FileModel = { root: newScope('', body), scopes: [], declares: new Map(), imports: new Map(), occurrences: [] };
  collectScope(model, model.root);
  for (const scope of model.scopes) collectOccurrences(model, scope);
  return model;
}

function newScope(id: string, body: Body, owner?: DeclareInfo): Scope {
  return { id, body, components: new Map(), owner };
}

function collectScope(model: FileModel, scope: Scope): void {
  model.scopes.push(scope);
  for (const stmt of scope.body) {
    if (stmt.kind !== 'Block') continue;
    const name = stmt.name.join('.');
    if (name === 'declare' && stmt.label !== '') {
      const info: DeclareInfo = { stmt, arguments: new Map(), exports: new Map(), scope: undefined as unknown as Scope };
      info.scope = newScope(`declare:${stmt.label}`, stmt.body, info);
      for (const inner of stmt.body) {
        if (inner.kind !== 'Block') continue;
        if (inner.name.join('.') === 'argument') info.arguments.set(inner.label, inner);
        if (inner.name.join('.') === 'export') info.exports.set(inner.label, inner);
      }
      model.declares.set(stmt.label, info);
      collectScope(model, info.scope);
    } else if (name.startsWith('import.') && stmt.label !== '') {
      model.imports.set(stmt.label, stmt);
    } else if (isComponentBlock(stmt)) {
      scope.components.set(blockId(stmt), stmt);
    }
  }
}

function collectOccurrences(model: FileModel, scope: Scope): void {
  const add = (key: string, start: number, end: number, definition = false) => model.occurrences.push({ key, start, end, definition });
  const owner = scope.owner;
  for (const stmt of scope.body) {
    if (stmt.kind === 'Attribute') {
      traversalOccurrences(model, scope, exprTraversals(stmt.value), add);
      continue;
    }
    const name = stmt.name.join('.');
    if (name === 'declare') {
      if (stmt.label !== '') add(`declare:${stmt.label}`, labelRange(stmt).start, labelRange(stmt).end, true);
      continue;
    }
    if (owner && (name === 'argument' || name === 'export') && stmt.label !== '') {
      add(`${name}:${owner.stmt.label}:${stmt.label}`, labelRange(stmt).start, labelRange(stmt).end, true);
    } else if (name.startsWith('import.') && stmt.label !== '') {
      add(`import:${stmt.label}`, labelRange(stmt).start, labelRange(stmt).end, true);
    } else if (isComponentBlock(stmt)) {
      add(componentKey(scope, blockId(stmt)), labelRange(stmt).start, labelRange(stmt).end, true);
      blockNameOccurrences(model, stmt, add);
    }
    nestedOccurrences(model, scope, stmt.body, add);
  }
}

type Add = (key: string, start: number, end: number, definition?: boolean) => void;

/** Key prefix of a custom component defined in an imported module: `imported:<namespace>:<declare>`. */
export const IMPORTED = 'imported:';
/** An argument set on an instance of an imported custom component: `imported-argument:<namespace>:<declare>:<argument>`. */
export const IMPORTED_ARGUMENT = 'imported-argument:';
/** An export of an imported custom component read in an expression: `imported-export:<namespace>:<declare>:<export>`. */
export const IMPORTED_EXPORT = 'imported-export:';

export function componentKey(scope: Scope, id: string): string {
  return `component:${scope.id}:${id}`;
}

/** `foo "x" {…}` names declare foo; `mod.comp "x"` names import mod; attributes of a custom instance name its arguments. */
function blockNameOccurrences(model: FileModel, stmt: BlockStmt, add: Add): void {
  const first = stmt.name[0]!;
  if (stmt.name.length === 1 && model.declares.has(first)) {
    add(`declare:${first}`, stmt.namePos, identEnd(stmt.namePos, first));
    const declare = model.declares.get(first)!;
    for (const inner of stmt.body) {
      if (inner.kind === 'Attribute' && declare.arguments.has(inner.name.name)) argumentAttribute(declare, inner, add);
    }
  } else if (stmt.name.length > 1 && model.imports.has(first)) {
    add(`import:${first}`, stmt.namePos, identEnd(stmt.namePos, first));
    // The rest of the name is a declare of the imported module (`helper.app_logs_parser`).
    const rest = stmt.name.slice(1).join('.');
    const restStart = identEnd(stmt.namePos, first) + 1;
    add(`${IMPORTED}${first}:${rest}`, restStart, restStart + Buffer.byteLength(rest));
    // Every attribute of a custom component instance sets one of its arguments.
    for (const inner of stmt.body) {
      if (inner.kind === 'Attribute') add(`${IMPORTED_ARGUMENT}${first}:${rest}:${inner.name.name}`, inner.name.pos, identEnd(inner.name.pos, inner.name.name));
    }
  }
}

function argumentAttribute(declare: DeclareInfo, attr: AttributeStmt, add: Add): void {
  add(`argument:${declare.stmt.label}:${attr.name.name}`, attr.name.pos, identEnd(attr.name.pos, attr.name.name));
}

function nestedOccurrences(model: FileModel, scope: Scope, body: Body, add: Add): void {
  for (const stmt of body) {
    if (stmt.kind === 'Attribute') traversalOccurrences(model, scope, exprTraversals(stmt.value), add);
    else nestedOccurrences(model, scope, stmt.body, add);
  }
}

function traversalOccurrences(model: FileModel, scope: Scope, traversals: Traversal[], add: Add): void {
  for (const t of traversals) {
    const parts = t.parts;
    const first = parts[0]!;
    if (first.name === 'argument' && scope.owner && parts[1] && scope.owner.arguments.has(parts[1].name)) {
      add(`argument:${scope.owner.stmt.label}:${parts[1].name}`, parts[1].pos, identEnd(parts[1].pos, parts[1].name));
      continue;
    }
    const match = componentPrefix(scope, t);
    if (!match) continue;
    const label = parts[match.length - 1]!;
    add(componentKey(scope, match.id), label.pos, identEnd(label.pos, label.name));
    if (match.stmt.name.length === 1 && model.declares.has(first.name)) {
      add(`declare:${first.name}`, first.pos, identEnd(first.pos, first.name));
      const exported = parts[match.length];
      if (exported && model.declares.get(first.name)!.exports.has(exported.name)) {
        add(`export:${first.name}:${exported.name}`, exported.pos, identEnd(exported.pos, exported.name));
      }
    } else if (model.imports.has(first.name)) {
      add(`import:${first.name}`, first.pos, identEnd(first.pos, first.name));
      const rest = match.stmt.name.slice(1).join('.');
      const lastOfName = parts[match.stmt.name.length - 1]!;
      add(`${IMPORTED}${first.name}:${rest}`, parts[1]!.pos, identEnd(lastOfName.pos, lastOfName.name));
      const exported = parts[match.length];
      if (exported) add(`${IMPORTED_EXPORT}${first.name}:${rest}:${exported.name}`, exported.pos, identEnd(exported.pos, exported.name));
    }
  }
}

/** The longest prefix of a traversal that is a component id of the scope. */
export function componentPrefix(scope: Scope, t: Traversal): { id: string; length: number; stmt: BlockStmt } | undefined {
  for (let n = t.parts.length; n >= 2; n--) {
    const id = t.parts.slice(0, n).map((p) => p.name).join('.');
    const stmt = scope.components.get(id);
    if (stmt) return { id, length: n, stmt };
  }
  return undefined;
}

/** The innermost scope whose declare body contains the offset. */
export function scopeAt(model: FileModel, offset: number): Scope {
  let best = model.root;
  for (const scope of model.scopes) {
    const owner = scope.owner?.stmt;
    if (owner && owner.lCurly < offset && offset <= owner.rCurly) {
      if (!best.owner || best.owner.stmt.lCurly < owner.lCurly) best = scope;
    }
  }
  return best;
}

/** The blocks containing an offset (header or body), outermost first. */
export function blockChainAt(body: Body, offset: number): BlockStmt[] {
  const chain: BlockStmt[] = [];
  let current: Body | undefined = body;
  while (current) {
    const inner: BlockStmt | undefined = current.find(
      (s): s is BlockStmt => s.kind === 'Block' && s.namePos <= offset && offset <= s.rCurly,
    );
    if (!inner) break;
    chain.push(inner);
    current = inner.body;
  }
  return chain;
}

export function occurrenceAt(model: FileModel, offset: number): Occurrence | undefined {
  return model.occurrences.find((o) => o.start <= offset && offset <= o.end);
}
