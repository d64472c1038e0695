/**
 * Semantic tokens over stdio: the server's legend, a few tokens of a small
 * config checked by text and type, and every real config tokenized into
 * well-formed, non-overlapping tokens that lie within their lines.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { BUILT, LspClient, ROOT } from './client.js';

const EXAMPLES = join(ROOT, '../shared/examples-real');

interface Decoded {
  line: number;
  character: number;
  text: string;
  type: string;
  modifiers: string[];
}

(BUILT ? describe : describe.skip)(`semantic tokens${BUILT ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  let client: LspClient;
  let legend: { tokenTypes: string[]; tokenModifiers: string[] };
  let opened = 0;

  beforeAll(async () => {
    client = await LspClient.start();
    legend = (client.initializeResult.capabilities['semanticTokensProvider'] as { legend: typeof legend; full: boolean }).legend;
  });
  afterAll(async () => {
    await client?.stop();
  });

  async function tokens(text: string): Promise<Decoded[]> {
    const uri = `untitled:tokens-${opened++}.alloy`;
    await client.open(uri, text);
    const { data } = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri } });
    expect(data.length % 5).toBe(0);
    const lines = text.split('\n');
    const out: Decoded[] = [];
    let line = 0;
    let character = 0;
    for (let i = 0; i < data.length; i += 5) {
      const [dl, dc, length, type, bits] = data.slice(i, i + 5) as [number, number, number, number, number];
      line += dl;
      character = dl === 0 ? character + dc : dc;
      out.push({
        line,
        character,
        text: (lines[line] ?? '').slice(character, character + length),
        type: legend.tokenTypes[type]!,
        modifiers: legend.tokenModifiers.filter((_, b) => bits & (1 << b)),
      });
    }
    return out;
  }

  test('types the parts of a config', async () => {
    const text = [
      '// ships logs',
      'logging {',
      '  level = "info"',
      '}',
      'loki.write "default" {',
      '  endpoint {',
      '    url = sys.env("LOKI_URL")',
      '    batch_size = 1024',
      '  }',
      '}',
      'loki.source.file "files" {',
      '  targets    = [{"__path__" = "/var/log/x.log", job = "x"}]',
      '  forward_to = [loki.write.default.receiver]',
      '  tail_from_end = true',
      '}',
      '',
    ].join('\n');
    const got = (await tokens(text)).map((t) => `${t.line}:${t.text}:${t.type}${t.modifiers.length ? `+${t.modifiers.join('+')}` : ''}`);
    expect(got).toEqual(expect.arrayContaining([
      '0:// ships logs:comment',
      '1:logging:keyword',
      '2:level:property',
      '2:"info":string',
      '4:loki.write:class',
      '4:"default":variable+declaration',
      '5:endpoint:class',
      '6:url:property',
      '6:sys:namespace+defaultLibrary',
      '6:env:function+defaultLibrary',
      '6:"LOKI_URL":string',
      '7:1024:number',
      '11:job:property',
      '12:loki:variable',
      '12:receiver:property',
      '13:true:keyword',
    ]));
    // Quoted object keys are strings, not properties.
    expect(got.filter((g) => g.includes('__path__'))).toEqual([]);
  });

  test('every real config gives well-formed tokens within their lines', async () => {
    if (!existsSync(EXAMPLES)) return;
    const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.alloy'));
    expect(files.length).toBeGreaterThan(20);
    for (const name of files) {
      const text = readFileSync(join(EXAMPLES, name), 'utf8');
      const lines = text.split('\n');
      const list = await tokens(text);
      expect(list.length, name).toBeGreaterThan(10);
      for (let i = 0; i < list.length; i++) {
        const t = list[i]!;
        expect(t.text.length, `${name}:${t.line}`).toBeGreaterThan(0);
        expect(t.character + t.text.length, `${name}:${t.line}`).toBeLessThanOrEqual(lines[t.line]!.length);
        const prev = list[i - 1];
        if (prev && prev.line === t.line) expect(prev.character + prev.text.length, `${name}:${t.line} overlaps`).toBeLessThanOrEqual(t.character);
        if (t.type === 'string') expect(t.text, `${name}:${t.line}`).toMatch(/^["`]/);
        if (t.type === 'number') expect(t.text).toMatch(/^[0-9.]/);
      }
    }
  });
});
