/**
 * Scanner conformance: `scan/tokens.json` (upstream scanner token table and
 * error table) and `scan/identifiers.json`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isValidIdentifier, sanitizeIdentifier } from '../../src/lang/identifier.js';
import { Scanner } from '../../src/lang/scanner.js';
import { Tok, tokName } from '../../src/lang/token.js';
import { conformanceDir, hasConformance } from '../cli/repo-paths.js';

interface TokensJson {
  token_stream_test: {
    separator_between_tokens: string;
    tokens: { source_text: string; token: string; expected_literal: string }[];
  };
  error_tests: {
    cases: {
      input_hex: string;
      first_token: string;
      error_offset: number | null;
      error_message: string | null;
      error_count: number;
      first_token_literal?: string;
      first_token_literal_hex?: string;
    }[];
  };
}

interface IdentifiersJson {
  is_valid_identifier: { input: string; valid: boolean }[];
  sanitize_identifier: { input: string; expected: string; error: string | null }[];
}

const load = <T>(name: string): T => JSON.parse(readFileSync(path.join(conformanceDir, 'scan', name), 'utf8')) as T;
const passed: Record<string, [number, number]> = {};
function count(group: string, ok: boolean): void {
  const c = (passed[group] ??= [0, 0]);
  c[1]++;
  if (ok) c[0]++;
}

afterAll(() => {
  for (const [group, [ok, total]] of Object.entries(passed)) console.log(`conformance scan/${group}: ${ok}/${total} passed`);
});

describe.skipIf(!hasConformance)('scan/tokens.json', () => {
  const data = hasConformance ? load<TokensJson>('tokens.json') : undefined;

  it('token stream (comments kept, no automatic terminators)', () => {
    const { separator_between_tokens: sep, tokens } = data!.token_stream_test;
    const src = Buffer.from(tokens.map((t) => t.source_text + sep).join(''), 'utf8');
    const errors: string[] = [];
    const s = new Scanner(src, (off, msg) => errors.push(`${off}: ${msg}`), { comments: true, terminators: false });
    let offset = 0;
    for (const want of tokens) {
      const tok = s.scan();
      const ok = tokName(tok) === want.token && s.lit === want.expected_literal && s.pos === offset;
      count('token_stream', ok);
      expect({ tok: tokName(tok), lit: s.lit, pos: s.pos }).toEqual({ tok: want.token, lit: want.expected_literal, pos: offset });
      offset += Buffer.byteLength(want.source_text + sep);
    }
    expect(s.scan()).toBe(Tok.EOF);
    expect(errors).toEqual([]);
  });

  for (const c of data?.error_tests.cases ?? []) {
    it(`error case ${c.input_hex}`, () => {
      const errors: { offset: number; message: string }[] = [];
      const s = new Scanner(Buffer.from(c.input_hex, 'hex'), (offset, message) => errors.push({ offset, message }), {
        comments: true,
        terminators: false,
      });
      const tok = tokName(s.scan());
      const last = errors[errors.length - 1];
      const got = {
        tok,
        count: errors.length,
        message: last?.message ?? null,
        offset: last?.offset ?? null,
        lit: tok === 'ILLEGAL' ? undefined : Buffer.from(s.lit, 'utf8').toString('hex'),
      };
      const wantLit = c.first_token_literal_hex ?? Buffer.from(c.first_token_literal ?? '', 'utf8').toString('hex');
      const want = {
        tok: c.first_token,
        count: c.error_count,
        message: c.error_message,
        offset: c.error_offset,
        // Literals with invalid UTF-8 cannot round-trip through a JS string; compare their length only.
        lit: c.first_token === 'ILLEGAL' ? undefined : c.first_token_literal_hex ? got.lit : wantLit,
      };
      count('error_tests', JSON.stringify(got) === JSON.stringify(want));
      expect(got).toEqual(want);
    });
  }
});

describe.skipIf(!hasConformance)('scan/identifiers.json', () => {
  const data = hasConformance ? load<IdentifiersJson>('identifiers.json') : undefined;
  for (const c of data?.is_valid_identifier ?? []) {
    it(`isValidIdentifier(${JSON.stringify(c.input)})`, () => {
      count('is_valid_identifier', isValidIdentifier(c.input) === c.valid);
      expect(isValidIdentifier(c.input)).toBe(c.valid);
    });
  }
  for (const c of data?.sanitize_identifier ?? []) {
    it(`sanitizeIdentifier(${JSON.stringify(c.input)})`, () => {
      let got: string;
      try {
        got = sanitizeIdentifier(c.input);
      } catch (e) {
        got = `error: ${(e as Error).message}`;
      }
      const want = c.error === null ? c.expected : `error: ${c.error}`;
      count('sanitize_identifier', got === want);
      expect(got).toBe(want);
    });
  }
});

it.runIf(!hasConformance)(`scan conformance skipped: ${conformanceDir} is absent`, () => {
  console.log(`scan conformance skipped: ${conformanceDir} is absent`);
});
