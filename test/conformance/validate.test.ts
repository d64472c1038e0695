/**
 * Alloy's validator snapshot tests (conformance/validate: txtar + .diags)
 * and the real-world example configs (examples-real), validated by
 * alloy-ts's validator and compared byte for byte with Alloy's report.
 *
 * Some snapshots need argument schemas of components alloy-ts does not
 * implement (remote.http, loki.source.file, otelcol.*). For those, the
 * expected diagnostics that lie inside such a component and are about its
 * arguments are set aside as pending (with the component names as reason);
 * everything else of the case must still match exactly. A pending
 * diagnostic comes back by itself once the component's schema lands, and
 * then the case must match completely. Language/runtime-level cases may
 * have nothing pending.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { BlockStmt, Body } from '../../src/lang/ast.js';
import { renderDiagnostics } from '../../src/lang/diag-printer.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { builtinComponents } from '../../src/components/index.js';
import { alloyComponent } from '../../src/runtime/alloy-components.js';
import type { Stability } from '../../src/runtime/component.js';
import { validateSources, type ValidateSource } from '../../src/runtime/validator/index.js';
import { conformanceDir, fixturesDir, hasConformance, repoRoot } from '../cli/repo-paths.js';

const registry = builtinComponents();
const validateDir = path.join(conformanceDir, 'validate');
const examplesDir = path.resolve(repoRoot, '..', 'shared', 'examples-real');

// ---------------------------------------------------------------------------
// txtar (golang.org/x/tools/txtar): a comment, then `-- name --` sections.

export function parseTxtar(text: string): { comment: string; files: ValidateSource[] } {
  const lines = text.split(/(?<=\n)/);
  const files: { name: string; data: string }[] = [];
  let comment = '';
  let current: { name: string; data: string } | undefined;
  for (const line of lines) {
    const m = /^-- (.+?) --\r?\n?$/.exec(line);
    if (m) {
      current = { name: m[1]!.trim(), data: '' };
      files.push(current);
    } else if (current) current.data += line;
    else comment += line;
  }
  // txtar gives every non-empty section a final newline.
  for (const f of files) if (f.data !== '' && !f.data.endsWith('\n')) f.data += '\n';
  return { comment, files: files.map((f) => ({ name: f.name, bytes: Buffer.from(f.data) })) };
}

// ---------------------------------------------------------------------------
// Pending diagnostics

/** Messages the validator produces without knowing any component's arguments. */
const STRUCTURAL = [
  /^block \S+ already declared at /,
  /must have a label$/,
  /^cannot find the definition of component name /,
  /does not exist or is out of scope$/,
  /^cycle detected: /,
  /^cannot reference self$/,
  /is at stability level /,
  /not allowed in (module|foreach)$/,
  /blocks only allowed inside a module$/,
];

interface Chunk {
  text: string;
  file: string;
  line: number;
  column: number;
  message: string;
}

/** Splits a rendered report into its diagnostics. */
function chunks(report: string): Chunk[] {
  if (report === '') return [];
  return report.replace(/\n$/, '').split(/\n\n(?=(?:Error|Warning): )/).map((text) => {
    const m = /^(?:Error|Warning): (.+?):(\d+):(\d+): (.*)$/m.exec(text)!;
    return { text, file: m[1]!, line: Number(m[2]), column: Number(m[3]), message: m[4]! };
  });
}

function joinChunks(cs: readonly Chunk[]): string {
  return cs.length === 0 ? '' : cs.map((c) => c.text).join('\n\n') + '\n';
}

/** The innermost component block (not a config block) around a position. */
function enclosingComponent(body: Body, offset: number): BlockStmt | undefined {
  for (const stmt of body) {
    if (stmt.kind !== 'Block' || offset < stmt.namePos || offset > stmt.rCurly) continue;
    const inner = enclosingComponent(stmt.body, offset);
    if (inner) return inner;
    const name = stmt.name.join('.');
    return alloyComponent(name) ? stmt : undefined;
  }
  return undefined;
}

function offsetOf(bytes: Uint8Array, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = bytes.indexOf(0x0a, offset) + 1;
  return offset + column - 1;
}

/**
 * Splits the expected diagnostics into those alloy-ts must reproduce now and
 * those that need the argument schema of a component it does not implement.
 */
