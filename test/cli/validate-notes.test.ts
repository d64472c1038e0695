/**
 * validate's notes: the schema's description printed after diagnostics about
 * a block's arguments and after unknown component names, while Alloy's own
 * diagnostic lines and excerpts stay byte for byte what they were (the
 * conformance tests compare those without notes).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinComponents } from '../../src/components/index.js';
import { fieldDescription, type BlockSchema } from '../../src/lang/schema.js';
import { CONFIG_BLOCK_SCHEMAS } from '../../src/runtime/config-blocks.js';
import { runCli, tempDir } from './run-cli.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

const registry = builtinComponents();
const localFile = registry.get('local.file')!;
const endpoint = (registry.get('loki.write')!.args.fields['endpoint'] as { schema: BlockSchema }).schema;

async function validate(text: string): Promise<string> {
  writeFileSync(path.join(tmp.dir, 'c.alloy'), text);
  const r = await runCli(['validate', 'c.alloy'], { cwd: tmp.dir });
  expect(r.code).toBe(1);
  return r.stderr;
}

describe('validate notes', () => {
  it('describes a missing required attribute after the diagnostic and its excerpt', async () => {
    expect(await validate('local.file "x" {\n}\n')).toBe(
      'Error: c.alloy:1:1: missing required attribute "filename"\n\n' +
        '1 |   local.file "x" {\n  |  _^^^^^^^^^^^^^^^^\n2 | | }\n  | |_^\n3 |   \n' +
        `  note: filename: ${fieldDescription(localFile.args, 'filename')}\n\nError: validation failed\n`,
    );
  });

  it('describes a missing attribute of a nested block', async () => {
    const out = await validate('loki.write "w" {\n  endpoint {\n  }\n}\n');
    expect(out).toMatch(/^Error: c\.alloy:2:3: missing required attribute "url"\n/);
    expect(out).toContain(`  note: url: ${fieldDescription(endpoint, 'url')}\n`);
  });

  it('lists what the block takes after an unrecognized attribute or block', async () => {
    const attr = await validate('local.file "x" {\n  filename = "/tmp/x"\n  nope = 1\n}\n');
    expect(attr).toMatch(/^Error: c\.alloy:3:3: unrecognized attribute name "nope"\n/);
    expect(attr).toContain(`  note: local.file: ${localFile.description} It takes filename, detector, poll_frequency, is_secret.\n`);
    const block = await validate('logging {\n  nope {\n  }\n}\n');
    expect(block).toMatch(/^Error: c\.alloy:2:3: unrecognized block name "nope"\n/);
    expect(block).toContain(`  note: logging: ${CONFIG_BLOCK_SCHEMAS['logging']!.description} It takes level, format, destination, write_to.\n`);
  });

  it('suggests a near component name with its description, and nothing for a far one', async () => {
    const near = await validate('loki.source.fil "x" {\n}\n');
    expect(near).toMatch(/^Error: c\.alloy:1:1: cannot find the definition of component name "loki\.source\.fil"\n/);
    expect(near).toContain(`  note: did you mean loki.source.file? ${registry.get('loki.source.file')!.description}\n`);
    expect(await validate('nope.nope "x" {\n}\n')).not.toContain('note:');
  });

  it('leaves the JSON report and other diagnostics alone', async () => {
    writeFileSync(path.join(tmp.dir, 'c.alloy'), 'local.file "x" {\n}\n');
    const json = await runCli(['validate', '--format=json', 'c.alloy'], { cwd: tmp.dir });
    expect(json.stdout).not.toContain('note');
    expect(JSON.parse(json.stdout)[0].message).toBe('missing required attribute "filename"');
    expect(await validate('local.file "x" {\n  filename = 1\n}\n')).not.toContain('note:');
  });
});
