/**
 * Go to definition, find references and rename, over the occurrences the
 * file model collects (component labels, declares, their arguments and
 * exports, import namespaces). Only names defined in the file are followed.
 */
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { isValidIdentifier } from '../lang/identifier.js';
import type { AlloyDocument } from './documents.js';
import { occurrenceAt, type FileModel, type Occurrence } from './model.js';

export function definitionAt(doc: AlloyDocument, model: FileModel, offset: number): Location | undefined {
  const at = occurrenceAt(model, offset);
  const def = at && model.occurrences.find((o) => o.key === at.key && o.definition);
  return def ? { uri: doc.uri, range: rangeOf(doc, def) } : undefined;
}

export function referencesAt(doc: AlloyDocument, model: FileModel, offset: number, includeDeclaration: boolean): Location[] {
  return sameKey(model, offset)
    .filter((o) => includeDeclaration || !o.definition)
    .map((o) => ({ uri: doc.uri, range: rangeOf(doc, o) }));
}

/** The range a rename would replace, or undefined when nothing renamable is under the cursor. */
export function renameRange(doc: AlloyDocument, model: FileModel, offset: number): Range | undefined {
  const at = occurrenceAt(model, offset);
  return at ? rangeOf(doc, at) : undefined;
}

/** Renames every occurrence; a new name that is not an identifier is refused (labels and names must be identifiers in Alloy). */
export function renameAt(doc: AlloyDocument, model: FileModel, offset: number, newName: string): WorkspaceEdit | { error: string } | undefined {
  if (!isValidIdentifier(newName)) return { error: `${JSON.stringify(newName)} is not a valid identifier` };
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
