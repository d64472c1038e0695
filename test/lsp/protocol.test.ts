/**
 * The language server through a real LSP client over stdio
 * (vscode-languageserver-protocol spawning `node bin/alloy-ts lsp`), on the
 * real configs of ../shared/examples-real. Expected values come from the
 * files themselves and from the `validate`/`fmt` commands run separately.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CompletionItem, Hover, Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import type { BlockStmt, Body } from '../../src/lang/ast.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { exprTraversals, traversalText } from '../../src/lang/references.js';
import { BIN, BUILT, fileUri, LspClient, ROOT } from './client.js';

const EXAMPLES = join(ROOT, '../shared/examples-real');
const HAVE_EXAMPLES = (() => {
  try {
    return readdirSync(EXAMPLES).some((f) => f.endsWith('.alloy'));
  } catch {
    return false;
  }
})();
if (!BUILT && process.env.CI) throw new Error('dist/ is not built: run npm run build');
const run = BUILT && HAVE_EXAMPLES ? describe : describe.skip;
if (!BUILT) console.warn('skipping LSP protocol tests: dist/lsp is not built (npm run build)');
if (!HAVE_EXAMPLES) console.warn('skipping LSP protocol tests: ../shared/examples-real is missing');

const exampleFiles = HAVE_EXAMPLES ? readdirSync(EXAMPLES).filter((f) => f.endsWith('.alloy')).sort() : [];

let client: LspClient;
beforeAll(async () => {
  if (BUILT) client = await LspClient.start({ diagnosticsDelay: 5 });
});
afterAll(async () => {
  if (client) expect(await client.stop()).toBe(0);
});

function position(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

function offsetOf(text: string, pos: { line: number; character: number }): number {
  const lines = text.split('\n');
  return lines.slice(0, pos.line).reduce((n, l) => n + l.length + 1, 0) + pos.character;
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  for (const e of sorted) text = text.slice(0, offsetOf(text, e.range.start)) + e.newText + text.slice(offsetOf(text, e.range.end));
  return text;
}

function textAt(text: string, r: Range): string {
  return text.slice(offsetOf(text, r.start), offsetOf(text, r.end));
}

let opened = 0;
async function openExample(name: string): Promise<{ uri: string; text: string }> {
  const text = readFileSync(join(EXAMPLES, name), 'utf8');
  const uri = fileUri(join(EXAMPLES, name)) + `?copy=${opened++}`;
  await client.open(uri, text);
  return { uri, text };
}

const completion = (uri: string, pos: { line: number; character: number }) =>
  client.request<CompletionItem[]>('textDocument/completion', { textDocument: { uri }, position: pos });

/** Every block of a body, declare bodies included, with the ids of the components it defines. */
function blocks(body: Body, out: BlockStmt[] = []): BlockStmt[] {
  for (const s of body) if (s.kind === 'Block') (out.push(s), blocks(s.body, out));
  return out;
}

