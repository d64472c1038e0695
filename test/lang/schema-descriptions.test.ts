/**
 * Every registered component, config block, argument, block and export
 * carries a one-line description in its schema (used by the language
 * server, the UI's component page and validate's notes).
 */
import { describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components/index.js';
import { fieldDescription } from '../../src/lang/schema.js';
import { CONFIG_BLOCK_SCHEMAS } from '../../src/runtime/config-blocks.js';
import { fieldDocs, missingDescriptions, staleDescriptions, topLevelDescription } from '../../src/runtime/descriptions.js';
import { stdlibEntries } from '../../src/lsp/stdlib.js';

const registry = builtinComponents();

describe('schema descriptions', () => {
  it('describes every component, config block and field', () => {
    expect(missingDescriptions(registry)).toEqual([]);
  });

  it('has no description for a field that does not exist', () => {
    expect(staleDescriptions(registry)).toEqual([]);
  });

  it('keeps each description to one short line', () => {
    const texts: string[] = [];
    const collect = (docs: ReturnType<typeof fieldDocs>) => {
      for (const d of Object.values(docs)) {
        if (d.description) texts.push(d.description);
        if (d.fields) collect(d.fields);
      }
    };
    for (const name of registry.names()) {
      const def = registry.get(name)!;
      texts.push(def.description ?? '');
      collect(fieldDocs(def.args));
      if (def.exports) collect(fieldDocs(def.exports));
    }
    for (const s of Object.values(CONFIG_BLOCK_SCHEMAS)) collect(fieldDocs(s));
    const bad = texts.filter((t) => t.includes('\n') || t.length > 200 || !/[.)]$/.test(t));
    expect(bad).toEqual([]);
    expect(texts.length).toBeGreaterThan(500);
  });

  it('reads descriptions from the schemas: components, nested blocks, stage variants', () => {
    expect(topLevelDescription(registry, 'local.file')).toMatch(/file/);
    expect(topLevelDescription(registry, 'logging')).toMatch(/log/);
    const write = registry.get('loki.write')!.args;
    expect(fieldDescription(write, 'endpoint')).toBeTruthy();
    const process = registry.get('loki.process')!.args;
    expect(fieldDescription(process, 'stage.json')).toMatch(/JSON/);
  });

  it('describes every stdlib function and constant the editor lists', () => {
    const entries = stdlibEntries();
    expect(entries.length).toBeGreaterThan(20);
    expect(entries.filter((e) => !e.description).map((e) => e.name)).toEqual([]);
  });
});
