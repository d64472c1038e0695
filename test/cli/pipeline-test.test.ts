/**
 * `alloy-ts test`, run as users run it (the built CLI in its own process,
 * since it changes the working directory): Alloy's own pipelinetest
 * examples pass; a failing test shows what was expected, what came closest
 * and everything received, and exits 1; reporters; a test never waits past
 * its timeout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformanceDir, hasConformance } from './repo-paths.js';
import { hasDist, launcher } from '../support/agent-process.js';

function cli(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [launcher, ...args], { encoding: 'utf8', cwd, timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PASSING = `config: |
  loki.process "p" {
    forward_to = [loki.write.out.receiver]
    stage.logfmt {
      mapping = { level = "" }
    }
    stage.labels {
      values = { level = "" }
    }
  }
  loki.write "out" {
    endpoint {
      url        = pipelinetest.loki.url
      batch_wait = "50ms"
    }
  }
inputs:
  loki:
    - components: [loki.process.p.receiver]
      entries:
        - labels: { app: api }
          line: "level=warn msg=disk"
          timestamp: "2026-01-02T03:04:05.123456789Z"
assert:
  loki:
    - type: count
      count: 1
    - type: contains
      match:
        labels: { values: { app: api, level: warn } }
        line: "level=warn msg=disk"
        timestamp: "2026-01-02T03:04:05.123456789Z"
`;

const FAILING = PASSING.replace('values: { app: api, level: warn }', 'values: { app: api, level: error }');

function testDir(yaml: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'alloy-ts-ptest-'));
  writeFileSync(path.join(dir, 'test.yaml'), yaml);
  return dir;
}

describe.skipIf(!hasDist)('alloy-ts test', () => {
  it.skipIf(!hasConformance)("passes Alloy's own pipelinetest examples", () => {
    const r = cli(['test', path.join(conformanceDir, 'pipelinetest')]);
    expect(r.stdout).toContain('3 passed, 0 failed');
    expect(r.code).toBe(0);
  });

  it('passes a test whose pipeline delivers what it asserts (labels, line, nanosecond timestamp)', () => {
    const r = cli(['test', testDir(PASSING)]);
    expect(r.stdout).toMatch(/^PASS /m);
    expect(r.code).toBe(0);
  });

  it('fails with the expectation, the closest entry and what arrived, exit 1', () => {
    const r = cli(['test', '--timeout=1s', testDir(FAILING)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('FAIL ');
    expect(r.stdout).toContain('contains: no entry matched (labels = {app="api", level="error"}');
    expect(r.stdout).toContain('closest: 2026-01-02T03:04:05.123456789Z {app="api", level="warn"} "level=warn msg=disk"');
    expect(r.stdout).toContain('differs in: labels');
    expect(r.stdout).toContain('received:');
    expect(r.stderr).toBe('Error: 1 of 1 pipeline tests failed\n');
  });

  it('reports as JUnit XML and JSON', () => {
    const dir = testDir(FAILING);
    const junit = cli(['test', '--timeout=1s', '--reporter=junit', dir]);
    expect(junit.stdout).toMatch(/<testsuite name="alloy-ts pipeline tests" tests="1" failures="1"/);
    expect(junit.stdout).toContain('<failure message="contains: no entry matched');
    const json = JSON.parse(cli(['test', '--timeout=1s', '--reporter=json', dir]).stdout) as { passed: boolean; failures: string[] }[];
    expect(json).toHaveLength(1);
    expect(json[0]!.passed).toBe(false);
  });

  it('gives up on a count that never holds at the timeout, and rejects bad test files', () => {
    const never = PASSING.replace('count: 1', 'count: 5');
    const started = Date.now();
    const r = cli(['test', '--timeout=2s', testDir(never)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('count: expected 5 matching entries, got 1');
    expect(Date.now() - started).toBeLessThan(60_000);
    const bad = cli(['test', testDir('assert:\n  loki:\n    - type: sometimes\n')]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain('unknown assertion type "sometimes"');
  });

  it('asserts on metrics sent to the remote-write URL or the samples receiver (alloy-ts extension)', () => {
    const yaml = `config: |
  prometheus.exporter.unix "host" {
    set_collectors = ["loadavg"]
  }
  prometheus.scrape "s" {
    targets         = prometheus.exporter.unix.host.targets
    forward_to      = [prometheus.relabel.env.receiver, pipelinetest.prometheus.receiver]
    scrape_interval = "1s"
    scrape_timeout  = "1s"
  }
  prometheus.relabel "env" {
    forward_to = [prometheus.remote_write.out.receiver]
    rule {
      target_label = "env"
      replacement  = "test"
    }
  }
  prometheus.remote_write "out" {
    endpoint {
      url = pipelinetest.prometheus.url
    }
  }
assert:
  metrics:
    - type: count
      count: 1
      match:
        name: node_load1
        labels: { values: { env: test }, mode: partial }
    - type: contains
      match:
        name: up
        value: 1
`;
    const ok = cli(['test', '--timeout=20s', testDir(yaml)]);
    expect(ok.stdout).toMatch(/^PASS /m);
    expect(ok.code).toBe(0);
    const wrong = cli(['test', '--timeout=3s', testDir(yaml.replace('env: test', 'env: prod'))]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toContain('metrics count: expected 1 matching series (name = node_load1; labels ⊇ {env="prod"}), got 0');
    expect(wrong.stdout).toMatch(/series:\n(.|\n)*node_load1/);
  });

  it('writes file inputs before the pipeline starts (alloy-ts extension)', () => {
    const yaml = `config: |
  loki.source.file "f" {
    targets    = [{ __path__ = "./in/app.log", job = "f" }]
    forward_to = [pipelinetest.loki.receiver]
  }
inputs:
  files:
    - path: in/app.log
      lines: ["one", "two"]
assert:
  loki:
    - type: count
      count: 2
      match:
        labels: { values: { job: f }, mode: partial }
`;
    const r = cli(['test', testDir(yaml)]);
    expect(r.stdout).toMatch(/^PASS /m);
    expect(r.code).toBe(0);
  });
});
