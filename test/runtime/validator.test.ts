/**
 * The validator (src/runtime/validator) and the pieces it shares with the
 * loader: report order, declares and their instances, foreach, stdlib
 * checks, argument checks, the component catalogue, and the CLI around it.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../src/lang/diag.js';
import { parseFile } from '../../src/lang/parser.js';
import { SourceFile } from '../../src/lang/position.js';
import { attr, schema, t } from '../../src/lang/schema.js';
import { builtinComponents } from '../../src/components/index.js';
import { alloyComponent, alloyComponentNames } from '../../src/runtime/alloy-components.js';
import { ALLOY_COMPONENT_SOURCE_COMMIT, ALLOY_REGISTERED_COMPONENTS } from '../../src/runtime/alloy-component-names.js';
import { defineComponent, type Stability } from '../../src/runtime/component.js';
import { planGraph } from '../../src/runtime/loader.js';
import { validateSources } from '../../src/runtime/validator/index.js';
import { untilAborted } from '../../src/components/common/until-aborted.js';
import { runCli, tempDir } from '../cli/run-cli.js';

const experimentalThing = defineComponent({
  name: 'testing.experimental',
  stability: 'experimental',
  args: schema({ value: attr(t.int, 1) }),
  exports: schema({ out: attr(t.any) }),
  build: () => ({ update() {}, run: untilAborted }),
});

const registry = builtinComponents().register(experimentalThing);

function validate(files: Record<string, string> | string, minStability: Stability = 'experimental'): Diagnostic[] {
  const entries = typeof files === 'string' ? { 'main.alloy': files } : files;
  return validateSources(Object.entries(entries).map(([name, text]) => ({ name, bytes: Buffer.from(text) })), { registry, minStability });
}

/** `line:col message` of each diagnostic, in report order. */
function brief(ds: Diagnostic[]): string[] {
  return ds.map((d) => `${d.severity === 'warning' ? 'W ' : ''}${d.start.file}:${d.start.line}:${d.start.column} ${d.message}`);
}

describe('parsing phase', () => {
  it('reports only parse errors, files in byte order of their names, when any file fails', () => {
    const ds = validate({
      'b.alloy': 'local.file "x" {\n\tfilename = \n}\n',
      'a.alloy': 'attr = 1\n',
      'B.alloy': 'nope "x" {}\n',
    });
    expect(brief(ds)).toEqual(['a.alloy:1:1 unrecognized attribute attr', 'b.alloy:3:1 expected expression, got }']);
  });

  it('fails without a position on a file that is not UTF-8', () => {
    expect(() => validateSources([{ name: 'x.alloy', bytes: new Uint8Array([0xff, 0xfe, 0x41, 0x00]) }], { registry, minStability: 'experimental' })).toThrow(
      /encoded with UTF-16LE/,
    );
  });
});

describe('report order', () => {
  it('groups by phase (declares, config blocks, components, services), then references and cycles', () => {
    const ds = validate(`
http {}
local.file "a" { filename = local.file.a.content }
local.file "a" { filename = "x" }
logging {}
logging {}
declare "d" {}
declare "d" {}
http {}
local.file "b" { filename = nothing.here }
`);
    expect(brief(ds)).toEqual([
      'main.alloy:8:1 block declare.d already declared at main.alloy:7:1',
      'main.alloy:6:1 block logging already declared at main.alloy:5:1',
      'main.alloy:4:1 block local.file.a already declared at main.alloy:3:1',
      'main.alloy:10:29 component "nothing.here" does not exist or is out of scope',
      'main.alloy:9:1 block http already declared at main.alloy:2:1',
      'main.alloy:3:1 cannot reference self',
    ]);
  });

  it('reports every argument problem of a block, not just the first', () => {
    const ds = validate('local.file "x" {\n\tbogus = 1\n\tdetector = "nope"\n}\n');
    expect(brief(ds)).toEqual([
      'main.alloy:2:2 unrecognized attribute name "bogus"',
      'main.alloy:3:13 unrecognized value "nope", expected one of "fsnotify", "poll"',
      'main.alloy:1:1 missing required attribute "filename"',
    ]);
  });
});

