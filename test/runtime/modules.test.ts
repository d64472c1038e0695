import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attr, schema, t } from '../../src/lang/schema.js';
import type { Value } from '../../src/lang/value.js';
import { localFile } from '../../src/components/local/file.js';
import { untilAborted } from '../../src/components/common/until-aborted.js';
import { ComponentRegistry, defineComponent } from '../../src/runtime/component.js';
import { Controller } from '../../src/runtime/controller.js';
import { configFiles, testController } from '../support/controller.js';

const passthrough = defineComponent({
  name: 'testing.passthrough',
  stability: 'generally-available',
  args: schema({ input: attr(t.any) }),
  exports: schema({ output: attr(t.any) }),
  build(ctx, args) {
    ctx.setExports({ output: args.input });
    return { update: (next) => ctx.setExports({ output: next.input }), run: untilAborted };
  },
});

const controllers: Controller[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
});

function newController(): Controller {
  const c = testController(new ComponentRegistry().register(passthrough, localFile));
  controllers.push(c);
  return c;
}

const config = (text: string) => configFiles(text);

function output(c: Controller, id: string): Value | undefined {
  const e = c.get(id)?.exports;
  return e?.type === 'object' ? e.fields.get('output') : undefined;
}

async function eventually(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const MODULE = (factor: number) => `
declare "scale" {
  argument "value" { }
  testing.passthrough "inner" { input = argument.value.value * ${factor} }
  export "result" { value = testing.passthrough.inner.output }
}
`;

describe('modules', () => {
  it('imports declares from a file and re-imports when it changes', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-import-'));
    const modFile = path.join(dir, 'math.alloy');
    writeFileSync(modFile, MODULE(2));
    const c = newController();
    await c.apply(
      config(`
import.file "math" {
  filename       = ${JSON.stringify(modFile)}
  detector       = "poll"
  poll_frequency = "100ms"
}
math.scale "x" { value = 21 }
testing.passthrough "out" { input = math.scale.x.result }
`),
    );
    await c.settle();
    expect(output(c, 'testing.passthrough.out')).toMatchObject({ value: 42n });
    writeFileSync(modFile, MODULE(3));
    await eventually(() => (output(c, 'testing.passthrough.out') as { value?: bigint })?.value === 63n);
  });

  it('imports a directory of module files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-import-dir-'));
    writeFileSync(path.join(dir, 'a.alloy'), MODULE(2));
    writeFileSync(path.join(dir, 'b.alloy'), 'declare "constant" {\n  export "v" { value = "b" }\n}\n');
    const c = newController();
    await c.apply(config(`import.file "lib" { filename = ${JSON.stringify(dir)} }\nlib.constant "c" { }\ntesting.passthrough "out" { input = lib.constant.c.v }\n`));
    await c.settle();
    expect(output(c, 'testing.passthrough.out')).toEqual({ type: 'string', value: 'b' });
  });

  it('imports from a string fed by local.file', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-import-str-'));
    const modFile = path.join(dir, 'm.alloy');
    writeFileSync(modFile, MODULE(10));
    const c = newController();
    await c.apply(config(`local.file "mod" { filename = ${JSON.stringify(modFile)} }\nimport.string "m" { content = local.file.mod.content }\nm.scale "x" { value = 4 }\ntesting.passthrough "out" { input = m.scale.x.result }\n`));
    await c.settle();
    expect(output(c, 'testing.passthrough.out')).toMatchObject({ value: 40n });
  });

  it('reports errors inside an imported module at the module file and line', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-import-bad-'));
    const modFile = path.join(dir, 'bad.alloy');
    writeFileSync(modFile, 'declare "broken" {\n  testing.passthrough "p" {\n    input = 1 + "x"\n  }\n}\n');
    const c = newController();
    const diags = await c.apply(config(`import.file "b" { filename = ${JSON.stringify(modFile)} }\nb.broken "x" { }\n`));
    expect(diags.map((d) => `${d.start.file}:${d.start.line}:${d.start.column}: ${d.message}`)).toEqual([`${modFile}:3:17: "x" should be number, got string`]);
  });

  it('rejects unknown and missing module arguments', async () => {
    const c = newController();
    const diags = await c.apply(config(`${MODULE(2)}\nscale "a" { nope = 1 }\nscale "b" { }\n`));
    expect(diags.map((d) => d.message)).toEqual(['unrecognized attribute name "nope"', 'missing required argument "value" to module']);
  });
});
