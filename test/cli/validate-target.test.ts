/**
 * `alloy-ts validate` judging for a target (issue 16 item 2): by default
 * what alloy-ts can run, with `--target=alloy` what Grafana Alloy accepts.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

function write(name: string, text: string): string {
  writeFileSync(path.join(tmp.dir, name), text);
  return name;
}

const NUMBER_URL = `logging {
  level = "info"
}

loki.write "default" {
  endpoint {
    url = 42
  }
}
`;

describe('validate --target', () => {
  it('reports a number where loki.write wants its url string, at the value', async () => {
    const file = write('url.alloy', NUMBER_URL);
    const r = await runCli(['validate', file], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error: url.alloy:7:11: expected string, got number\n\n6 |   endpoint {\n7 |     url = 42\n  |           ^^\n8 |   }\n\nError: validation failed\n',
    );
  });

  it('accepts it with --target=alloy, where Alloy converts the number', async () => {
    const file = write('url.alloy', NUMBER_URL);
    expect(await runCli(['validate', '--target=alloy', file], { cwd: tmp.dir })).toMatchObject({ code: 0, stderr: '' });
  });

  it('reports each component alloy-ts does not implement by default, and accepts it for alloy', async () => {
    const file = write('beyla.alloy', 'beyla.ebpf "default" {\n  anything = 1\n}\n');
    const r = await runCli(['validate', file], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'Error: beyla.alloy:1:1: component "beyla.ebpf" is not supported by alloy-ts\n\n1 | beyla.ebpf "default" {\n  | ^^^^^^^^^^\n2 |   anything = 1\n\nError: validation failed\n',
    );
    expect(await runCli(['validate', '--target=alloy', file], { cwd: tmp.dir })).toMatchObject({ code: 0, stderr: '' });
  });

  it('still refuses names Alloy does not register, whatever the target', async () => {
    const file = write('gone.alloy', 'prometheus.write.queue "x" {\n}\n');
    const r = await runCli(['validate', '--target=alloy', file], { cwd: tmp.dir });
    expect(r.stderr).toMatch(/^Error: gone\.alloy:1:1: cannot find the definition of component name "prometheus\.write\.queue"\n/);
  });

  it('refuses an unknown target', async () => {
    const r = await runCli(['validate', '--target=mimir', 'x.alloy'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/option '--target <target>' argument 'mimir' is invalid/);
  });
});

describe('validate with an empty path', () => {
  it('fails as Go does instead of validating the current directory', async () => {
    write('ok.alloy', 'logging {\n}\n');
    expect(await runCli(['validate', ''], { cwd: tmp.dir })).toMatchObject({ code: 1, stderr: 'Error: stat : no such file or directory\n' });
  });
});

describe('validate --format=json of garbage', () => {
  it('lists 100 diagnostics, then one entry counting the rest', async () => {
    writeFileSync(path.join(tmp.dir, 'nul.alloy'), Buffer.alloc(50_000));
    const r = await runCli(['validate', '--format=json', 'nul.alloy'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    const list = JSON.parse(r.stdout) as { file: string; line: number; message: string }[];
    expect(list).toHaveLength(101);
    expect(list[0]).toMatchObject({ file: 'nul.alloy', line: 1, message: 'illegal character NUL' });
    expect(list[100]).toMatchObject({ file: '', line: 0, message: `(and ${2 * 50_000 + 1 - 100} more diagnostics)` });
  });
});
