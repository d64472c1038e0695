import { describe, expect, it } from 'vitest';
import { ChunkedDecoder } from '../../../src/components/docker-api/streaming-response.js';
import { containerTargets } from '../../../src/components/loki/source-docker/component.js';
import { advance, formatCursor, parseCursor, START, streamLabels } from '../../../src/components/loki/source-docker/tailer.js';
import { RelabelRegex, RelabelRules, type RuleConfig } from '../../../src/components/relabel/rules.js';

describe('positions cursor', () => {
  it('round-trips and reads Alloy unix seconds', () => {
    const c = { ms: 1_700_000_000_123, ns: 456_789, count: 3 };
    expect(formatCursor(c)).toBe('1700000000.123456789:3');
    expect(parseCursor('1700000000.123456789:3')).toEqual(c);
    expect(parseCursor('1700000000')).toEqual({ ms: 1_700_000_000_000, ns: 0, count: 0 });
    expect(parseCursor('garbage')).toBeUndefined();
  });

  it('counts lines at the newest timestamp', () => {
    let c = advance(START, 5000, 0);
    c = advance(c, 5000, 0);
    expect(c).toEqual({ ms: 5000, ns: 0, count: 2 });
    expect(advance(c, 4000, 0)).toBe(c); // an older (out of order) line does not move it back
    expect(advance(c, 5000, 1)).toEqual({ ms: 5000, ns: 1, count: 1 });
  });
});

describe('containerTargets', () => {
  it('keeps one target per container (first by label string), merges static labels, skips targets without ID', () => {
    const wanted = containerTargets(
      [
        { __meta_docker_container_id: 'a', __meta_docker_port_private: '9090', job: 'x' },
        { __meta_docker_container_id: 'a', __meta_docker_port_private: '8080', job: 'x' },
        { __meta_docker_container_id: 'b', job: 'x' },
        { job: 'no-id' },
      ],
      { job: 'docker' },
    );
    expect([...wanted.keys()]).toEqual(['a', 'b']);
    expect(wanted.get('a')!.labels).toEqual({ __meta_docker_container_id: 'a', __meta_docker_port_private: '8080', job: 'docker' });
    expect(wanted.get('a')!.key).toBe('{__meta_docker_container_id="a", __meta_docker_port_private="8080", job="docker"}');
  });
});

describe('streamLabels', () => {
  const rule = (over: Partial<RuleConfig>): RuleConfig => ({
    source_labels: undefined, separator: ';', regex: RelabelRegex.compile('(.*)'), modulus: 0n, target_label: '', replacement: '$1', action: 'replace', ...over,
  });

  it('adds the stream, applies rules, drops reserved labels; a dropped set sends no labels', () => {
    const target = { __meta_docker_container_name: '/web', job: 'docker' };
    expect(streamLabels(target, 'stderr', undefined)).toEqual({ job: 'docker' });
    const rules = new RelabelRules([
      rule({ source_labels: ['__meta_docker_container_log_stream'], target_label: 'stream' }),
      rule({ source_labels: ['__meta_docker_container_name'], regex: RelabelRegex.compile('/(.*)'), target_label: 'container' }),
    ]);
    expect(streamLabels(target, 'stdout', rules)).toEqual({ job: 'docker', stream: 'stdout', container: 'web' });
    const dropAll = new RelabelRules([rule({ source_labels: ['job'], regex: RelabelRegex.compile('docker'), action: 'drop' })]);
    expect(streamLabels(target, 'stdout', dropAll)).toEqual({});
  });
});

describe('ChunkedDecoder', () => {
  it('decodes chunked bodies split anywhere, with extensions and trailers', () => {
    const body = Buffer.from('5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: 1\r\n\r\n');
    for (const size of [1, 2, 5, 64]) {
      const decoder = new ChunkedDecoder();
      const out: Buffer[] = [];
      let done = false;
      for (let i = 0; i < body.length; i += size) done = decoder.decode(body.subarray(i, i + size), (buf, start, end) => out.push(buf.subarray(start, end)));
      expect(done).toBe(true);
      expect(Buffer.concat(out).toString()).toBe('hello, world');
    }
  });
});
