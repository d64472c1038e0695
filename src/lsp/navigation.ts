/**
 * Go to definition, find references and rename, over the occurrences the
 * file model collects (component labels, declares, their arguments and
 * exports, import namespaces).
 *
 * Within a file, occurrences with the same key name the same thing. Across
 * files, a custom component is identified by the module file that declares
 * it: a `declare`, its `argument`s and `export`s are one symbol with every
 * instance of it in the files that import that module with `import.file`
 * (`mod.comp "x" { arg = … }`, `mod.comp.x.exp`). References and rename of
 * such a symbol search the workspace (open documents and `.alloy` files on
 * disk); everything else stays within the document.
 */
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { isValidIdentifier } from '../lang/identifier.js';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BlockStmt } from '../lang/ast.js';
import { Tok } from '../lang/token.js';
import { displayName } from './documents.js';
import { IMPORTED, IMPORTED_ARGUMENT, IMPORTED_EXPORT, occurrenceAt, type FileModel, type Occurrence } from './model.js';
import type { Workspace, WorkspaceFile } from './workspace.js';

/** A declare-level symbol: the module file that declares it and its key there (`declare:c`, `argument:c:a`, `export:c:e`). */
interface ModuleSymbol {
  moduleUri: string;
  key: string;
  /** The declare's name, to skip unrelated occurrences cheaply. */
  declare: string;
}

export function definitionAt(ws: Workspace, file: WorkspaceFile, offset: number): Location | undefined {
  const at = occurrenceAt(file.model, offset);
  if (!at) return undefined;
  if (at.definition && at.key.startsWith('import:')) return moduleFiles(file, file.model.imports.get(at.key.slice('import:'.length))!).map(fileStart)[0];
  const symbol = moduleSymbolOf(ws, file, at);
  if (symbol && symbol.moduleUri !== file.uri) return definitionIn(ws.load(symbol.moduleUri), symbol.key);
  return definitionIn(file, at.key);
}

function definitionIn(file: WorkspaceFile | undefined, key: string): Location | undefined {
  const def = file?.model.occurrences.find((o) => o.key === key && o.definition);
  return file && def ? { uri: file.uri, range: rangeOf(file, def) } : undefined;
}

export function referencesAt(ws: Workspace, file: WorkspaceFile, offset: number, includeDeclaration: boolean): Location[] {
  return occurrencesOf(ws, file, offset)
    .filter(({ occurrence }) => includeDeclaration || !occurrence.definition)
    .map(({ file: f, occurrence }) => ({ uri: f.uri, range: rangeOf(f, occurrence) }));
}

/** The range a rename would replace, or undefined when nothing renamable is under the cursor. */
export function renameRange(file: WorkspaceFile, offset: number): Range | undefined {
  const at = occurrenceAt(file.model, offset);
  return at ? rangeOf(file, at) : undefined;
}

/** Renames every occurrence, in every file for a custom component's names; a new name that is not an identifier is refused. */
export function renameAt(ws: Workspace, file: WorkspaceFile, offset: number, newName: string): WorkspaceEdit | { error: string } | undefined {
  if (!isValidIdentifier(newName)) return { error: `${JSON.stringify(newName)} is not a valid identifier` };
  const occurrences = occurrencesOf(ws, file, offset);
  if (occurrences.length === 0) return undefined;
  const changes: Record<string, TextEdit[]> = {};
  for (const { file: f, occurrence } of occurrences) (changes[f.uri] ??= []).push({ range: rangeOf(f, occurrence), newText: newName });
  return { changes };
}

interface Found {
  file: WorkspaceFile;
  occurrence: Occurrence;
}

/** Every occurrence of what is under the cursor: across the workspace for declare-level symbols, else in the file. */
function occurrencesOf(ws: Workspace, file: WorkspaceFile, offset: number): Found[] {
  const at = occurrenceAt(file.model, offset);
  if (!at) return [];
  const symbol = moduleSymbolOf(ws, file, at);
  if (!symbol) return unique(file.model.occurrences.filter((o) => o.key === at.key).map((occurrence) => ({ file, occurrence })));
  const found: Found[] = [];
  for (const f of ws.files()) {
    for (const occurrence of f.model.occurrences) {
      if (!mentions(occurrence.key, symbol.declare)) continue;
      const other = moduleSymbolOf(ws, f, occurrence);
      if (other && other.moduleUri === symbol.moduleUri && other.key === symbol.key) found.push({ file: f, occurrence });
    }
  }
  return unique(found);
}

