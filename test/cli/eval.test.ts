import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

describe('alloy-ts eval', () => {
  it('renders values as Alloy syntax with sorted keys and trailing commas', async () => {
    const r = await runCli(['eval', '{b = [1, 2.5, "x"], a = {z = true, y = null}}']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{\n\ta = {\n\t\ty = null,\n\t\tz = true,\n\t},\n\tb = [1, 2.5, "x"],\n}\n');
  });

  it('renders JSON', async () => {
    const r = await runCli(['eval', '--format=json', 'encoding.from_json("{\\"k\\": [1, 2]}")']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ k: [1, 2] });
  });

  it('follows Go semantics for integers and formatting', async () => {
    expect((await runCli(['eval', '9223372036854775807 + 1'])).stdout).toBe('-9223372036854775808\n');
    expect((await runCli(['eval', 'string.format("%d", 4.0)'])).stdout).toBe('"%!d(float64=4)"\n');
    expect((await runCli(['eval', 'sys.env("ALLOY_TS_EVAL_TEST")'])).stdout).toMatch(/^"[^"]*"\n$/);
  });

  it('reports evaluation and parse errors with Alloy messages and exit 1', async () => {
    const bad = await runCli(['eval', '1 + "a"']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('Error: 1:5: "a" should be number, got string\n');
    const missing = await runCli(['eval', 'nope.x']);
    expect(missing.stderr).toBe('Error: 1:1: identifier "nope" does not exist\n');
    const syntax = await runCli(['eval', '1 +']);
    expect(syntax.code).toBe(1);
    expect(syntax.stderr).toMatch(/^Error: 1:\d+: expected expression, got EOF\n$/);
  });
});

describe('alloy-ts eval of an expression starting with "-"', () => {
  it('evaluates it, with or without flags around it', async () => {
    expect(await runCli(['eval', '-5 / 2'])).toMatchObject({ code: 0, stdout: '-2\n', stderr: '' });
    expect(await runCli(['eval', '--format=json', '-(1 + 2)'])).toMatchObject({ code: 0, stdout: '-3\n' });
    expect(await runCli(['eval', '-2.5', '--format', 'alloy'])).toMatchObject({ code: 0, stdout: '-2.5\n' });
  });

  it('still refuses a mistyped flag', async () => {
    expect(await runCli(['eval', '--formt=json'])).toMatchObject({ code: 1, stderr: "Error: unknown option '--formt=json'\n" });
    expect((await runCli(['eval', '--formt=json', '1'])).code).toBe(1);
  });
});
