/**
 * Diagnostics: exactly what `alloy-ts validate FILE` reports for the
 * document (the same validator, registry and stability level), converted
 * to LSP ranges. Alloy's end positions are inclusive; LSP's are exclusive.
 */
import { DiagnosticSeverity, type Diagnostic as LspDiagnostic } from 'vscode-languageserver';
import { DiagnosticsError, type Diagnostic } from '../lang/diag.js';
import type { ComponentRegistry, Stability } from '../runtime/component.js';
import { validateSources, type ValidationTarget } from '../runtime/validator/index.js';
import type { AlloyDocument } from './documents.js';

export interface DiagnosticOptions {
  registry: ComponentRegistry;
  minStability: Stability;
  target: ValidationTarget;
}

export function documentDiagnostics(doc: AlloyDocument, opts: DiagnosticOptions): LspDiagnostic[] {
  let found: Diagnostic[];
  try {
    found = validateSources([{ name: doc.source.name, bytes: doc.source.bytes }], { registry: opts.registry, minStability: opts.minStability, target: opts.target });
  } catch (err) {
    if (err instanceof DiagnosticsError) found = err.diagnostics;
    // `validate` fails without a position then (e.g. a file that is not UTF-8).
    else return [{ range: doc.lines.range(0, 0), severity: DiagnosticSeverity.Error, source: 'alloy-ts', message: err instanceof Error ? err.message : String(err) }];
  }
  return found.filter((d) => d.start.file === doc.source.name || d.start.file === '').map((d) => toLsp(doc, d));
}

function toLsp(doc: AlloyDocument, d: Diagnostic): LspDiagnostic {
  return {
    range: rangeOf(doc, d),
    severity: d.severity === 'error' ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'alloy-ts',
    message: d.value ? `${d.message}\n${d.value}` : d.message,
  };
}

function rangeOf(doc: AlloyDocument, d: Diagnostic) {
  const start = byteOffset(doc, d.start.offset, d.start.line, d.start.column);
  if (start === undefined) return doc.lines.range(0, 0);
  const end = d.end ? byteOffset(doc, d.end.offset, d.end.line, d.end.column) : undefined;
  // The inclusive end names the last byte; the range ends after its character.
  return doc.lines.range(start, afterCharacter(doc, end ?? start));
}

function byteOffset(doc: AlloyDocument, offset: number, line: number, column: number): number | undefined {
  if (offset >= 0) return offset;
  if (line <= 0) return undefined;
  return (doc.source.lineStarts[line - 1] ?? 0) + column - 1;
}

function afterCharacter(doc: AlloyDocument, offset: number): number {
  const bytes = doc.source.bytes;
  if (offset >= bytes.length) return bytes.length;
  let end = offset + 1;
  while (end < bytes.length && (bytes[end]! & 0xc0) === 0x80) end++;
  return end;
}