run('alloy-ts lsp over stdio', () => {
  test('initialize announces the features', async () => {
    const reply = { result: client.initializeResult };
    for (const cap of ['hoverProvider', 'completionProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider', 'foldingRangeProvider', 'documentFormattingProvider']) {
      expect(reply.result.capabilities[cap], cap).toBeTruthy();
    }
  });

  test('closed input or garbage ends the server quietly, without a stack trace', () => {
    for (const input of ['', 'Content-Length: 5\r\n\r\n{bad}', 'not a header\r\n\r\n']) {
      const r = spawnSync(process.execPath, [BIN, 'lsp'], { input, cwd: ROOT, timeout: 20_000 });
      expect(r.status, JSON.stringify(input)).toBe(0);
      expect(r.stderr.toString()).not.toMatch(/\n\s+at /);
    }
  });

  test('diagnostics on open and change are what validate reports, with its ranges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsp-diag-'));
    const path = join(dir, 'bad.alloy');
    const text = [
      'loki.write "default" {',
      '  endpoint {',
      '    url = "http://127.0.0.1:3100/loki/api/v1/push"',
      '  }',
      '}',
      'loki.source.file "files" {',
      '  targets    = [{"__path__" = "/var/log/x.log"}]',
      '  forward_to = [loki.write.missing.receiver]',
      '  bogus      = 1',
      '}',
      '',
    ].join('\n');
    writeFileSync(path, text);
    const report = spawnSync(process.execPath, [BIN, 'validate', '--format', 'json', path], { cwd: ROOT });
    const expected = JSON.parse(report.stdout.toString()) as { line: number; column: number; endLine: number; endColumn: number; message: string; severity: string }[];
    expect(expected.length).toBeGreaterThan(0);
    const uri = fileUri(path);
    const first = client.diagnostics(uri, 1);
    await client.open(uri, text, 1);
    const got = await first;
    expect(got.map((d) => ({ message: d.message, start: d.range.start, end: d.range.end, severity: d.severity }))).toEqual(
      expected.map((e) => ({ message: e.message, start: { line: e.line - 1, character: e.column - 1 }, end: { line: e.endLine - 1, character: e.endColumn }, severity: e.severity === 'error' ? 1 : 2 })),
    );
    // Fixing the file clears them, for the new version.
    const fixed = text.replace('missing', 'default').replace('  bogus      = 1\n', '');
    const second = client.diagnostics(uri, 2);
    await client.change(uri, 2, fixed);
    expect(await second).toEqual([]);
    // A syntax error mid-typing is reported at its place.
    const third = client.diagnostics(uri, 3);
    await client.change(uri, 3, fixed.replace('forward_to = [', 'forward_to = [,'));
    const syntax = await third;
    expect(syntax.length).toBeGreaterThan(0);
    expect(syntax[0]!.range.start).toEqual({ line: 7, character: 16 });
    // A burst of changes (as a paste or fast typing sends them) is validated once it pauses, for
    // the last version; intermediate versions are not all validated.
    const last = client.diagnostics(uri, 13);
    const before = client.published.length;
    for (let v = 4; v <= 13; v++) void client.change(uri, v, fixed.replace('/var/log/x.log', `/var/log/x${v}.log`));
    expect(await last).toEqual([]);
    const burst = client.published.slice(before).filter((p) => p.uri === uri).map((p) => p.version);
    expect(burst[burst.length - 1]).toBe(13);
    expect(burst.length).toBeLessThanOrEqual(2);
  });

  test('positions are UTF-16 code units, not bytes', async () => {
    const uri = 'untitled:utf16.alloy';
    const text = 'local.file "é😀" {\n  filename = "ü😀"\n  bogus = 1\n}\n';
    const diagnostics = client.diagnostics(uri, 1);
    await client.open(uri, 'logging {\n  level = "ü😀" bogus = 1\n}\n', 1);
    const [d] = await diagnostics;
    // `bogus` starts after 'ü😀" ' : 13 bytes but 11 UTF-16 units into the line.
    expect(d!.range.start).toEqual({ line: 1, character: 'level = "ü😀" '.length + 2 });
    const uri2 = 'untitled:utf16-hover.alloy';
    await client.open(uri2, text.replace('"é😀"', '"x"'));
    const hover = await client.request<Hover>('textDocument/hover', { textDocument: { uri: uri2 }, position: { line: 1, character: 3 } });
    expect(JSON.stringify(hover.contents)).toContain('filename');
  });

  test('hover: components, nested blocks, arguments, exports and stdlib functions', async () => {
    const uri = 'untitled:hover.alloy';
    const text = [
      'loki.write "default" {',
      '  endpoint {',
      '    url = sys.env("LOKI_URL")',
      '  }',
      '}',
      'loki.source.file "files" {',
      '  targets    = [{"__path__" = "/var/log/x.log"}]',
      '  forward_to = [loki.write.default.receiver]',
      '}',
      '',
    ].join('\n');
    await client.open(uri, text);
    const hover = async (line: number, character: number) =>
      ((await client.request<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } }))?.contents as { value: string } | undefined)?.value ?? '';
    expect(await hover(0, 2)).toMatch(/loki\.write.*generally-available[\s\S]*receiver.*capsule\(loki\.LogsReceiver\)/);
    expect(await hover(1, 4)).toMatch(/endpoint.*block/);
    expect(await hover(2, 5)).toMatch(/url.*string, required/);
    expect(await hover(2, 12)).toMatch(/sys\.env.*func\(string\) string/);
    expect(await hover(7, 30)).toMatch(/loki\.write\.default\.receiver.*capsule\(loki\.LogsReceiver\)/);
    expect(await hover(5, 5)).toMatch(/loki\.source\.file/);
    const fileHover = await hover(6, 4);
    expect(fileHover).toMatch(/targets.*list\(map\(string\)\), required/);
    // The one-line descriptions are the schemas' own.
    const { builtinComponents } = await import('../../src/components/index.js');
    const { fieldDescription } = await import('../../src/lang/schema.js');
    const write = builtinComponents().get('loki.write')!;
    const endpoint = (write.args.fields['endpoint'] as { schema: import('../../src/lang/schema.js').BlockSchema }).schema;
    expect(await hover(0, 2)).toContain(write.description!);
    expect(await hover(1, 4)).toContain(fieldDescription(write.args, 'endpoint')!);
    expect(await hover(2, 5)).toContain(fieldDescription(endpoint, 'url')!);
    expect(await hover(7, 30)).toContain(fieldDescription(write.exports!, 'receiver')!);
    expect(await hover(2, 12)).toMatch(/environment variable/);
  });

  test('completion: references of the right type at every forward_to of the real configs', async () => {
    let positions = 0;
    const { builtinComponents } = await import('../../src/components/index.js');
    const registry = builtinComponents();
    for (const name of exampleFiles) {
      const { uri, text } = await openExample(name);
      const { file } = parseFile(SourceFile.fromString(name, text));
      const ids = new Set(blocks(file.body).filter((b) => b.label !== '').map((b) => `${b.name.join('.')}.${b.label}`));
      for (const b of blocks(file.body)) {
        for (const s of b.body) {
          if (s.kind !== 'Attribute' || s.name.name !== 'forward_to' || s.value.kind !== 'Array') continue;
          const written = s.value.elements.flatMap((e) => exprTraversals(e)).map((t) => traversalText(t));
          // Receivers of components alloy-ts implements (it knows no other component's exports).
          const ofComponents = written.filter((w) => [...ids].some((id) => w.startsWith(id + '.') && registry.get(id.split('.').slice(0, -1).join('.'))));
          const items = await completion(uri, position(text, Buffer.from(text).subarray(0, s.value.lBrack + 1).toString().length));
          const labels = items.map((i) => i.label);
          for (const w of ofComponents) expect(labels, `${name}: ${w}`).toContain(w);
          // Targets and other non-receiver exports are not offered where receivers go (in components whose schema is known).
          if (registry.get(b.name.join('.'))) expect(labels.filter((l) => /\.(targets|output|content)$/.test(l)), `${name}: ${written.join(', ')}`).toEqual([]);
          positions++;
        }
      }
    }
    expect(positions).toBeGreaterThanOrEqual(20);
  });

  test('completion: arguments and blocks valid inside each component of the real configs', async () => {
    let positions = 0;
    const { builtinComponents } = await import('../../src/components/index.js');
    const registry = builtinComponents();
    for (const name of exampleFiles.slice(0, 12)) {
      const { uri, text } = await openExample(name);
      const { file } = parseFile(SourceFile.fromString(name, text));
      for (const b of file.body) {
        if (b.kind !== 'Block') continue;
        const def = registry.get(b.name.join('.'));
        if (!def) continue;
        const items = await completion(uri, position(text, Buffer.from(text).subarray(0, b.lCurly + 1).toString().length));
        const labels = new Set(items.map((i) => i.label));
        const written = new Set(b.body.filter((s) => s.kind === 'Attribute').map((s) => (s as { name: { name: string } }).name.name));
        for (const [field, f] of Object.entries(def.args.fields)) {
          if (f.kind === 'enum') continue;
          if (f.kind === 'attr' && written.has(field)) expect(labels.has(field), `${name} ${b.name.join('.')}: ${field} is set`).toBe(false);
          else expect(labels.has(field), `${name} ${b.name.join('.')}: ${field}`).toBe(true);
        }
        for (const label of labels) expect(def.args.fields[label] ?? Object.values(def.args.fields).some((f) => f.kind === 'enum' && label in f.variants), label).toBeTruthy();
        const required = items.filter((i) => i.detail?.includes('required')).map((i) => i.label);
        for (const r of required) expect((def.args.fields[r] as { required?: boolean }).required ?? (def.args.fields[r] as { multiplicity?: string }).multiplicity === 'one').toBe(true);
        positions++;
      }
    }
    expect(positions).toBeGreaterThanOrEqual(20);
  });

  test('completion: component names by namespace, snippets with required arguments, stdlib and declares', async () => {
    const uri = 'untitled:complete.alloy';
    const text = 'declare "tail" {\n  argument "paths" {}\n  loki.source.file "x" {\n    targets = argument.\n    forward_to = []\n  }\n}\n\ntail "a" {\n  \n}\nlogging {\n  level = string.\n}\nloki.';
    await client.open(uri, text);
    const top = await completion(uri, { line: 14, character: 5 });
    const names = top.map((i) => i.label);
    expect(names).toEqual(expect.arrayContaining(['loki.source.file', 'loki.write', 'loki.process', 'tail', 'declare', 'import.file']));
    const sourceFile = top.find((i) => i.label === 'loki.source.file')!;
    expect(sourceFile.textEdit).toMatchObject({ range: { start: { line: 14, character: 0 }, end: { line: 14, character: 5 } } });
    expect((sourceFile.textEdit as TextEdit).newText).toMatch(/^loki\.source\.file "\$\{1:default\}" \{\n\ttargets = \[\$\{?2\}?\]\n\tforward_to = \[\$\{?3\}?\]\n\}$/);
    const custom = await completion(uri, { line: 9, character: 2 });
    expect(custom.map((i) => i.label)).toEqual(['paths']);
    const inDeclare = await completion(uri, { line: 3, character: 23 });
    expect(inDeclare.map((i) => i.label)).toContain('argument.paths.value');
    const stdlib = await completion(uri, { line: 12, character: 17 });
    expect(stdlib.map((i) => i.label)).toEqual(expect.arrayContaining(['string.format', 'string.to_lower', 'sys.env', 'encoding.from_json']));
    expect(stdlib.find((i) => i.label === 'string.format')!.detail).toMatch(/^func\(/);
  });

  test('definition, references and rename of component labels, declares and arguments', async () => {
    const { uri, text } = await openExample('scen-logging-frameworks-helper.alloy');
    const { file } = parseFile(SourceFile.fromString('h', text));
    // An argument used inside its declare: definition is its `argument "…"` label.
    const use = text.indexOf('= argument.') + '= argument.'.length;
    const argName = /^\w+/.exec(text.slice(use))![0];
    const def = await client.request<Location>('textDocument/definition', { textDocument: { uri }, position: position(text, use + 1) });
    expect(textAt(text, def.range)).toBe(argName);
    expect(text.slice(offsetOf(text, def.range.start) - 10, offsetOf(text, def.range.start))).toContain('argument "');
    const refs = await client.request<Location[]>('textDocument/references', { textDocument: { uri }, position: position(text, use + 1), context: { includeDeclaration: true } });
    const uses = text.split('\n').filter((l) => !l.trim().startsWith('//')).join('\n').match(new RegExp(`argument\\.${argName}\\b`, 'g'))?.length ?? 0;
    expect(refs.length).toBe(1 + uses);
    expect(refs.every((r) => textAt(text, r.range) === argName)).toBe(true);
    expect(blocks(file.body).length).toBeGreaterThan(0);

    const main = await openExample('scen-docker-monitoring.alloy');
    const ref = main.text.indexOf('.receiver');
    const label = /(\w+)$/.exec(main.text.slice(0, ref))![1]!;
    const at = position(main.text, ref - 1);
    const target = await client.request<Location>('textDocument/definition', { textDocument: { uri: main.uri }, position: at });
    expect(textAt(main.text, target.range)).toBe(label);
    expect(main.text.slice(offsetOf(main.text, target.range.start) - 1, offsetOf(main.text, target.range.start))).toBe('"');
    const all = await client.request<Location[]>('textDocument/references', { textDocument: { uri: main.uri }, position: at, context: { includeDeclaration: false } });
    expect(all.length).toBeGreaterThanOrEqual(1);
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: main.uri }, position: at, newName: 'renamed_target' });
    const renamed = applyEdits(main.text, edit.changes![main.uri]!);
    expect(edit.changes![main.uri]!.length).toBe(all.length + 1);
    expect(renamed).not.toMatch(new RegExp(`"${label}"`));
    // The renamed config still validates as the original does.
    const dir = mkdtempSync(join(tmpdir(), 'lsp-rename-'));
    writeFileSync(join(dir, 'before.alloy'), main.text);
    writeFileSync(join(dir, 'after.alloy'), renamed);
    const before = spawnSync(process.execPath, [BIN, 'validate', join(dir, 'before.alloy')], { cwd: ROOT });
    const after = spawnSync(process.execPath, [BIN, 'validate', join(dir, 'after.alloy')], { cwd: ROOT });
    expect(after.status).toBe(before.status);
    const bad = await client.request('textDocument/rename', { textDocument: { uri: main.uri }, position: at, newName: 'not valid' }).catch((e: Error) => e);
    expect(bad).toBeInstanceOf(Error);
  });

  test('definition follows import.file into the module and to the declare a block instantiates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lsp-import-'));
    const helper = readFileSync(join(EXAMPLES, 'scen-logging-frameworks-helper.alloy'), 'utf8');
    writeFileSync(join(dir, 'helper.alloy'), helper);
    const text = readFileSync(join(EXAMPLES, 'scen-logging-frameworks-config.alloy'), 'utf8').replace('"/etc/alloy/helper.alloy"', '"helper.alloy"');
    const path = join(dir, 'config.alloy');
    writeFileSync(path, text);
    const uri = fileUri(path);
    await client.open(uri, text);
    const use = text.indexOf('helper.app_logs_parser "default"');
    const declare = await client.request<Location>('textDocument/definition', { textDocument: { uri }, position: position(text, use + 'helper.'.length + 2) });
    expect(declare.uri).toBe(fileUri(join(dir, 'helper.alloy')));
    expect(textAt(helper, declare.range)).toBe('app_logs_parser');
    expect(helper.split('\n')[declare.range.start.line]).toMatch(/^declare "app_logs_parser"/);
    // The namespace leads to the import block; its label to the module file.
    const namespace = await client.request<Location>('textDocument/definition', { textDocument: { uri }, position: position(text, use + 2) });
    expect(textAt(text, namespace.range)).toBe('helper');
    const file = await client.request<Location>('textDocument/definition', { textDocument: { uri }, position: namespace.range.start });
    expect(file.uri).toBe(fileUri(join(dir, 'helper.alloy')));
    // Renaming the imported declare edits the module too (test/lsp/cross-file.test.ts covers it in depth).
    const rename = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri }, position: position(text, use + 'helper.'.length + 2), newName: 'x' });
    expect(Object.keys(rename.changes!).sort()).toEqual([uri, fileUri(join(dir, 'helper.alloy'))].sort());
    expect(applyEdits(helper, rename.changes![fileUri(join(dir, 'helper.alloy'))]!)).toMatch(/^declare "x" \{/m);
  });

  test('document symbols and folding ranges follow the blocks', async () => {
    const { uri, text } = await openExample('scen-docker-monitoring.alloy');
    const { file } = parseFile(SourceFile.fromString('x', text));
    const symbols = await client.request<{ name: string; children?: unknown[] }[]>('textDocument/documentSymbol', { textDocument: { uri } });
    expect(symbols.map((s) => s.name)).toEqual(file.body.map((s) => (s.kind === 'Block' ? (s.label ? `${s.name.join('.')} "${s.label}"` : s.name.join('.')) : s.name.name)));
    const folds = await client.request<{ startLine: number; endLine: number }[]>('textDocument/foldingRange', { textDocument: { uri } });
    for (const b of file.body) {
      if (b.kind !== 'Block') continue;
      const start = text.slice(0, Buffer.from(text).subarray(0, b.lCurly).toString().length).split('\n').length - 1;
      expect(folds.some((f) => f.startLine === start)).toBe(true);
    }
  });

  test('formatting equals alloy-ts fmt on every real config', async () => {
    expect(exampleFiles.length).toBeGreaterThanOrEqual(20);
    let formatted = 0;
    for (const name of exampleFiles) {
      const { uri, text } = await openExample(name);
      const edits = await client.request<TextEdit[]>('textDocument/formatting', { textDocument: { uri }, options: { tabSize: 4, insertSpaces: false } });
      const fmt = spawnSync(process.execPath, [BIN, 'fmt', join(EXAMPLES, name)], { cwd: ROOT });
      // Where fmt refuses the file (a syntax error), formatting changes nothing.
      const expected = fmt.status === 0 ? fmt.stdout.toString() : text;
      if (applyEdits(text, edits) !== expected) writeFileSync(`/tmp/lspfmt-${name}`, JSON.stringify(edits) + "\n" + applyEdits(text, edits));
      expect(applyEdits(text, edits), name).toBe(expected);
      formatted += fmt.status === 0 ? 1 : 0;
    }
    expect(formatted).toBeGreaterThanOrEqual(20);
  }, 120_000);
});
