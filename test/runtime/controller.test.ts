import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiagnosticsError } from '../../src/lang/diag.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { attr, schema, t } from '../../src/lang/schema.js';
import type { Value } from '../../src/lang/value.js';
import { localFile } from '../../src/components/local/file.js';
import { ComponentRegistry, defineComponent } from '../../src/runtime/component.js';
import { Controller } from '../../src/runtime/controller.js';
import { untilAborted } from '../../src/components/common/until-aborted.js';
import { testController } from '../support/controller.js';

/** Test-only component: exports its input unchanged and counts updates (like Alloy's testcomponents.passthrough). */
const counts = new Map<string, { builds: number; updates: number }>();
const passthrough = defineComponent({
  name: 'testing.passthrough',
  stability: 'generally-available',
  args: schema({ input: attr(t.any) }),
  exports: schema({ output: attr(t.any) }),
  build(ctx, args) {
    const c = { builds: 1, updates: 0 };
    counts.set(ctx.id, c);
    ctx.setExports({ output: args.input });
    return {
      update(next) {
        c.updates++;
        ctx.setExports({ output: next.input });
      },
      run: untilAborted,
    };
  },
});

function controller(): Controller {
  return testController(new ComponentRegistry().register(passthrough, localFile));
}

function config(text: string) {
  const source = SourceFile.fromString('main.alloy', text);
  const { file, diagnostics } = parseFile(source);
  expect(diagnostics).toEqual([]);
  return [{ source, file }];
}

function exportOf(c: Controller, id: string, name: string): Value | undefined {
  const e = c.get(id)?.exports;
  return e?.type === 'object' ? e.fields.get(name) : undefined;
}

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

const running: Controller[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
  counts.clear();
});