describe('declare', () => {
  it('checks instances against the declared arguments', () => {
    const ds = validate(`
declare "m" {
  argument "needed" {}
  argument "maybe" { optional = true }
  export "out" { value = argument.needed.value }
}
m "ok" { needed = 1 }
m "bad" { maybe = 2
  other = 3
}
local.file "x" { filename = m.ok.out }
`);
    expect(brief(ds)).toEqual(['main.alloy:9:3 unrecognized attribute name "other"', 'main.alloy:8:1 missing required attribute "needed"']);
  });

  it('keeps a declare visible only where it is defined, and finds custom components by their first name part', () => {
    const ds = validate(`
declare "outer" {
  declare "inner" {}
  inner "here" {}
}
inner "there" {}
declare "local" {}
local.file "shadowed" { anything = 1 }
`);
    // A declare named "local" makes every local.* block an instance of it (as Alloy), here one without arguments.
    expect(brief(ds)).toEqual([
      'main.alloy:6:1 cannot find the definition of component name "inner"',
      'main.alloy:8:25 unrecognized attribute name "anything"',
    ]);
  });

  it('rejects arguments and exports outside modules and statements that are not blocks inside', () => {
    const ds = validate('argument "a" {}\nexport "b" { value = 1 }\ndeclare "m" {\n  x = 1\n  tracing {}\n}\n');
    expect(brief(ds)).toEqual([
      'main.alloy:4:3 unsupported statement type *ast.AttributeStmt',
      'main.alloy:5:3 tracing not allowed in module',
      'main.alloy:1:1 argument blocks only allowed inside a module',
      'main.alloy:2:1 export blocks only allowed inside a module',
    ]);
  });
});

describe('foreach', () => {
  it('lets templates use the enclosing body, not the reverse', () => {
    const ds = validate(`
local.file "src" { filename = "x" }
foreach "f" {
  collection = [1]
  var = "each"
  template {
    local.file "inner" { filename = local.file.src.content + each }
  }
}
local.file "out" { filename = local.file.inner.content }
`);
    expect(brief(ds)).toEqual(['main.alloy:10:31 component "local.file.inner.content" does not exist or is out of scope']);
  });

  it('shares foreach variables with every body, as Alloy does', () => {
    const ds = validate('foreach "f" {\n  collection = []\n  var = "item"\n  template {}\n}\nlocal.file "x" { filename = item }\n');
    expect(ds).toEqual([]);
  });

  it('is experimental', () => {
    const ds = validate('foreach "f" {\n  collection = []\n  var = "v"\n  template {}\n}\n', 'public-preview');
    expect(brief(ds)).toEqual([
      'main.alloy:1:1 foreach block "foreach" is at stability level "experimental", which is below the minimum allowed stability level "public-preview". Use --stability.level command-line flag to enable "experimental" features',
    ]);
  });
});

