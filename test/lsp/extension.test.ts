/**
 * The VS Code extension as packaged: `vsce ls` (the file list `vsce package`
 * puts in the .vsix) holds the client, its runtime dependency, the grammar
 * and the language configuration, and the manifest points at them.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from './client.js';

const EXT = join(ROOT, 'editors/vscode');
const VSCE = join(EXT, 'node_modules/.bin/vsce');
const installed = existsSync(VSCE);
if (!installed && process.env.CI) throw new Error('editors/vscode dependencies are not installed (cd editors/vscode && npm ci)');
if (!installed) console.warn('skipping the extension packaging test: run npm install in editors/vscode');

describe('editors/vscode', () => {
  const manifest = JSON.parse(readFileSync(join(EXT, 'package.json'), 'utf8'));

  test('the manifest declares the language, grammar, configuration and the server path setting', () => {
    expect(manifest.contributes.languages[0]).toMatchObject({ id: 'alloy', extensions: ['.alloy'] });
    expect(manifest.contributes.grammars[0]).toMatchObject({ language: 'alloy', scopeName: 'source.alloy' });
    for (const path of [manifest.main, manifest.contributes.grammars[0].path, manifest.contributes.languages[0].configuration]) {
      expect(existsSync(join(EXT, path)), path).toBe(true);
    }
    expect(manifest.contributes.configuration.properties['alloy.languageServer.path'].default).toBe('alloy-ts');
    expect(readFileSync(join(EXT, manifest.main), 'utf8')).toMatch(/'lsp'/);
  });

  test.skipIf(!installed)('vsce packages the client with its dependency', () => {
    const ls = spawnSync(VSCE, ['ls'], { cwd: EXT, timeout: 60_000 });
    expect(ls.status, ls.stderr.toString()).toBe(0);
    const files = ls.stdout.toString().split('\n');
    for (const f of ['extension.js', 'package.json', 'language-configuration.json', 'syntaxes/alloy.tmLanguage.json']) expect(files).toContain(f);
    expect(files.some((f) => f.startsWith('node_modules/vscode-languageclient/'))).toBe(true);
    expect(files.some((f) => f.startsWith('node_modules/@vscode/vsce'))).toBe(false);
  }, 90_000);
});