describe('Controller', () => {
  it('propagates a local.file edit three hops and re-evaluates only dependants', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-prop-'));
    const file = path.join(dir, 'input.txt');
    writeFileSync(file, 'one');
    const c = controller();
    running.push(c);
    await c.apply(
      config(`
local.file "src" {
  filename = ${JSON.stringify(file)}
  poll_frequency = "50ms"
}
testing.passthrough "a" { input = local.file.src.content }
testing.passthrough "b" { input = testing.passthrough.a.output }
testing.passthrough "c" { input = testing.passthrough.b.output + "!" }
testing.passthrough "unrelated" { input = "fixed" }
`),
    );
    expect(exportOf(c, 'testing.passthrough.c', 'output')).toEqual({ type: 'string', value: 'one!' });
    writeFileSync(file, 'two');
    await eventually(() => (exportOf(c, 'testing.passthrough.c', 'output') as { value?: string })?.value === 'two!');
    await c.settle();
    expect(counts.get('testing.passthrough.a')!.updates).toBe(1);
    expect(counts.get('testing.passthrough.c')!.updates).toBe(1);
    expect(counts.get('testing.passthrough.unrelated')!.updates).toBe(0);
  });

  it('keeps unchanged components running across a reload and rejects a bad one', async () => {
    const c = controller();
    running.push(c);
    await c.apply(config('testing.passthrough "a" { input = 1 }\ntesting.passthrough "b" { input = testing.passthrough.a.output }\n'));
    const before = c.get('testing.passthrough.a')!.instance;
    await c.apply(config('testing.passthrough "a" { input = 1 }\ntesting.passthrough "b" { input = testing.passthrough.a.output + 1 }\n'));
    expect(c.get('testing.passthrough.a')!.instance).toBe(before);
    expect(counts.get('testing.passthrough.a')!.updates).toBe(0);
    expect(counts.get('testing.passthrough.b')!.updates).toBe(1);
    expect(exportOf(c, 'testing.passthrough.b', 'output')).toMatchObject({ type: 'number', value: 2n });

    await expect(c.apply(config('testing.passthrough "a" { input = testing.passthrough.a.output }\n'))).rejects.toBeInstanceOf(DiagnosticsError);
    expect(c.get('testing.passthrough.b')).toBeDefined();
    expect(c.get('testing.passthrough.a')!.instance).toBe(before);
  });

  it('reports cycles, unknown components and unresolved references', async () => {
    const c = controller();
    const err = await c
      .apply(
        config(`
testing.passthrough "a" { input = testing.passthrough.b.output }
testing.passthrough "b" { input = testing.passthrough.a.output }
nope.missing "x" { }
testing.passthrough "c" { input = missing.thing.value }
`),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DiagnosticsError);
    const messages = (err as DiagnosticsError).diagnostics.map((d) => `${d.start.line}:${d.start.column}: ${d.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        '4:1: cannot find the definition of component name "nope.missing"',
        '5:35: component "missing.thing.value" does not exist or is out of scope',
        '2:1: cycle detected: testing.passthrough.a, testing.passthrough.b',
      ]),
    );
  });

  it('rejects a config whose evaluation fails and leaves the running graph as it was', async () => {
    const c = controller();
    running.push(c);
    await c.apply(config('testing.passthrough "a" { input = 1 }\ntesting.passthrough "gone" { input = 2 }\n'));
    const before = c.instance('testing.passthrough.gone');
    const diags = await c.apply(config('testing.passthrough "a" { input = 3 }\ntesting.passthrough "new" { input = 1 + "x" }\n'));
    expect(diags.map((d) => d.message)).toEqual(['"x" should be number, got string']);
    expect(c.list().map((n) => [n.id, n.health.state])).toEqual([
      ['testing.passthrough.a', 'healthy'],
      ['testing.passthrough.gone', 'healthy'],
    ]);
    expect(c.instance('testing.passthrough.gone')).toBe(before);
    expect(counts.get('testing.passthrough.a')!.updates).toBe(0);
    expect(exportOf(c, 'testing.passthrough.a', 'output')).toMatchObject({ value: 1n });
  });

  it('instantiates declared custom components with arguments and exports', async () => {
    const c = controller();
    running.push(c);
    await c.apply(
      config(`
declare "add" {
  argument "a" { }
  argument "b" { optional = true
    default = 10 }
  testing.passthrough "sum" { input = argument.a.value + argument.b.value }
  export "sum" { value = testing.passthrough.sum.output }
}
add "five" { a = 5 }
testing.passthrough "out" { input = add.five.sum }
`),
    );
    await c.settle();
    expect(exportOf(c, 'testing.passthrough.out', 'output')).toMatchObject({ value: 15n });
    const all = c.listAll().map((n) => n.globalId);
    expect(all).toContain('add.five/testing.passthrough.sum');
  });
});

describe('custom components', () => {
  it('feed changed arguments into the running module without rebuilding it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-modargs-'));
    const file = path.join(dir, 'value.txt');
    writeFileSync(file, 'one');
    const text = `
local.file "src" {
  filename       = ${JSON.stringify(file)}
  poll_frequency = "50ms"
}
declare "wrap" {
  argument "in" { }
  testing.passthrough "inner" { input = argument.in.value }
  export "out" { value = testing.passthrough.inner.output }
}
wrap "w" { in = local.file.src.content }
testing.passthrough "after" { input = wrap.w.out }
`;
    const c = controller();
    running.push(c);
    await c.apply(config(text));
    await c.settle();
    const inner = () => c.instance('wrap.w/testing.passthrough.inner');
    const before = inner();
    expect(exportOf(c, 'testing.passthrough.after', 'output')).toEqual({ type: 'string', value: 'one' });

    writeFileSync(file, 'two');
    await eventually(() => (exportOf(c, 'testing.passthrough.after', 'output') as { value?: string })?.value === 'two');
    expect(inner()).toBe(before);
    expect(counts.get('testing.passthrough.inner')).toMatchObject({ builds: 1, updates: 1 });
  });
});

describe('service blocks', () => {
  it('rejects services alloy-ts does not implement, instead of treating them as components', async () => {
    const err = await controller().apply(config('remotecfg {\n  url = "http://127.0.0.1:1"\n}\n')).catch((e: unknown) => e);
    expect((err as DiagnosticsError).diagnostics.map((d) => d.message)).toEqual(['the remotecfg service is not supported by alloy-ts']);
  });
});
