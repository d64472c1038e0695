/**
 * The catalog of component declarations (what `validate` and `run` load on
 * demand, and what the eager registry is built from) must key each
 * declaration by the name it gives itself, or a config would reach the wrong
 * component or call a built-in one unknown.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMPONENT_DECLARATIONS, registryOfNames } from '../../src/components/catalog.js';
import { builtinComponents } from '../../src/components/index.js';
import { repoRoot } from '../cli/repo-paths.js';

describe('component catalog', () => {
  it('names every registered component, each with its registered definition', async () => {
    const eager = builtinComponents();
    expect(Object.keys(COMPONENT_DECLARATIONS).sort()).toEqual(eager.names());
    for (const [name, load] of Object.entries(COMPONENT_DECLARATIONS)) {
      expect(await load(), name).toBe(eager.get(name));
    }
  });

  it('builds a registry of only the built-in names asked for', async () => {
    const registry = await registryOfNames(['loki.write', 'stage.json', 'loki.write', 'my_module.thing', 'logging']);
    expect(registry.names()).toEqual(['loki.write']);
    expect(registry.get('loki.write')).toBe(builtinComponents().get('loki.write'));
  });
});

describe('on-demand registry of the compiled modules (what run uses)', () => {
  const dist = path.join(repoRoot, 'dist', 'components', 'catalog.js');
  const haveDist = existsSync(dist);
  if (!haveDist && !process.env.CI) console.warn(`skipping: ${dist} not built (npm run build)`);

  it.skipIf(!haveDist && !process.env.CI)('loads each declaration on first use, the same one the eager registry has', () => {
    // A separate Node process: require() of compiled ES modules is what the
    // registry does at run time, which vitest's TypeScript sources cannot show.
    const script = `
      const { builtinComponentsOnDemand } = await import(${JSON.stringify(pathToFileURL(dist).href)});
      const { builtinComponents } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, 'dist', 'components', 'index.js')).href)});
      const lazy = await builtinComponentsOnDemand();
      const before = lazy.get('loki.echo') !== undefined;
      const eager = builtinComponents();
      const same = eager.names().filter((n) => lazy.get(n) === eager.get(n));
      console.log(JSON.stringify({ before, names: lazy.names(), same, unknown: lazy.get('no.such') ?? null }));`;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    const out = JSON.parse(r.stdout) as { before: boolean; names: string[]; same: string[]; unknown: null };
    expect(out.before).toBe(true);
    expect(out.names).toEqual(Object.keys(COMPONENT_DECLARATIONS).sort());
    expect(out.same).toEqual(out.names);
    expect(out.unknown).toBeNull();
  });
});
