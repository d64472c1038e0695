/**
 * The VS Code extension's TextMate grammar, run by vscode-textmate with the
 * Oniguruma regex engine VS Code uses (vscode-oniguruma's wasm). Every real
 * config and every conformance input tokenizes completely, and the scopes
 * agree with alloy-ts's own scanner on comments, strings, numbers and
 * constants.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import * as oniguruma from 'vscode-oniguruma';
import vsctm from 'vscode-textmate';
import { SourceFile } from '../../src/lang/position.js';
import { scanAll } from '../../src/lang/scanner.js';
import { Tok } from '../../src/lang/token.js';
import { ROOT } from './client.js';

const require = createRequire(import.meta.url);
const GRAMMAR = join(ROOT, 'editors/vscode/syntaxes/alloy.tmLanguage.json');
const SHARED = join(ROOT, '../shared');

function alloyFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((e) => {
    const path = join(dir, e);
    if (statSync(path).isDirectory()) return alloyFiles(path);
    return e.endsWith('.alloy') ? [path] : [];
  });
}

const inputs = [...alloyFiles(join(SHARED, 'examples-real')), ...alloyFiles(join(SHARED, 'conformance'))].sort();
if (inputs.length === 0 && process.env.CI) throw new Error('../shared/examples-real and conformance are missing');
const run = inputs.length > 0 ? describe : describe.skip;
if (inputs.length === 0) console.warn('skipping grammar tests over real configs: ../shared is missing');

let grammar: vsctm.IGrammar;

beforeAll(async () => {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({ createOnigScanner: (p: string[]) => new oniguruma.OnigScanner(p), createOnigString: (s: string) => new oniguruma.OnigString(s) }),
    loadGrammar: async (scope) => (scope === 'source.alloy' ? vsctm.parseRawGrammar(readFileSync(GRAMMAR, 'utf8'), GRAMMAR) : null),
  });
  grammar = (await registry.loadGrammar('source.alloy'))!;
});

/** Each line's tokens: [start, end, scopes] in UTF-16 units of the line. */
function tokenize(text: string): { start: number; end: number; scopes: string[] }[][] {
  let stack = vsctm.INITIAL;
  return text.split('\n').map((line) => {
    const result = grammar.tokenizeLine(line, stack, 10_000);
    expect(result.stoppedEarly, line).toBe(false);
    stack = result.ruleStack;
    return result.tokens.map((t) => ({ start: t.startIndex, end: t.endIndex, scopes: t.scopes }));
  });
}

function scopesAt(lines: ReturnType<typeof tokenize>, line: number, character: number): string[] {
  return lines[line]!.find((t) => t.start <= character && character < t.end)?.scopes ?? [];
}

const EXPECTED_SCOPE: Partial<Record<Tok, RegExp>> = {
  [Tok.COMMENT]: /^comment\./,
  [Tok.STRING]: /^string\./,
  [Tok.NUMBER]: /^constant\.numeric/,
  [Tok.FLOAT]: /^constant\.numeric/,
  [Tok.BOOL]: /^constant\.language\.boolean/,
  [Tok.NULL]: /^constant\.language\.null/,
};

run('TextMate grammar', () => {
  test(`tokenizes all ${inputs.length} real configs and conformance inputs, agreeing with the scanner`, () => {
    expect(inputs.length).toBeGreaterThan(100);
    let checked = 0;
    for (const path of inputs) {
      const bytes = readFileSync(path);
      const text = bytes.toString('utf8');
      const lines = tokenize(text);
      let scanError = false;
      const tokens = scanAll(bytes, () => (scanError = true), { comments: true });
      if (scanError) continue; // invalid input (diag tests): only complete tokenization is required
      const source = new SourceFile(path, bytes);
      for (const tok of tokens) {
        const want = EXPECTED_SCOPE[tok.tok];
        if (!want) continue;
        const line = source.line(tok.pos) - 1;
        const character = bytes.subarray(source.lineStarts[line]!, tok.pos).toString('utf8').length;
        const scopes = scopesAt(lines, line, character);
        expect(scopes.some((s) => want.test(s)), `${path}:${line + 1}:${character + 1} ${tok.lit.slice(0, 40)} → ${scopes.join(' ')}`).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });

  test('scopes of a block header, attributes, references, calls and literals', () => {
    const text = [
      'loki.source.file "logs" { // tail',
      '  targets    = [{"__path__" = "/var/log/*.log", job = "x"}]',
      '  forward_to = [loki.write.default.receiver]',
      '  tail_from_end = true',
      '  x = string.format("%d\\n", 1.5e3) + null',
      '}',
    ].join('\n');
    const lines = tokenize(text);
    const last = (line: number, character: number) => scopesAt(lines, line, character).slice(1).join(' ');
    expect(last(0, 0)).toBe('entity.name.type.block.alloy');
    expect(last(0, 18)).toBe('string.quoted.double.label.alloy');
    expect(last(0, 24)).toBe('punctuation.section.block.begin.alloy');
    expect(last(0, 28)).toBe('comment.line.double-slash.alloy');
    expect(last(1, 2)).toBe('variable.other.property.alloy');
    expect(last(1, 13)).toBe('keyword.operator.assignment.alloy');
    expect(last(1, 17)).toBe('string.quoted.double.key.alloy');
    expect(last(1, 48)).toBe('variable.other.property.alloy');
    expect(last(2, 16)).toBe('variable.other.alloy');
    expect(last(2, 20)).toBe('punctuation.accessor.alloy');
    expect(last(3, 18)).toBe('constant.language.boolean.alloy');
    expect(last(4, 6)).toBe('entity.name.function.alloy');
    expect(last(4, 23)).toBe('string.quoted.double.alloy constant.character.escape.alloy');
    expect(last(4, 28)).toBe('constant.numeric.float.alloy');
    expect(last(4, 35)).toBe('keyword.operator.arithmetic.alloy');
    expect(last(4, 37)).toBe('constant.language.null.alloy');
  });

  test('a block comment and a raw string spanning lines keep their scope', () => {
    const lines = tokenize('/* a\n b */ x = `raw\nstill raw`\n');
    expect(scopesAt(lines, 1, 1).join(' ')).toContain('comment.block.alloy');
    expect(scopesAt(lines, 1, 6).join(' ')).toContain('variable.other.property.alloy');
    expect(scopesAt(lines, 2, 2).join(' ')).toContain('string.quoted.other.raw.alloy');
  });
});
