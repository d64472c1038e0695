/**
 * Modules: the sources of `import.file` and `import.string`, which load Alloy
 * text whose `declare` blocks become custom components named
 * `<namespace>.<declare>`, and the resolution of a custom component instance
 * to its declare and its arguments. `import.file` re-imports when the file
 * (or a directory's *.alloy files) changes, by polling and, with the fsnotify
 * detector, by watching.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { BlockStmt } from '../lang/ast.js';
import { formatDiagnostic, type Diagnostic } from '../lang/diag.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import type { DecodeContext } from '../lang/schema.js';
import { valuesEqual, type OptionalSecret, type Value } from '../lang/value.js';
import { blockDiag, type ConfigFile, type OuterDeclare } from './loader.js';
import { readConfigPath, type RawConfigFile } from './sources.js';

export class ModuleSource {
  /** Declares of the module, by label. */
  declares = new Map<string, OuterDeclare>();
  /** Import namespaces declared inside the module (not supported yet: always empty). */
  readonly imports = new Map<string, ModuleSource>();
  /** Directory of the imported file(s): `module_path` inside the module. */
  modulePath: string | undefined;
  private fingerprint = '';
  private timer: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private watchedPath = '';

  constructor(
    readonly kind: string,
    readonly label: string,
    private readonly onChange: () => void,
  ) {}

  /** (Re)loads from new arguments; returns an error message, or undefined on success. */
  async update(args: Record<string, unknown>): Promise<string | undefined> {
    if (this.kind === 'import.string') return this.load([{ name: `${this.label}`, bytes: Buffer.from((args['content'] as OptionalSecret).value) }]);
    if (this.kind !== 'import.file') return `${this.kind} is not supported by alloy-ts (no network access for modules)`;
    const filename = args['filename'] as string;
    let files: RawConfigFile[];
    try {
      files = await readConfigPath(filename);
    } catch (err) {
      return `failed to read module ${filename}: ${(err as Error).message}`;
    }
    this.modulePath = path.dirname(path.resolve(filename));
    this.watchFile(filename, args['detector'] as string, args['poll_frequency'] as number);
    return this.load(files);
  }

  close(): void {
    clearInterval(this.timer);
    this.watcher?.close();
    this.timer = undefined;
    this.watcher = undefined;
  }

  private load(files: RawConfigFile[]): string | undefined {
    // Unchanged content keeps the same declares, so instances are not rebuilt.
    if (fingerprintOf(files) === this.fingerprint) return undefined;
    const declares = new Map<string, OuterDeclare>();
    for (const f of files) {
      const source = new SourceFile(f.name, f.bytes);
      const { file, diagnostics } = parseFile(source);
      if (diagnostics.length > 0) return diagnostics.map(formatDiagnostic).join('\n');
      for (const stmt of file.body) {
        if (stmt.kind === 'Block' && stmt.name.join('.') === 'declare') declares.set(stmt.label, { block: stmt, source });
        else return `${describe(stmt.kind === 'Block' ? stmt : undefined)} is not allowed in an imported module: only declare blocks are`;
      }
    }
    this.declares = declares;
    this.fingerprint = fingerprintOf(files);
    return undefined;
  }

  private watchFile(filename: string, detector: string, pollMs: number): void {
    if (this.watchedPath === filename && this.timer) return;
    this.close();
    this.watchedPath = filename;
    const check = async () => {
      try {
        const files = await readConfigPath(filename);
        if (fingerprintOf(files) !== this.fingerprint) this.onChange();
      } catch {
        // A vanished file keeps the last good module; the next poll retries.
      }
    };
    this.timer = setInterval(() => void check(), Math.max(pollMs, 100));
    this.timer.unref();
    if (detector === 'fsnotify') {
      try {
        this.watcher = watch(filename, () => void check());
        this.watcher.unref();
      } catch {
        // Watching is best-effort; polling still runs.
      }
    }
  }
}

function describe(block: BlockStmt | undefined): string {
  return block ? `block ${block.name.join('.')}` : 'an attribute';
}

/** A digest of the files' names and contents: polling compares it, not the contents. */
function fingerprintOf(files: RawConfigFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(f.name).update('\0').update(f.bytes).update('\0');
  return hash.digest('hex');
}

// ---------------------------------------------------------------------------
// Custom components

/** What a custom component instance runs: its declare's body and what that body may see. */
export interface CustomDefinition {
  block: BlockStmt;
  source: SourceFile;
  body: ConfigFile[];
  declares: ReadonlyMap<string, OuterDeclare>;
  imports: ReadonlyMap<string, ModuleSource>;
  modulePath: string | undefined;
}

/**
 * Finds the declare a custom component block refers to: `name` for a declare
 * in scope, `namespace.name` for one of an import. `modulePath` is the
 * enclosing module's `module_path`, inherited by local declares.
 */
export function resolveCustomDefinition(
  blockName: readonly string[],
  declares: ReadonlyMap<string, OuterDeclare>,
  imports: ReadonlyMap<string, ModuleSource>,
  modulePath: Value | undefined,
): CustomDefinition | undefined {
  if (blockName.length === 1) {
    const d = declares.get(blockName[0]!);
    return d && declareDefinition(d, declares, imports, modulePath);
  }
  const module = imports.get(blockName[0]!);
  const d = module?.declares.get(blockName.slice(1).join('.'));
  return d && module ? declareDefinition(d, module.declares, new Map([...imports, ...module.imports]), module.modulePath) : undefined;
}

function declareDefinition(
  d: OuterDeclare,
  declares: ReadonlyMap<string, OuterDeclare>,
  imports: ReadonlyMap<string, ModuleSource>,
  modulePath: Value | string | undefined,
): CustomDefinition {
  const body: ConfigFile = { source: d.source, file: { kind: 'File', source: d.source, body: d.block.body, comments: [] } };
  return { block: d.block, source: d.source, body: [body], declares, imports, modulePath: stringOf(modulePath) };
}

function stringOf(v: Value | string | undefined): string | undefined {
  if (v === undefined || typeof v === 'string') return v;
  return v.type === 'string' ? v.value : undefined;
}

/** Decodes a custom component's attributes against its declare's `argument` blocks. */
export function decodeModuleArguments(
  def: CustomDefinition,
  instance: BlockStmt,
  ctx: DecodeContext,
): { values: Map<string, Value> } | { diagnostic: Diagnostic } {
  const declared = new Set(def.block.body.filter((s) => s.kind === 'Block' && s.name.join('.') === 'argument').map((s) => (s as BlockStmt).label));
  const values = new Map<string, Value>();
  for (const stmt of instance.body) {
    const range = { block: instance, source: ctx.source };
    if (stmt.kind === 'Block') return { diagnostic: blockDiag(range, `unrecognized block name ${JSON.stringify(stmt.name.join('.'))}`, stmt.lCurly) };
    if (!declared.has(stmt.name.name)) return { diagnostic: blockDiag(range, `unrecognized attribute name ${JSON.stringify(stmt.name.name)}`, stmt.name.pos) };
    const r = ctx.evaluate(stmt.value, { kind: 'any' });
    if (!r.ok) return { diagnostic: r.diagnostic };
    values.set(stmt.name.name, r.value as Value);
  }
  return { values };
}

/** Whether two sets of module arguments are equal (unchanged arguments restart nothing). */
export function moduleArgumentsEqual(a: ReadonlyMap<string, Value> | undefined, b: ReadonlyMap<string, Value>): boolean {
  if (!a || a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || !valuesEqual(v, o)) return false;
  }
  return true;
}
