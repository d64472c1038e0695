/**
 * Cross-file navigation through a real LSP client over stdio: a custom
 * component declared in a module (imported with import.file, as a file and
 * as a directory) is one symbol with its instances in every importing file
 * of the workspace, open or only on disk. A declare of the same name in
 * another module is a different symbol.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Location, Range, TextEdit, WorkspaceEdit } from 'vscode-languageserver-protocol';
import { BIN, BUILT, fileUri, LspClient } from './client.js';

const MODULE = `declare "tail" {
  argument "path" {
    comment = "File to read."
  }

  argument "forward_to" {
    optional = true
    default  = []
  }

  export "result" {
    value = argument.path.value
  }

  tail "nested" {
    path = "/nested"
  }
}
`;

const MAIN = `import.file "mods" {
  filename = "modules"
}

import.file "single" {
  filename = "lib.alloy"
}

mods.tail "app" {
  path       = "/var/log/app.log"
  forward_to = []
}

single.tail "same_name_other_module" {
  path = "/x"
}

local.file "reader" {
  filename = mods.tail.app.result
}
`;

const SECOND = `import.file "m2" {
  filename = "modules/tail.alloy"
}

m2.tail "other" {
  path = "/b"
}
`;

const LIB = `declare "tail" {
  argument "path" { }
}
`;

function position(text: string, offset: number) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - before.lastIndexOf('\n') - 1 };
}

function offsetOf(text: string, pos: { line: number; character: number }): number {
  const lines = text.split('\n');
  return lines.slice(0, pos.line).reduce((n, l) => n + l.length + 1, 0) + pos.character;
}

function textAt(text: string, r: Range): string {
  return text.slice(offsetOf(text, r.start), offsetOf(text, r.end));
}

function applyEdits(text: string, edits: TextEdit[]): string {
  const sorted = [...edits].sort((a, b) => offsetOf(text, b.range.start) - offsetOf(text, a.range.start));
  for (const e of sorted) text = text.slice(0, offsetOf(text, e.range.start)) + e.newText + text.slice(offsetOf(text, e.range.end));
  return text;
}

/** Where `needle` starts in `text`, plus `delta`, as an LSP position. */
function at(text: string, needle: string, delta = 0) {
  const i = text.indexOf(needle);
  if (i < 0) throw new Error(`${needle} not in text`);
  return position(text, i + delta);
}

