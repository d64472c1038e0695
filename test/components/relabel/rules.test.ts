import { describe, expect, it } from 'vitest';
import { LabelBuilder, RelabelRules, ruleConfig, type LabelNameScheme, type RuleConfig } from '../../../src/components/relabel/rules.js';
import { goToLower, goToUpper } from '../../../src/components/relabel/labels.js';

type Fields = Parameters<typeof ruleConfig>[0];

/** Runs rules given as plain fields; undefined = dropped. */
function relabel(labels: Record<string, string>, rules: Fields[], scheme: LabelNameScheme = 'utf8') {
  return new RelabelRules(rules.map(ruleConfig)).process(labels, scheme);
}

const problem = (fields: Fields) => {
  try {
    ruleConfig(fields);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
};

describe('relabel actions (Prometheus semantics)', () => {
  it('replace: expands groups from the joined source labels', () => {
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'd', replacement: 'ch${1}-ch${1}' }])).toEqual({
      a: 'foo',
      d: 'choo-choo',
    });
    expect(
      relabel({ a: 'foo', b: 'bar' }, [{ source_labels: ['a', 'b'], regex: 'f(.*);(.*)r', target_label: 'a', replacement: 'b${1}${2}m' }]),
    ).toEqual({ a: 'boobam', b: 'bar' });
  });

  it('replace: a missing source label joins as "" (so the default rule sets a constant)', () => {
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a', 'missing'], regex: 'f(.*);', target_label: 'b', replacement: '$1' }])).toEqual({
      a: 'foo',
      b: 'oo',
    });
    expect(relabel({ a: 'foo' }, [{ target_label: 'job', replacement: 'integrations/self' }])).toEqual({ a: 'foo', job: 'integrations/self' });
  });

  it('replace: no match changes nothing; an empty result deletes the target', () => {
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: 'x(.*)', target_label: 'a', replacement: 'y' }])).toEqual({ a: 'foo' });
    expect(relabel({ a: 'foo', b: 'x' }, [{ source_labels: ['a'], regex: 'f(.*)', target_label: 'b', replacement: '' }])).toEqual({ a: 'foo' });
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: 'f(o)o', target_label: 'a', replacement: '$1x' }])).toEqual({});
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: 'f(o)o', target_label: 'a', replacement: '${1}x' }])).toEqual({ a: 'ox' });
  });

  it('replace: the target may reference groups; an invalid expanded name is skipped per scheme', () => {
    const rule = { source_labels: ['a'], regex: '(.*)', target_label: '$1', replacement: 'v' };
    expect(relabel({ a: 'name_1' }, [rule])).toEqual({ a: 'name_1', name_1: 'v' });
    expect(relabel({ a: 'some-label' }, [rule], 'legacy')).toEqual({ a: 'some-label' });
    expect(relabel({ a: 'some-label' }, [rule], 'utf8')).toEqual({ a: 'some-label', 'some-label': 'v' });
    expect(relabel({ a: '' }, [rule], 'utf8')).toEqual({});
  });

  it('keep and drop test the regex against the joined value', () => {
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }])).toBeUndefined();
    expect(relabel({ a: 'abc' }, [{ source_labels: ['a'], regex: '.*o.*', action: 'drop' }])).toEqual({ a: 'abc' });
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: 'f.*', action: 'keep' }])).toEqual({ a: 'foo' });
    expect(relabel({ a: 'foo' }, [{ source_labels: ['a'], regex: 'o', action: 'keep' }])).toBeUndefined(); // anchored
    expect(relabel({}, [{ source_labels: ['a'], regex: '', action: 'keep' }])).toEqual({});
  });

  it('stops at the first rule that drops', () => {
    const rules: Fields[] = [
      { source_labels: ['a'], regex: 'foo', action: 'drop' },
      { target_label: 'never', replacement: 'set' },
    ];
    expect(relabel({ a: 'foo' }, rules)).toBeUndefined();
    expect(relabel({ a: 'bar' }, rules)).toEqual({ a: 'bar', never: 'set' });
  });

  it('keepequal and dropequal compare with the target label', () => {
    const same = { a: 'foo', b: 'foo' };
    const different = { a: 'foo', b: 'bar' };
    expect(relabel(same, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }])).toEqual(same);
    expect(relabel(different, [{ source_labels: ['a'], target_label: 'b', action: 'keepequal' }])).toBeUndefined();
    expect(relabel(same, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }])).toBeUndefined();
    expect(relabel(different, [{ source_labels: ['a'], target_label: 'b', action: 'dropequal' }])).toEqual(different);
  });

  it('hashmod: md5 bytes 8..16 big-endian, modulo', () => {
    expect(relabel({ c: 'baz' }, [{ source_labels: ['c'], modulus: 1000n, target_label: 'd', action: 'hashmod' }])).toEqual({ c: 'baz', d: '976' });
    expect(relabel({ c: 'foo' }, [{ source_labels: ['c'], modulus: 1000n, target_label: 'd', action: 'hashmod' }])!['d']).toBe('696');
    expect(relabel({}, [{ source_labels: ['c'], modulus: 1n, target_label: 'd', action: 'hashmod' }])).toEqual({ d: '0' });
  });

  it('labelmap copies matching labels under the replacement name, keeping the originals', () => {
    const labels = { __meta_docker_container_label_app: 'web', __meta_docker_container_label_team: 'x', other: 'y' };
    expect(relabel(labels, [{ regex: '__meta_docker_container_label_(.+)', action: 'labelmap' }])).toEqual({ ...labels, app: 'web', team: 'x' });
  });

  it('labelmap works on a snapshot: labels it creates are not mapped again', () => {
    expect(relabel({ a: '1' }, [{ regex: '(.*)', replacement: '${1}_x', action: 'labelmap' }])).toEqual({ a: '1', a_x: '1' });
  });

  it('labeldrop and labelkeep match label names', () => {
    const labels = { a: 'foo', b1: 'bar', b2: 'baz' };
    expect(relabel(labels, [{ regex: 'b.*', action: 'labeldrop' }])).toEqual({ a: 'foo' });
    expect(relabel(labels, [{ regex: 'b.*', action: 'labelkeep' }])).toEqual({ b1: 'bar', b2: 'baz' });
    expect(relabel({ dropme: 'x', keep: 'y' }, [{ regex: '^dropme$', action: 'labeldrop' }])).toEqual({ keep: 'y' });
  });

  it('lowercase and uppercase use Go\'s per-rune mappings', () => {
    expect(relabel({ foo: 'BAR' }, [{ source_labels: ['foo'], target_label: 'foo_lower', action: 'lowercase' }])).toEqual({ foo: 'BAR', foo_lower: 'bar' });
    expect(relabel({ foo: 'bar' }, [{ source_labels: ['foo'], target_label: 'up', action: 'uppercase' }])!['up']).toBe('BAR');
    expect(goToUpper('straße')).toBe('STRAßE'); // no expansion to SS
    expect(goToLower('ΟΔΟΣ')).toBe('οδοσ'); // no final-sigma context rule
    expect(goToLower('İ')).toBe('i');
  });

  it('treats labels with empty values as absent and sorts the output', () => {
    expect(Object.keys(relabel({ z: '1', a: '', m: '2' }, [])!)).toEqual(['m', 'z']);
  });

  it('runs rules from real configs (alloy-it-loki-docker)', () => {
    const rules: Fields[] = [
      { source_labels: ['__meta_docker_container_name'], regex: '/producer.*', action: 'keep' },
      { source_labels: ['__meta_docker_container_name'], regex: '/(.*)', target_label: 'container', replacement: '$1' },
    ];
    expect(relabel({ __meta_docker_container_name: '/producer-1' }, rules)).toEqual({ __meta_docker_container_name: '/producer-1', container: 'producer-1' });
    expect(relabel({ __meta_docker_container_name: '/consumer' }, rules)).toBeUndefined();
  });
});