function splitPending(expected: string, sources: readonly ValidateSource[]): { kept: string; pending: Chunk[]; reasons: Set<string> } {
  const files = new Map(sources.map((s) => [s.name, s.bytes]));
  // A report of syntax errors needs no component knowledge at all.
  const parses = sources.every((s) => parseFile(new SourceFile(s.name, s.bytes)).diagnostics.length === 0);
  if (!parses) return { kept: expected, pending: [], reasons: new Set() };
  const kept: Chunk[] = [];
  const pending: Chunk[] = [];
  const reasons = new Set<string>();
  for (const c of chunks(expected)) {
    const bytes = files.get(c.file);
    const structural = STRUCTURAL.some((re) => re.test(c.message));
    if (bytes && !structural) {
      const parsed = parseFile(new SourceFile(c.file, bytes));
      const comp = enclosingComponent(parsed.file.body, offsetOf(bytes, c.line, c.column));
      const name = comp?.name.join('.');
      if (name && !registry.get(name)) {
        pending.push(c);
        reasons.add(name);
        continue;
      }
    }
    kept.push(c);
  }
  return { kept: joinChunks(kept), pending, reasons };
}

function render(diags: ReturnType<typeof validateSources>, sources: readonly ValidateSource[]): string {
  return renderDiagnostics(diags, new Map(sources.map((s) => [s.name, s.bytes])), { color: false });
}

/**
 * Messages alloy-ts words differently from Alloy, by case: Alloy's text,
 * alloy-ts's text at the same position, and why. The rest of the report
 * must match exactly.
 */
const KNOWN_DIFFERENCES: Record<string, { alloy: string; alloyTs: string; reason: string }[]> = {
  'default/invalid_types.txtar': [
    {
      alloy: "target::ConvertFrom: conversion from 'int64' is not supported",
      alloyTs: 'expected object, got number',
      reason: "targets are list(map(string)) in alloy-ts; Alloy's discovery.Target type has its own conversion error",
    },
  ],
};

function applyKnownDifferences(txtar: string, expected: string): { text: string; applied: string[] } {
  let text = expected;
  const applied: string[] = [];
  for (const d of KNOWN_DIFFERENCES[txtar] ?? []) {
    const marker = `: ${d.alloy}\n`;
    if (!text.includes(marker)) continue;
    text = text.replace(marker, `: ${d.alloyTs}\n`);
    applied.push(d.reason);
  }
  return { text, applied };
}

// ---------------------------------------------------------------------------
// Snapshot cases

interface Case {
  txtar: string;
  diags: string;
  min_stability: Stability;
  scope: string;
}

describe.skipIf(!hasConformance)('conformance/validate (Alloy validator snapshots)', () => {
  const index = hasConformance ? (JSON.parse(readFileSync(path.join(validateDir, 'index.json'), 'utf8')) as { cases: Case[] }) : { cases: [] };
  const summary: string[] = [];
  let full = 0;

  for (const c of index.cases) {
    const languageLevel = c.scope.startsWith('language/runtime-level');
    it(`${c.txtar} (${languageLevel ? 'language' : 'schemas'})`, () => {
      const { files } = parseTxtar(readFileSync(path.join(validateDir, c.txtar), 'utf8'));
      const snapshot = readFileSync(path.join(validateDir, c.diags), 'utf8');
      // Alloy's own snapshots: judged as Alloy judges (--target=alloy).
      const actual = render(validateSources(files, { registry, minStability: c.min_stability, target: 'alloy' }), files);
      const { kept, pending, reasons } = splitPending(snapshot, files);
      const expected = applyKnownDifferences(c.txtar, kept);
      if (languageLevel) expect([pending, expected.applied]).toEqual([[], []]);
      expect(actual).toBe(expected.text);
      const total = chunks(snapshot).length;
      const notes = [
        ...(pending.length > 0 ? [`${pending.length} pending (need schemas of ${[...reasons].sort().join(', ')})`] : []),
        ...expected.applied.map((r) => `1 worded differently (${r})`),
      ];
      if (notes.length === 0) {
        full++;
        summary.push(`  ${c.txtar}: pass`);
      } else {
        summary.push(`  ${c.txtar}: ${total - pending.length - expected.applied.length}/${total} diagnostics identical; ${notes.join('; ')}`);
      }
    });
  }

  it('summary', () => {
    console.log(`[validate] conformance/validate: ${full}/${index.cases.length} cases pass completely\n${summary.join('\n')}`);
  });
});

if (!hasConformance) console.log(`[validate] skipping conformance/validate: ${validateDir} not found`);

// ---------------------------------------------------------------------------
// examples-real: real configurations, one file at a time.

/** Files Alloy itself rejects (examples-real/README.md), with what alloy-ts must report. */
const NEGATIVE: Record<string, RegExp> = {
  'scen-routing.alloy': /^Error: scen-routing\.alloy:110:2: expected }, got EOF$/m,
  'docs-discovery-docker-2.alloy': /^Error: docs-discovery-docker-2\.alloy:6:44: field "example" does not exist$/m,
};

