/**
 * Formatter conformance: byte-identical output to `alloy fmt`.
 *
 * Groups: conformance/fmt and conformance/fmt-extra (input → expected),
 * idempotence on every expected file, idempotence on examples-real, and the
 * project's own fixtures in test/fixtures/fmt (run even without ../shared).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { diagnosticsMessage, hasErrors } from '../../src/lang/diag.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { formatFile } from '../../src/lang/printer.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const conformanceDir = path.resolve(repoRoot, '..', 'shared', 'conformance');
const examplesDir = path.resolve(repoRoot, '..', 'shared', 'examples-real');
const fixturesDir = path.resolve(repoRoot, 'test', 'fixtures', 'fmt');
const haveConformance = existsSync(conformanceDir);
const missingReason = `conformance data not found at ${conformanceDir}`;

type FormatResult = { ok: true; text: string } | { ok: false; error: string };

/** Parses and formats; a crash is reported as `crashed` rather than thrown. */
function format(name: string, bytes: Uint8Array): FormatResult | { ok: false; crashed: true; error: string } {
  try {
    const { file, diagnostics } = parseFile(new SourceFile(name, bytes));
    if (hasErrors(diagnostics)) return { ok: false, error: diagnosticsMessage(diagnostics) };
    return { ok: true, text: formatFile(file) };
  } catch (err) {
    return { ok: false, crashed: true, error: String((err as Error)?.stack ?? err) };
  }
}

function formatOrThrow(name: string, bytes: Uint8Array): string {
  const result = format(name, bytes);
  if (!result.ok) throw new Error(`${name}: parse failed: ${result.error}`);
  return result.text;
}

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

/** Pass counts per group, printed once at the end. */
const tally = new Map<string, { passed: number; total: number }>();
function count(group: string, passed: boolean): void {
  const entry = tally.get(group) ?? { passed: 0, total: 0 };
  entry.total++;
  if (passed) entry.passed++;
  tally.set(group, entry);
}
afterAll(() => {
  for (const [group, { passed, total }] of tally) console.log(`fmt conformance ${group}: ${passed}/${total} passed`);
});

/** Runs `check` as a test and records whether it passed in `group`. */
function counted(group: string, name: string, check: () => void): void {
  it(name, () => {
    let passed = false;
    try {
      check();
      passed = true;
    } finally {
      count(group, passed);
    }
  });
}

interface IndexCase {
  name: string;
  kind?: 'format' | 'error';
  input: string;
  expected?: string;
  expected_error_substring_file?: string;
  already_formatted?: boolean;
}

function readIndex(dir: string): IndexCase[] {
  return (JSON.parse(readFileSync(path.join(dir, 'index.json'), 'utf8')) as { cases: IndexCase[] }).cases;
}

/**
 * Cases where upstream `alloy fmt` itself is not idempotent, with what its
 * second pass gives. A quoted object key is re-quoted with %q without being
 * unescaped first, so every pass doubles its backslashes.
 */
const UPSTREAM_SECOND_PASS: Record<string, string> = {
  object_key_quoting: String.raw`x = {"a\\\\tb" = 1, "r" = 2, "é" = 3}` + '\n',
};

function pairGroup(group: string): void {
  const dir = path.join(conformanceDir, group);
  describe(`conformance/${group}`, () => {
    if (!haveConformance) {
      it.skip(missingReason, () => {});
      return;
    }
    for (const c of readIndex(dir)) {
      const input = readFileSync(path.join(dir, c.input));
      if (c.kind === 'error') {
        const wanted = readFileSync(path.join(dir, c.expected_error_substring_file!), 'utf8').trim();
        counted(group, `${c.name} fails to parse`, () => {
          const result = format(c.input, input);
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.error).toContain(wanted);
        });
        continue;
      }
      const expected = readFileSync(path.join(dir, c.expected!), 'utf8');
      counted(group, c.name, () => {
        expect(formatOrThrow(c.input, input)).toBe(expected);
        // `alloy fmt --test` succeeds exactly when the input is already formatted.
        if (c.already_formatted !== undefined) expect(input.toString('utf8') === expected).toBe(c.already_formatted);
      });
      const secondPass = UPSTREAM_SECOND_PASS[c.name];
      counted(`${group} idempotence`, `${c.name} (expected file reformats to ${secondPass ? 'the known upstream result' : 'itself'})`, () => {
        expect(formatOrThrow(c.expected!, utf8(expected))).toBe(secondPass ?? expected);
      });
    }
  });
}

pairGroup('fmt');
pairGroup('fmt-extra');

describe('examples-real idempotence', () => {
  if (!existsSync(examplesDir)) {
    it.skip(`examples not found at ${examplesDir}`, () => {});
    return;
  }
  const files = readdirSync(examplesDir).filter((f) => f.endsWith('.alloy')).sort();
  for (const name of files) {
    const bytes = readFileSync(path.join(examplesDir, name));
    const result = format(name, bytes);
    if (!result.ok && 'crashed' in result) {
      counted('examples-real', `${name} formats idempotently`, () => expect.fail(result.error));
      continue;
    }
    if (!result.ok) {
      // Upstream-invalid examples (see examples-real/README.md) cannot be formatted.
      it.skip(`${name}: does not parse (${result.error})`, () => {});
      continue;
    }
    counted('examples-real', `${name} formats idempotently`, () => {
      expect(formatOrThrow(name, utf8(result.text))).toBe(result.text);
    });
  }
});

describe('own fixtures (test/fixtures/fmt)', () => {
  const inputs = readdirSync(fixturesDir).filter((f) => f.endsWith('.in.alloy')).sort();
  it('has fixtures', () => expect(inputs.length).toBeGreaterThan(0));
  for (const inputName of inputs) {
    const name = inputName.slice(0, -'.in.alloy'.length);
    counted('fixtures', name, () => {
      const input = readFileSync(path.join(fixturesDir, inputName));
      const expected = readFileSync(path.join(fixturesDir, `${name}.expected.alloy`), 'utf8');
      expect(formatOrThrow(inputName, input)).toBe(expected);
      expect(formatOrThrow(`${name}.expected.alloy`, utf8(expected))).toBe(expected);
    });
  }
});