describe('stdlib and references', () => {
  it('warns about deprecated aliases and shadowing, and gates experimental functions', () => {
    const text = `
declare "array" { export "concat" { value = [] } }
array "array" {}
local.file "a" { filename = format("%s", array.array.concat) }
local.file "b" { filename = string.format("%v", array.group_by([], "k", false)) }
`;
    expect(brief(validate(text, 'generally-available'))).toEqual([
      'W main.alloy:4:29 this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives',
      'W main.alloy:4:42 a component is shadowing an existing stdlib name',
      'main.alloy:5:49 array.group_by is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
    ]);
    expect(validate(text, 'experimental').filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('knows module_path and argument in modules', () => {
    const ds = validate('declare "m" {\n  argument "a" {}\n  local.file "f" { filename = module_path + argument.a.value }\n}\n');
    expect(ds).toEqual([]);
  });

  it('reports a missing export of a component whose exports are known', () => {
    const ds = validate('local.file "a" { filename = "x" }\nlocal.file "b" { filename = local.file.a.text }\n');
    expect(brief(ds)).toEqual(['main.alloy:2:42 field "text" does not exist']);
  });
});

describe('argument values', () => {
  it('evaluates constant expressions only', () => {
    const ds = validate(`
local.file "a" { filename = "x" }
local.file "const" { filename = string.join(["a", "b"], 1) }
local.file "bad" { is_secret = string.to_upper("x")
  filename = "f"
}
local.file "ref" { filename = "y"
  is_secret = local.file.a.content
}
local.file "env" { filename = "z"
  poll_frequency = sys.env("NOT_SET_FOR_SURE")
}
`);
    expect(brief(ds)).toEqual(['main.alloy:4:32 string.to_upper("x") should be bool, got string']);
  });

  it('checks component stability and argument types of registered components', () => {
    const text = 'testing.experimental "x" { value = "many" }\n';
    expect(brief(validate(text, 'generally-available'))).toEqual([
      'main.alloy:1:1 component "testing.experimental" is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
    ]);
    expect(brief(validate(text, 'experimental'))).toEqual(['main.alloy:1:36 expected number, got string']);
  });
});

describe('component catalogue', () => {
  it('holds exactly the components Alloy registers at the conformance snapshot', () => {
    expect(ALLOY_COMPONENT_SOURCE_COMMIT).toBe('66ebea856dffb242f921775e9552a133f60dc5c1');
    expect(alloyComponentNames()).toEqual(ALLOY_REGISTERED_COMPONENTS.map(([name]) => name).sort());
    expect(alloyComponentNames()).toHaveLength(184);
    expect(alloyComponent('otelcol.exporter.otlp')).toMatchObject({ stability: 'generally-available', exports: ['input'] });
    expect(alloyComponent('loki.secretfilter')?.stability).toBe('public-preview');
    expect(alloyComponent('pyroscope.java')?.stability).toBe('generally-available'); // linux/amd64, not the stub's level
    expect(alloyComponent('otelcol.exporter.datadog')).toMatchObject({ community: true });
    expect(alloyComponent('otelcol.exporter.datadog')?.stability).toBeUndefined();
    expect(alloyComponent('discovery.kubernetes')?.exports).toEqual(['targets']);
    expect(alloyComponent('loki.source.windowsevent')).toBeDefined(); // its non-Windows placeholder registers it
    // Removed upstream before the snapshot: Alloy cannot find them.
    for (const gone of ['otelcol.receiver.opencensus', 'prometheus.write.queue', 'local.missing']) expect(alloyComponent(gone)).toBeUndefined();
  });

  it('are errors in validate by default, with their position', () => {
    expect(brief(validate('beyla.ebpf "x" {}\nlocal.file "f" { filename = "x" }\n  pyroscope.java "y" { anything = 1 }\n'))).toEqual([
      'main.alloy:1:1 component "beyla.ebpf" is not supported by alloy-ts',
      'main.alloy:3:3 component "pyroscope.java" is not supported by alloy-ts',
    ]);
  });

  it('are accepted without checking their arguments with target alloy', () => {
    const sources = [{ name: 'main.alloy', bytes: Buffer.from('beyla.ebpf "x" {}\npyroscope.java "y" { anything = 1 }\n') }];
    expect(validateSources(sources, { registry, minStability: 'experimental', target: 'alloy' })).toEqual([]);
  });

  it('reads the live registry: a component registered later is checked, not refused', () => {
    const live = builtinComponents();
    const text = 'beyla.ebpf "x" { value = "many" }\n';
    const judge = () => brief(validateSources([{ name: 'main.alloy', bytes: Buffer.from(text) }], { registry: live, minStability: 'experimental' }));
    expect(judge()).toEqual(['main.alloy:1:1 component "beyla.ebpf" is not supported by alloy-ts']);
    live.register(defineComponent({ ...experimentalThing, name: 'beyla.ebpf', stability: 'generally-available' }));
    expect(judge()).toEqual(['main.alloy:1:26 expected number, got string']);
  });

  it('refuses community components without the flag, as Alloy does, in both targets', () => {
    const sources = [{ name: 'main.alloy', bytes: Buffer.from('otelcol.exporter.datadog "x" {}\n') }];
    const message =
      'main.alloy:1:1 the component "otelcol.exporter.datadog" is a community component. Use the --feature.community-components.enabled command-line flag to enable community components';
    for (const target of ['alloy', 'alloy-ts'] as const) {
      expect(brief(validateSources(sources, { registry, minStability: 'generally-available', target }))).toEqual([message]);
    }
    expect(validateSources(sources, { registry, minStability: 'generally-available', target: 'alloy', communityComponents: true })).toEqual([]);
  });

  it('makes run refuse them with the same message, and unknown names as Alloy does', () => {
    const source = SourceFile.fromString('main.alloy', 'beyla.ebpf "x" { }\nlocal.missing "y" {}\n');
    const plan = planGraph([{ source, file: parseFile(source).file }], { registry, inModule: false });
    expect(brief(plan.diagnostics)).toEqual([
      'main.alloy:1:1 component "beyla.ebpf" is not supported by alloy-ts',
      'main.alloy:2:1 cannot find the definition of component name "local.missing"',
    ]);
  });

  it('gives run the same stdlib checks', () => {
    const source = SourceFile.fromString('main.alloy', 'local.file "x" { filename = array.combine_maps([], [], "k")[0] + env("A") }\n');
    const plan = planGraph([{ source, file: parseFile(source).file }], { registry, inModule: false, minStability: 'generally-available' });
    expect(brief(plan.diagnostics)).toEqual([
      'main.alloy:1:29 array.combine_maps is at stability level "experimental", which is below the minimum allowed stability level "generally-available". Use --stability.level command-line flag to enable "experimental" features',
      'W main.alloy:1:66 this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives',
    ]);
  });
});

describe('alloy-ts validate (CLI)', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    tmp = tempDir();
  });
  afterEach(() => tmp.cleanup());

  it('fails on warnings alone, with the pretty report', async () => {
    const file = path.join(tmp.dir, 'w.alloy');
    writeFileSync(file, 'local.file "x" {\n\tfilename = env("HOME")\n}\n');
    const r = await runCli(['validate', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `Warning: ${file}:2:13: this stdlib function is deprecated; please refer to the documentation for updated usage and alternatives\n\n` +
        '1 | local.file "x" {\n2 |     filename = env("HOME")\n  |                ^^^\n3 | }\n\nError: validation failed\n',
    );
  });

  it('writes semantic diagnostics as JSON with --format=json', async () => {
    writeFileSync(path.join(tmp.dir, 'main.alloy'), 'local.file "x" {}\n');
    const r = await runCli(['validate', '--format=json', 'main.alloy'], { cwd: tmp.dir });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual([
      { file: 'main.alloy', line: 1, column: 1, endLine: 1, endColumn: 17, severity: 'error', message: 'missing required attribute "filename"' },
    ]);
  });

  it('applies --stability.level', async () => {
    writeFileSync(path.join(tmp.dir, 'main.alloy'), 'foreach "f" {\n\tcollection = []\n\tvar = "v"\n\ttemplate {}\n}\n');
    expect((await runCli(['validate', 'main.alloy'], { cwd: tmp.dir })).code).toBe(1);
    expect(await runCli(['validate', '--stability.level=experimental', 'main.alloy'], { cwd: tmp.dir })).toMatchObject({ code: 0, stderr: '' });
  });
});