/** Valid at `experimental`, but using components below `generally-available`. */
const BELOW_GA: Record<string, RegExp> = {
  'alloy-pipelinetest-loki-pipeline-module.alloy': /component "loki\.(enrich|secretfilter)" is at stability level/,
};

/** Names of the component blocks of a body, nested ones (declare bodies) included. */
function componentNames(body: Body, out = new Set<string>()): Set<string> {
  for (const stmt of body) {
    if (stmt.kind !== 'Block') continue;
    const name = stmt.name.join('.');
    if (alloyComponent(name)) out.add(name);
    componentNames(stmt.body, out);
  }
  return out;
}

/**
 * With the default target (alloy-ts), every component alloy-ts does not
 * implement is reported as not supported, on top of what Alloy reports;
 * a file using only implemented components gets Alloy's report unchanged.
 */
function expectUnsupportedReported(sources: readonly ValidateSource[], alloyReport: string): void {
  const source = sources[0]!;
  const parsed = parseFile(new SourceFile(source.name, source.bytes));
  const unsupported = [...componentNames(parsed.file.body)].filter((n) => !registry.get(n)).sort();
  const report = render(validateSources(sources, { registry, minStability: 'experimental' }), sources);
  const messages = (text: string) => chunks(text).map((c) => c.message);
  const added = messages(report).filter((m) => !messages(alloyReport).includes(m));
  expect([...new Set(added)].sort()).toEqual(unsupported.map((n) => `component ${JSON.stringify(n)} is not supported by alloy-ts`));
  if (unsupported.length === 0 || parsed.diagnostics.length > 0) expect(report).toBe(alloyReport);
  else unsupportedSeen.push(`${source.name}: ${unsupported.join(', ')}`);
}

const unsupportedSeen: string[] = [];

const examples = existsSync(examplesDir) ? readdirSync(examplesDir).filter((f) => f.endsWith('.alloy')).sort() : [];
if (examples.length === 0) console.log(`[validate] skipping examples-real: ${examplesDir} not found`);

describe.skipIf(examples.length === 0)('examples-real', () => {
  const results: string[] = [];
  for (const name of examples) {
    it(name, () => {
      const sources = [{ name, bytes: readFileSync(path.join(examplesDir, name)) }];
      const experimental = render(validateSources(sources, { registry, minStability: 'experimental', target: 'alloy' }), sources);
      const ga = render(validateSources(sources, { registry, minStability: 'generally-available', target: 'alloy' }), sources);
      expectUnsupportedReported(sources, experimental);
      const negative = NEGATIVE[name];
      if (negative) {
        expect(experimental).toMatch(negative);
        expect(chunks(experimental)).toHaveLength(1);
        results.push(`  ${name}: rejected as expected`);
        return;
      }
      expect(experimental).toBe('');
      const belowGa = BELOW_GA[name];
      if (belowGa) {
        expect(ga).toMatch(belowGa);
        results.push(`  ${name}: valid at experimental; below generally-available as expected`);
      } else {
        expect(ga).toBe('');
        results.push(`  ${name}: valid`);
      }
    });
  }
  it('summary', () => {
    console.log(`[validate] examples-real: ${results.length}/${examples.length} judged as Alloy would (--target=alloy)\n${results.join('\n')}`);
    console.log(`[validate] examples-real with the default target: ${unsupportedSeen.length} files use components alloy-ts lacks, each reported\n  ${unsupportedSeen.join('\n  ')}`);
  });
});

// ---------------------------------------------------------------------------
// Own fixtures (always present): test/fixtures/validate/<case>/{*.alloy, expected.diags}

const fixtureRoot = path.join(fixturesDir, 'validate');
const fixtureCases = existsSync(fixtureRoot) ? readdirSync(fixtureRoot).sort() : [];

describe('test/fixtures/validate', () => {
  let passed = 0;
  for (const dir of fixtureCases) {
    it(dir, () => {
      const caseDir = path.join(fixtureRoot, dir);
      const names = readdirSync(caseDir).filter((f) => f.endsWith('.alloy')).sort();
      const sources = names.map((name) => ({ name, bytes: readFileSync(path.join(caseDir, name)) }));
      const optionsFile = path.join(caseDir, 'stability');
      const minStability = (existsSync(optionsFile) ? readFileSync(optionsFile, 'utf8').trim() : 'experimental') as Stability;
      const expected = readFileSync(path.join(caseDir, 'expected.diags'), 'utf8');
      expect(render(validateSources(sources, { registry, minStability, target: 'alloy' }), sources)).toBe(expected);
      passed++;
    });
  }
  it('summary', () => {
    expect(fixtureCases.length).toBeGreaterThan(0);
    console.log(`[validate] fixtures: ${passed}/${fixtureCases.length} pass`);
  });
});
