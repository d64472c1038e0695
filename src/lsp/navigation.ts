/**
 * Go to definition, find references and rename, over the occurrences the
 * file model collects (component labels, declares, their arguments and
 * exports, import namespaces). Definitions also lead into modules that
 * `import.file` names with a literal path (the module file, and the
 * `declare` a `namespace.name` block instantiates); references and rename
 * stay within the document.
 */
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { isValidIdentifier } from '../lang/identifier.js';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BlockStmt } from '../lang/ast.js';
import { Tok } from '../lang/token.js';
import { AlloyDocument, displayName } from './documents.js';
import { buildModel, IMPORTED, labelRange, occurrenceAt, type FileModel, type Occurrence } from './model.js';

export function definitionAt(doc: AlloyDocument, model: FileModel, offset: number): Location | undefined {
  const at = occurrenceAt(model, offset);
  if (!at) return undefined;
  if (at.key.startsWith(IMPORTED)) return importedDeclare(doc, model, at.key.slice(IMPORTED.length));
  if (at.definition && at.key.startsWith('import:')) return moduleFiles(doc, model.imports.get(at.key.slice('import:'.length))!).map(fileStart)[0];
  const def = model.occurrences.find((o) => o.key === at.key && o.definition);
  return def ? { uri: doc.uri, range: rangeOf(doc, def) } : undefined;
}

/** Most bytes of a module file read to follow a definition into it. */
const MAX_MODULE_BYTES = 4 * 1024 * 1024;

/**
 * The files an `import.file` block names: its `filename` when written as a
 * literal, resolved against the document's directory (then as given); a
 * directory stands for its *.alloy files, as Alloy imports them.
 */
function moduleFiles(doc: AlloyDocument, stmt: BlockStmt): string[] {
  if (stmt.name.join('.') !== 'import.file') return [];
  const attr = stmt.body.find((s) => s.kind === 'Attribute' && s.name.name === 'filename');
  if (attr?.kind !== 'Attribute' || attr.value.kind !== 'Literal' || attr.value.tok !== Tok.STRING) return [];
  let filename: string;
  try {
    filename = JSON.parse(attr.value.value) as string;
  } catch {
    return [];
  }
  const base = doc.uri.startsWith('file:') ? dirname(displayName(doc.uri)) : process.cwd();
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

/** `declare "<name>"` in the module a namespace imports. */
function importedDeclare(doc: AlloyDocument, model: FileModel, key: string): Location | undefined {
  const [namespace, name] = key.split(':') as [string, string];
  const stmt = model.imports.get(namespace);
  if (!stmt) return undefined;
  for (const path of moduleFiles(doc, stmt)) {
    let bytes: Buffer;
    try {
      if (statSync(path).size > MAX_MODULE_BYTES) continue;
      bytes = readFileSync(path);
    } catch {
      continue;
    }
    const uri = pathToFileURL(path).href;
    const module = new AlloyDocument(uri, 0, bytes.toString('utf8'));
    const declare = buildModel(module.file.body).declares.get(name);
    if (declare) {
      const label = labelRange(declare.stmt);
      return { uri, range: module.lines.range(label.start, label.end) };
    }
  }
  return undefined;
}

export function referencesAt(doc: AlloyDocument, model: FileModel, offset: number, includeDeclaration: boolean): Location[] {
  return sameKey(model, offset)
    .filter((o) => includeDeclaration || !o.definition)
    .map((o) => ({ uri: doc.uri, range: rangeOf(doc, o) }));
}

/** The range a rename would replace, or undefined when nothing renamable is under the cursor. */
export function renameRange(doc: AlloyDocument, model: FileModel, offset: number): Range | undefined {
  const at = occurrenceAt(model, offset);
  return at && !at.key.startsWith(IMPORTED) ? rangeOf(doc, at) : undefined;
}

/** Renames every occurrence; a new name that is not an identifier is refused (labels and names must be identifiers in Alloy). */
export function renameAt(doc: AlloyDocument, model: FileModel, offset: number, newName: string): WorkspaceEdit | { error: string } | undefined {
  if (!isValidIdentifier(newName)) return { error: `${JSON.stringify(newName)} is not a valid identifier` };
  // A declare of another file is renamed there, with its other users; not from here.
  if (occurrenceAt(model, offset)?.key.startsWith(IMPORTED)) return { error: 'the component is declared in an imported module' };
  const occurrences = sameKey(model, offset);
  if (occurrences.length === 0) return undefined;
  const edits: TextEdit[] = occurrences.map((o) => ({ range: rangeOf(doc, o), newText: newName }));
  return { changes: { [doc.uri]: edits } };
}

function sameKey(model: FileModel, offset: number): Occurrence[] {
  const at = occurrenceAt(model, offset);
  if (!at) return [];
  const seen = new Set<string>();
  return model.occurrences.filter((o) => {
    const id = `${o.start}:${o.end}`;
    if (o.key !== at.key || seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}

function rangeOf(doc: AlloyDocument, o: Occurrence): Range {
  return doc.lines.range(o.start, o.end);
}
