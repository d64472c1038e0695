/**
 * validate's notes: after a diagnostic about a block's arguments (missing,
 * unrecognized, attribute used as a block or the reverse) or an unknown
 * component name, one indented line saying what the argument or block is
 * for, from the schemas' descriptions. Alloy's diagnostic lines themselves
 * are never changed; the notes only follow them in the human-readable
 * report (not in `--format json`, and not in `run`'s report).
 */
import type { BlockStmt, Body } from '../lang/ast.js';
import type { Diagnostic } from '../lang/diag.js';
import { parseFile } from '../lang/parser.js';
import { SourceFile } from '../lang/position.js';
import { fieldDescription, type BlockSchema } from '../lang/schema.js';
import type { ComponentRegistry } from '../runtime/component.js';
import { CONFIG_BLOCK_SCHEMAS } from '../runtime/config-blocks.js';
import { topLevelDescription, topLevelSchema } from '../runtime/descriptions.js';
import { schemaAt } from '../lsp/schemas.js';

const FIELD_PROBLEMS: [RegExp, 'owner' | 'parent'][] = [
  // Positioned at the block that lacks the field.
  [/^missing required (?:attribute|block) "([^"]+)"$/, 'owner'],
  // Positioned at the attribute or nested block inside the block that owns the field.
  [/^"([^"]+)" must be an? (?:block|attribute), but is used as an? (?:attribute|block)$/, 'parent'],
];
const UNRECOGNIZED = /^unrecognized (attribute|block) name "([^"]+)"$/;
const UNKNOWN_COMPONENT = /^cannot find the definition of component name "([^"]+)"$/;

type Note = (d: Diagnostic) => string | undefined;

/**
 * The notes for a report, loading only the declarations of the components
 * the files name and of the names suggested (as validate loads them).
 */
export async function loadDiagnosticNotes(diagnostics: readonly Diagnostic[], files: ReadonlyMap<string, Uint8Array>): Promise<Note> {
  const { COMPONENT_DECLARATIONS, registryOfNames } = await import('../components/catalog.js');
  const known = [...Object.keys(COMPONENT_DECLARATIONS), ...Object.keys(CONFIG_BLOCK_SCHEMAS)];
  const bodies = parsedBodies(files);
  const names = new Set<string>();
  for (const name of files.keys()) blockNames(bodies(name) ?? [], names);
  for (const d of diagnostics) {
    const unknown = UNKNOWN_COMPONENT.exec(d.message);
    const near = unknown ? nearestName(known, unknown[1]!) : undefined;
    if (near) names.add(near);
  }
  return diagnosticNotes(await registryOfNames(names), bodies, known);
}

function parsedBodies(files: ReadonlyMap<string, Uint8Array>): (name: string) => Body | undefined {
  const parsed = new Map<string, Body>();
  return (name) => {
    if (!parsed.has(name)) {
      const bytes = files.get(name);
      if (!bytes) return undefined;
      parsed.set(name, parseFile(new SourceFile(name, bytes)).file.body);
    }
    return parsed.get(name);
  };
}

function blockNames(body: Body, out: Set<string>): void {
  for (const stmt of body) {
    if (stmt.kind !== 'Block') continue;
    out.add(stmt.name.join('.'));
    blockNames(stmt.body, out);
  }
}

/** A function giving the note line (without indentation) for a diagnostic, or undefined. */
function diagnosticNotes(registry: ComponentRegistry, bodyOf: (file: string) => Body | undefined, known: readonly string[]): Note {
  return (d) => {
    const unknown = UNKNOWN_COMPONENT.exec(d.message);
    if (unknown) return suggestion(registry, known, unknown[1]!);
    const body = d.start.offset >= 0 ? bodyOf(d.start.file) : undefined;
    if (!body) return undefined;
    const chain = blockChainAt(body, d.start.offset).map((b) => b.name.join('.'));
    const unrecognized = UNRECOGNIZED.exec(d.message);
    if (unrecognized) {
      // An unrecognized block's own header is where the diagnostic points: describe its parent.
      if (unrecognized[1] === 'block' && chain[chain.length - 1] === unrecognized[2]) chain.pop();
      return acceptedFields(registry, chain);
    }
    for (const [pattern, where] of FIELD_PROBLEMS) {
      const m = pattern.exec(d.message);
      if (!m) continue;
      if (where === 'parent' && chain[chain.length - 1] === m[1]) chain.pop();
      const s = schemaOf(registry, chain);
      const text = s ? fieldDescription(s, m[1]!) : undefined;
      return text ? `${m[1]}: ${text}` : undefined;
    }
    return undefined;
  };
}

/** The blocks containing a byte offset, outermost first. */
function blockChainAt(body: Body, offset: number): BlockStmt[] {
  const chain: BlockStmt[] = [];
  let current: Body | undefined = body;
  while (current) {
    const inner: BlockStmt | undefined = current.find((s): s is BlockStmt => s.kind === 'Block' && s.namePos <= offset && offset <= s.rCurly);
    if (!inner) break;
    chain.push(inner);
    current = inner.body;
  }
  return chain;
}

/** The schema of the innermost block of `chain` (declare bodies are scopes, not blocks with arguments). */
function schemaOf(registry: ComponentRegistry, chain: string[]): BlockSchema | undefined {
  let start = 0;
  while (start < chain.length - 1 && chain[start] === 'declare') start++;
  const names = chain.slice(start);
  const top = names[0] !== undefined ? topLevelSchema(registry, names[0]) : undefined;
  return top ? schemaAt(top, names.slice(1)) : undefined;
}

function acceptedFields(registry: ComponentRegistry, chain: string[]): string | undefined {
  const s = schemaOf(registry, chain);
  if (!s) return undefined;
  const name = chain[chain.length - 1]!;
  const names = Object.entries(s.fields).flatMap(([n, f]) => (f.kind === 'enum' ? Object.keys(f.variants) : [n]));
  const about = chain.length === 1 ? topLevelDescription(registry, name) : s.description;
  const takes = names.length > 0 ? `It takes ${names.join(', ')}.` : 'It takes no arguments.';
  return `${name}: ${about ? `${about} ` : ''}${takes}`;
}

/** A known component or config block within two edits of the unknown name, with its description. */
function suggestion(registry: ComponentRegistry, known: readonly string[], unknown: string): string | undefined {
  const near = nearestName(known, unknown);
  if (!near) return undefined;
  const about = topLevelDescription(registry, near);
  return `did you mean ${near}?${about ? ` ${about}` : ''}`;
}

function nearestName(known: readonly string[], unknown: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(unknown, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Levenshtein distance, two rows at a time. */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row.push(Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1)));
    prev = row;
  }
  return prev[b.length]!;
}
