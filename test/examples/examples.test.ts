/** Every example config is formatted as `alloy-ts fmt` writes it and passes `alloy-ts validate`. */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { repoRoot } from '../cli/repo-paths.js';

const examples = ['examples', 'examples/compose', 'examples/container'].flatMap((dir) =>
  readdirSync(path.join(repoRoot, dir))
    .filter((f) => f.endsWith('.alloy'))
    .map((f) => path.join(repoRoot, dir, f)),
);

describe('example configs', () => {
  it('exist', () => expect(examples.length).toBeGreaterThanOrEqual(5));

  it.each(examples)('%s is formatted and valid', async (file) => {
    expect(await runCli(['fmt', '--test', file])).toMatchObject({ code: 0, stderr: '' });
    expect(await runCli(['validate', file])).toMatchObject({ code: 0, stderr: '' });
  });
});
