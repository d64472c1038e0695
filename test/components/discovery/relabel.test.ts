import { describe, expect, it } from 'vitest';
import { RelabelRules, relabelRulesType } from '../../../src/components/relabel/rules.js';
import { untilAborted } from '../../../src/components/common/until-aborted.js';
import { parseFile } from '../../../src/lang/parser.js';
import { SourceFile } from '../../../src/lang/position.js';
import { attr, schema, t, targetsType } from '../../../src/lang/schema.js';
import { defineComponent } from '../../../src/runtime/component.js';
import { startsHarnesses } from '../started-harness.js';

/** Applies rules received as a capsule, as loki.source.docker does with `relabel_rules`. */
const applyRules = defineComponent({
  name: 'testing.apply_rules',
  stability: 'generally-available',
  args: schema({ rules: attr(relabelRulesType), labels: attr(t.map(t.string)) }),
  exports: schema({ output: attr(targetsType) }),
  build(ctx, args) {
    const publish = (a: typeof args) => ctx.setExports({ output: [a.rules.process(a.labels, 'legacy') ?? {}] });
    publish(args);
    return { update: publish, run: untilAborted };
  },
});

const start = startsHarnesses([applyRules]);

const containers = (names: string[]) =>
  `[${names.map((n, i) => `{"__meta_docker_container_name" = "/${n}", "__address__" = "10.0.0.${i + 1}:80"}`).join(', ')}]`;

// Rule blocks from examples-real/alloy-it-loki-docker.alloy and scen-alloy-clustering.alloy.
const RULES = `
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/producer.*"
    action        = "keep"
  }
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container"
    replacement   = "$1"
  }
  rule {
    target_label = "job"
    replacement  = "clustered-targets"
  }`;

describe('discovery.relabel', () => {
  it('exports the surviving targets in input order, and re-runs on every update', async () => {
    const h = await start(`discovery.relabel "r" {\n  targets = ${containers(['producer-2', 'consumer', 'producer-1'])}\n${RULES}\n}`);
    expect(h.targets('discovery.relabel.r', 'output')).toEqual([
      { __address__: '10.0.0.1:80', __meta_docker_container_name: '/producer-2', container: 'producer-2', job: 'clustered-targets' },
      { __address__: '10.0.0.3:80', __meta_docker_container_name: '/producer-1', container: 'producer-1', job: 'clustered-targets' },
    ]);

    await h.apply(`discovery.relabel "r" {\n  targets = ${containers(['consumer', 'producer-9'])}\n${RULES}\n}`);
    expect(h.targets('discovery.relabel.r', 'output').map((t) => t['container'])).toEqual(['producer-9']);
  });

  it('feeds its output and rules to other components', async () => {
    const h = await start(`
discovery.relabel "first" {
  targets = ${containers(['producer-1'])}
  ${RULES}
}
discovery.relabel "second" {
  targets = discovery.relabel.first.output
  rule {
    action = "labeldrop"
    regex  = "__meta_.*"
  }
}
testing.apply_rules "reuse" {
  rules  = discovery.relabel.first.rules
  labels = {"__meta_docker_container_name" = "/producer-x"}
}
`);
    expect(h.targets('discovery.relabel.second', 'output')).toEqual([{ __address__: '10.0.0.1:80', container: 'producer-1', job: 'clustered-targets' }]);
    expect(h.targets('testing.apply_rules.reuse', 'output')).toEqual([
      { __meta_docker_container_name: '/producer-x', container: 'producer-x', job: 'clustered-targets' },
    ]);
    const rules = h.exportOf('discovery.relabel.first', 'rules');
    expect(rules?.type === 'capsule' && rules.payload instanceof RelabelRules && rules.payload.length).toBe(3);
  });

  it('checks label names with the UTF-8 scheme', async () => {
    const h = await start(`
discovery.relabel "r" {
  targets = [{"a" = "service.name"}]
  rule {
    source_labels = ["a"]
    target_label  = "$1"
    replacement   = "x"
  }
}`);
    expect(h.targets('discovery.relabel.r', 'output')).toEqual([{ a: 'service.name', 'service.name': 'x' }]);
  });

  it("reports invalid rules with Alloy's messages", async () => {
    const h = await start('');
    const messages = async (rule: string) => {
      const source = SourceFile.fromString('main.alloy', `discovery.relabel "r" {\n  targets = []\n  rule {\n${rule}\n  }\n}`);
      const diagnostics = await h.controller.apply([{ source, file: parseFile(source).file }]);
      return diagnostics.map((d) => d.message);
    };
    expect(await messages('action = "Replace"')).toEqual(['unrecognized action type "Replace"']);
    expect(await messages('regex = "(a"')).toEqual(['error parsing regexp: missing closing ): `^(?s:(a)$`']);
    expect(await messages('action = "hashmod"\ntarget_label = "x"')).toEqual(['relabel configuration for hashmod requires non-zero modulus']);
    expect(await messages('action = "labeldrop"\nsource_labels = []')).toEqual(["labeldrop action requires only 'regex', and no other fields"]);
    expect(await messages('target_label = "a"\naction = "keepequal"\nseparator = ","')).toEqual([
      "keepequal action requires only 'source_labels' and 'target_label', and no other fields",
    ]);
    // Each rejected reload left the running (empty) graph as it was.
    expect(h.health('discovery.relabel.r')).toBeUndefined();
  });
});