describe('LabelBuilder', () => {
  it('iterates originals in sorted order, then changes in the order they were made', () => {
    const lb = new LabelBuilder().reset({ b: '2', a: '1', c: '3' });
    lb.set('z', '26');
    lb.set('b', 'two');
    lb.delete('c');
    const seen: string[] = [];
    lb.forEach((name, value) => seen.push(`${name}=${value}`));
    expect(seen).toEqual(['a=1', 'z=26', 'b=two']);
    expect(lb.get('c')).toBe('');
    expect(lb.labels()).toEqual({ a: '1', b: 'two', z: '26' });
  });
});

describe('rule validation (Alloy messages)', () => {
  it('reports each invalid combination', () => {
    expect(problem({ action: 'hashmod', target_label: 'x' })).toBe('relabel configuration for hashmod requires non-zero modulus');
    expect(problem({ action: 'replace' })).toBe("relabel configuration for replace action requires 'target_label' value");
    expect(problem({ action: 'lowercase' })).toBe("relabel configuration for lowercase action requires 'target_label' value");
    expect(problem({ target_label: '${1', replacement: 'x' })).toBe('"${1" is invalid \'target_label\' for replace action');
    expect(problem({ target_label: '$1-x' })).toBe('"$1-x" is invalid \'target_label\' for replace action');
    expect(problem({ action: 'uppercase', target_label: 'x', replacement: 'y' })).toBe("'replacement' can not be set for uppercase action");
    expect(problem({ action: 'labelmap', replacement: 'a-b' })).toBe('"a-b" is invalid \'replacement\' for labelmap action');
    expect(problem({ action: 'labeldrop', regex: 'x', source_labels: [] })).toBe("labeldrop action requires only 'regex', and no other fields");
    expect(problem({ action: 'labelkeep', separator: ',' })).toBe("labelkeep action requires only 'regex', and no other fields");
    expect(problem({ action: 'keepequal', source_labels: ['a'], target_label: 'b', regex: 'x' })).toBe(
      "keepequal action requires only 'source_labels' and 'target_label', and no other fields",
    );
  });

  it('accepts valid rules, including UTF-8 target names and templated targets', () => {
    expect(problem({ target_label: 'service.name', replacement: 'x' })).toBeUndefined();
    expect(problem({ target_label: '${1}_suffix', source_labels: ['a'] })).toBeUndefined();
    expect(problem({ action: 'labelmap', regex: '__meta_(.+)' })).toBeUndefined();
    expect(problem({ action: 'dropequal', source_labels: ['a'], target_label: 'b' })).toBeUndefined();
  });

  it('does not backtrack exponentially checking templated targets', () => {
    const start = Date.now();
    expect(problem({ target_label: `${'$aa'.repeat(40)}!` })).toContain('is invalid');
    expect(Date.now() - start).toBeLessThan(1000);
  });
});

describe('RelabelRules capsule', () => {
  it('is equal to rules with the same configuration', () => {
    const make = (r: string): RuleConfig[] => [ruleConfig({ source_labels: ['a'], regex: r, target_label: 'b' })];
    expect(new RelabelRules(make('x(.*)')).equals(new RelabelRules(make('x(.*)')))).toBe(true);
    expect(new RelabelRules(make('x(.*)')).equals(new RelabelRules(make('y(.*)')))).toBe(false);
    expect(new RelabelRules([]).equals(new RelabelRules(make('x')))).toBe(false);
  });
});