function unique(found: Found[]): Found[] {
  const seen = new Set<string>();
  return found.filter(({ file, occurrence }) => {
    const id = `${file.uri}:${occurrence.start}:${occurrence.end}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

/** Whether a key may name something of declare `name` (a cheap filter before resolving imports). */
function mentions(key: string, name: string): boolean {
  const parts = key.split(':');
  if (key.startsWith('declare:') || key.startsWith('argument:') || key.startsWith('export:')) return parts[1] === name;
  if (key.startsWith(IMPORTED) || key.startsWith(IMPORTED_ARGUMENT) || key.startsWith(IMPORTED_EXPORT)) return parts[2] === name;
  return false;
}

/** The module symbol an occurrence names, or undefined for names local to the file (labels, namespaces). */
function moduleSymbolOf(ws: Workspace, file: WorkspaceFile, o: Occurrence): ModuleSymbol | undefined {
  const parts = o.key.split(':');
  if (o.key.startsWith('declare:')) return { moduleUri: file.uri, key: o.key, declare: parts[1]! };
  if (o.key.startsWith('argument:') || o.key.startsWith('export:')) return { moduleUri: file.uri, key: o.key, declare: parts[1]! };
  const imported: [string, (name: string, member?: string) => string][] = [
    [IMPORTED, (name) => `declare:${name}`],
    [IMPORTED_ARGUMENT, (name, member) => `argument:${name}:${member}`],
    [IMPORTED_EXPORT, (name, member) => `export:${name}:${member}`],
  ];
  for (const [prefix, localKey] of imported) {
    if (!o.key.startsWith(prefix)) continue;
    const [namespace, name, member] = o.key.slice(prefix.length).split(':') as [string, string, string?];
    const moduleUri = declaringModule(ws, file, namespace, name);
    return moduleUri ? { moduleUri, key: localKey(name, member), declare: name } : undefined;
  }
  return undefined;
}

/**
 * The file's model with the declares of imported modules added under the
 * names the file uses them by (`mod.comp`), for hover and completion: a copy,
 * so the cached model stays as parsed while module files change on disk.
 */
export function withImportedDeclares(ws: Workspace, file: WorkspaceFile): FileModel {
  if (file.model.imports.size === 0) return file.model;
  const declares = new Map(file.model.declares);
  for (const [namespace, stmt] of file.model.imports) {
    for (const path of moduleFiles(file, stmt)) {
      const module = ws.load(pathToFileURL(path).href);
      for (const [name, declare] of module?.model.declares ?? []) {
        // Only the module's top-level declares are exported by it.
        if (module!.model.root.body.includes(declare.stmt) && !declares.has(`${namespace}.${name}`)) {
          declares.set(`${namespace}.${name}`, { ...declare, moduleUri: module!.uri });
        }
      }
    }
  }
  return { ...file.model, declares };
}

/** The module file (of those `import.file "<namespace>"` names) that declares `name`. */
function declaringModule(ws: Workspace, file: WorkspaceFile, namespace: string, name: string): string | undefined {
  const stmt = file.model.imports.get(namespace);
  if (!stmt) return undefined;
  for (const path of moduleFiles(file, stmt)) {
    const module = ws.load(pathToFileURL(path).href);
    if (module?.model.declares.has(name)) return module.uri;
  }
  return undefined;
}

/**
 * The files an `import.file` block names: its `filename` when written as a
 * literal, resolved against the document's directory (then as given); a
 * directory stands for its *.alloy files, as Alloy imports them.
 */
function moduleFiles(file: WorkspaceFile, stmt: BlockStmt): string[] {
  if (stmt.name.join('.') !== 'import.file') return [];
  const attr = stmt.body.find((s) => s.kind === 'Attribute' && s.name.name === 'filename');
  if (attr?.kind !== 'Attribute' || attr.value.kind !== 'Literal' || attr.value.tok !== Tok.STRING) return [];
  let filename: string;
  try {
    filename = JSON.parse(attr.value.value) as string;
  } catch {
    return [];
  }
  const base = file.uri.startsWith('file:') ? dirname(displayName(file.uri)) : process.cwd();
  for (const candidate of [resolve(base, filename), filename]) {
    try {
      const info = statSync(candidate);
      if (info.isFile()) return [candidate];
      if (info.isDirectory()) return readdirSync(candidate).filter((f) => f.endsWith('.alloy')).sort().map((f) => join(candidate, f));
    } catch {
      continue;
    }
  }
  return [];
}

function fileStart(path: string): Location {
  return { uri: pathToFileURL(path).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } };
}

function rangeOf(file: WorkspaceFile, o: Occurrence): Range {
  return file.doc.lines.range(o.start, o.end);
}