(BUILT ? describe : describe.skip)(`cross-file navigation${BUILT ? '' : ' (skipped: dist/ missing, run npm run build)'}`, () => {
  let client: LspClient;
  let dir: string;
  const files: Record<string, string> = { 'main.alloy': MAIN, 'second.alloy': SECOND, 'lib.alloy': LIB, 'modules/tail.alloy': MODULE, 'modules/other.alloy': 'declare "other" { }\n' };
  const uri = (name: string) => fileUri(join(dir, name));
  const relative = (u: string) => u.slice(fileUri(dir).length + 1);
  const text = (u: string) => files[Object.keys(files).find((n) => uri(n) === u)!]!;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lsp-cross-'));
    mkdirSync(join(dir, 'modules'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    client = await LspClient.start({}, fileUri(dir));
    // main.alloy and the module are open; second.alloy and lib.alloy are only on disk.
    await client.open(uri('main.alloy'), MAIN);
    await client.open(uri('modules/tail.alloy'), MODULE);
  });
  afterAll(async () => {
    await client?.stop();
  });

  const definition = (u: string, pos: { line: number; character: number }) => client.request<Location>('textDocument/definition', { textDocument: { uri: u }, position: pos });
  const references = (u: string, pos: { line: number; character: number }) =>
    client.request<Location[]>('textDocument/references', { textDocument: { uri: u }, position: pos, context: { includeDeclaration: true } });
  const described = (locations: Location[]) => locations.map((l) => `${relative(l.uri)}:${l.range.start.line + 1}:${textAt(text(l.uri), l.range)}`).sort();

  test('definition of mod.comp, its arguments and its exports jumps into the imported module', async () => {
    const main = uri('main.alloy');
    const declare = await definition(main, at(MAIN, 'mods.tail "app"', 'mods.'.length + 1));
    expect(declare.uri).toBe(uri('modules/tail.alloy'));
    expect(MODULE.split('\n')[declare.range.start.line]).toBe('declare "tail" {');
    expect(textAt(MODULE, declare.range)).toBe('tail');
    const argument = await definition(main, at(MAIN, 'path       =', 1));
    expect(argument.uri).toBe(uri('modules/tail.alloy'));
    expect(MODULE.split('\n')[argument.range.start.line]).toBe('  argument "path" {');
    const exported = await definition(main, at(MAIN, 'app.result', 'app.'.length + 1));
    expect(MODULE.split('\n')[exported.range.start.line]).toBe('  export "result" {');
    // The same name imported from another module leads there.
    const other = await definition(main, at(MAIN, 'single.tail', 'single.'.length + 1));
    expect(other.uri).toBe(uri('lib.alloy'));
  });

  test('references of a declare span the module, open importers and importers only on disk', async () => {
    const fromModule = described(await references(uri('modules/tail.alloy'), at(MODULE, 'declare "tail"', 'declare "'.length + 1)));
    expect(fromModule).toEqual(['main.alloy:9:tail', 'main.alloy:19:tail', 'modules/tail.alloy:1:tail', 'modules/tail.alloy:15:tail', 'second.alloy:5:tail'].sort());
    // The same from an instance in an importing file.
    const fromMain = described(await references(uri('main.alloy'), at(MAIN, 'mods.tail "app"', 'mods.'.length + 1)));
    expect(fromMain).toEqual(fromModule);
    const argument = described(await references(uri('modules/tail.alloy'), at(MODULE, 'argument "path"', 'argument "'.length + 1)));
    expect(argument).toEqual(['main.alloy:10:path', 'modules/tail.alloy:2:path', 'modules/tail.alloy:12:path', 'modules/tail.alloy:16:path', 'second.alloy:6:path'].sort());
  });

  test('rename of an argument edits every file, and the workspace still validates as before', async () => {
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uri('main.alloy') }, position: at(MAIN, 'path       =', 1), newName: 'file_path' });
    const changed = Object.keys(edit.changes!).map(relative).sort();
    expect(changed).toEqual(['main.alloy', 'modules/tail.alloy', 'second.alloy']);
    const copy = mkdtempSync(join(tmpdir(), 'lsp-cross-renamed-'));
    cpSync(dir, copy, { recursive: true });
    for (const [u, edits] of Object.entries(edit.changes!)) {
      const name = relative(u);
      writeFileSync(join(copy, name), applyEdits(text(u), edits));
    }
    const renamedModule = readFileSync(join(copy, 'modules/tail.alloy'), 'utf8');
    expect(renamedModule).toContain('argument "file_path" {');
    expect(renamedModule).toContain('value = argument.file_path.value');
    expect(readFileSync(join(copy, 'lib.alloy'), 'utf8')).toBe(LIB);
    expect(readFileSync(join(copy, 'main.alloy'), 'utf8')).toContain('path = "/x"');
    // validate does not load modules: inline the module into the importer (the declare in the same
    // file) so that it checks the instance's arguments against the declare's, before and after.
    const inlined = (module: string, importer: string) => module + importer.replace(/^import\.file "m2" \{[^}]*\}\n/, '').replaceAll('m2.tail', 'tail');
    const validate = (name: string, content: string) => {
      writeFileSync(join(copy, name), content);
      return spawnSync(process.execPath, [BIN, 'validate', name], { cwd: copy, encoding: 'utf8' });
    };
    const renamedSecond = readFileSync(join(copy, 'second.alloy'), 'utf8');
    expect(renamedSecond).toContain('file_path = "/b"');
    expect(validate('before.alloy', inlined(MODULE, SECOND)).status).toBe(0);
    const after = validate('after.alloy', inlined(renamedModule, renamedSecond));
    expect(after.status, after.stderr).toBe(0);
    // A half-done rename (module only) fails, so the check above can fail.
    expect(validate('half.alloy', inlined(renamedModule, SECOND)).stderr).toContain('unrecognized attribute name "path"');
  });

  test('rename of a declare and of an export from the module reaches the importers; unsaved text counts', async () => {
    // An unsaved change in an open importer is searched as typed, not as on disk.
    const edited = MAIN + '\nmods.tail "typed" {\n  path = "/t"\n}\n';
    await client.change(uri('main.alloy'), 2, edited);
    files['main.alloy'] = edited;
    const edit = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uri('modules/tail.alloy') }, position: at(MODULE, 'declare "tail"', 'declare "'.length), newName: 'follow' });
    const main = applyEdits(edited, edit.changes![uri('main.alloy')]!);
    expect(main).toContain('mods.follow "app" {');
    expect(main).toContain('mods.follow "typed" {');
    expect(main).toContain('filename = mods.follow.app.result');
    expect(main).toContain('single.tail "same_name_other_module"');
    expect(applyEdits(SECOND, edit.changes![uri('second.alloy')]!)).toContain('m2.follow "other" {');
    expect(applyEdits(MODULE, edit.changes![uri('modules/tail.alloy')]!)).toMatch(/declare "follow" \{[\s\S]*follow "nested" \{/);
    expect(edit.changes![uri('lib.alloy')]).toBeUndefined();
    const exported = await client.request<WorkspaceEdit>('textDocument/rename', { textDocument: { uri: uri('modules/tail.alloy') }, position: at(MODULE, 'export "result"', 'export "'.length), newName: 'out' });
    expect(applyEdits(edited, exported.changes![uri('main.alloy')]!)).toContain('filename = mods.tail.app.out');
    expect(applyEdits(MODULE, exported.changes![uri('modules/tail.alloy')]!)).toContain('export "out" {');
  });

  test('hover and completion know the custom components of imported modules', async () => {
    const third = 'import.file "mods" {\n  filename = "modules"\n}\n\nmods.tail "t" {\n  \n}\n';
    files['third.alloy'] = third;
    await client.open(uri('third.alloy'), third);
    const hover = async (text: string, needle: string, delta: number) =>
      ((await client.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: uri('third.alloy') }, position: at(text, needle, delta) }))?.contents.value ?? '');
    const block = await hover(third, 'mods.tail "t"', 6);
    expect(block).toContain(`custom component, declared in ${join(dir, 'modules', 'tail.alloy')}`);
    expect(block).toMatch(/Arguments:[\s\S]*`path`[\s\S]*`forward_to`/);
    expect(block).toMatch(/Exports:[\s\S]*`result`/);
    const inBody = await client.request<{ label: string }[]>('textDocument/completion', { textDocument: { uri: uri('third.alloy') }, position: at(third, '  \n}', 2) });
    expect(inBody.map((i) => i.label).sort()).toEqual(['forward_to', 'path']);
    const topLevel = await client.request<{ label: string; detail?: string }[]>('textDocument/completion', { textDocument: { uri: uri('third.alloy') }, position: { line: 7, character: 0 } });
    expect(topLevel.filter((i) => i.label.startsWith('mods.')).map((i) => i.label).sort()).toEqual(['mods.other', 'mods.tail']);
  });
});
