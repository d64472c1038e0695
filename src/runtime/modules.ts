/**
 * Module sources for `import.file` and `import.string`: they load Alloy text
 * whose `declare` blocks become custom components named `<namespace>.<declare>`.
 * `import.file` re-imports when the file (or a directory's *.alloy files)
 * changes, by polling and, with the fsnotify detector, by watching.
 */
import { createHash } from 'node:crypto';
import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import type { BlockStmt } from '../lang/ast.js';
import { formatDiagnostic } from '../lang/diag.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import type { OptionalSecret } from '../lang/value.js';
import type { OuterDeclare } from './loader.js';
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
