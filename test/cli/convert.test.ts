/**
 * `alloy-ts convert` and `validate --config.format`: Alloy's flags, report,
 * exit status and error handling (grafana/alloy internal/alloycli/cmd_convert.go).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli, tempDir } from './run-cli.js';

const PROMTAIL = `clients:
  - url: http://localhost/loki/api/v1/push
scrape_configs:
  - job_name: app
    static_configs:
      - targets: [localhost]
        labels: { __path__: /var/log/app.log }
tracing: { enabled: false }
server: { register_instrumentation: false }
`;

const EXPECTED = `loki.source.file "app" {
	targets = [{
		__address__ = "localhost",
		__path__    = "/var/log/app.log",
	}]
	forward_to = [loki.write.default.receiver]

	file_match {
		enabled = true
	}
	legacy_positions_file = "/var/log/positions.yaml"
}

loki.write "default" {
	endpoint {
		url = "http://localhost/loki/api/v1/push"
	}
	external_labels = {}
}
`;

/** A WAL setting: an Error-level diagnostic, so output needs --bypass-errors. */
const WITH_ERROR = `${PROMTAIL}wal: { enabled: true }\n`;

let cleanup = () => {};
afterEach(() => cleanup());

describe('alloy-ts convert', () => {
  it('converts a Promtail file to stdout', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(path.join(t.dir, 'promtail.yaml'), PROMTAIL);
    const r = await runCli(['convert', '--source-format=promtail', 'promtail.yaml'], { cwd: t.dir });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(EXPECTED);
  });

  it('reads stdin with -f and writes -o', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const r = await runCli(['convert', '-f', 'promtail', '-o', 'out.alloy'], { cwd: t.dir, stdin: PROMTAIL });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(readFileSync(path.join(t.dir, 'out.alloy'), 'utf8')).toBe(EXPECTED);
  });

  it('refuses errors unless --bypass-errors, and writes the report either way', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    const refused = await runCli(['convert', '-f', 'promtail', '-r', 'report.txt'], { cwd: t.dir, stdin: WITH_ERROR });
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe("(Error) Promtail's WAL is currently not supported in Alloy\nError: encountered errors during formatting\n");
    expect(readFileSync(path.join(t.dir, 'report.txt'), 'utf8')).toBe(
      "(Error) Promtail's WAL is currently not supported in Alloy\n" +
        'A configuration file was not generated due to errors. Refer to the error messages for more information.\n' +
        "You can bypass the errors by using the --bypass-errors flag. Bypassing errors isn't recommended for production environments.",
    );
    const bypassed = await runCli(['convert', '-f', 'promtail', '-b', '-r', 'report.txt'], { cwd: t.dir, stdin: WITH_ERROR });
    expect(bypassed.code).toBe(0);
    expect(bypassed.stdout).toBe(EXPECTED);
    expect(readFileSync(path.join(t.dir, 'report.txt'), 'utf8')).toMatch(/A configuration file was generated successfully\.$/);
  });

  it('needs a source format, and a file rather than a directory', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    expect((await runCli(['convert', 'x.yaml'], { cwd: t.dir })).stderr).toBe('Error: source-format is a required flag\n');
    const dir = await runCli(['convert', '-f', 'promtail', '.'], { cwd: t.dir });
    expect([dir.code, dir.stderr]).toEqual([1, 'Error: cannot convert a directory\n']);
    const missing = await runCli(['convert', '-f', 'promtail', 'nope.yaml'], { cwd: t.dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('nope.yaml');
  });

  it('reports unparsable YAML as a critical diagnostic', async () => {
    const r = await runCli(['convert', '-f', 'prometheus'], { stdin: 'scrape_configs: [\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^\(Critical\) failed to parse Prometheus config: yaml: line \d+: /);
  });

  it('says which formats alloy-ts does not convert', async () => {
    const r = await runCli(['convert', '-f', 'otelcol'], { stdin: 'receivers: {}\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the otelcol converter is not available in alloy-ts');
  });
});

describe('validate --config.format', () => {
  it('validates the converted config', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(path.join(t.dir, 'promtail.yaml'), PROMTAIL);
    const ok = await runCli(['validate', '--config.format=promtail', 'promtail.yaml'], { cwd: t.dir });
    expect([ok.code, ok.stderr]).toEqual([0, '']);
  });

  it('fails on conversion errors unless bypassed', async () => {
    const t = tempDir();
    cleanup = t.cleanup;
    writeFileSync(path.join(t.dir, 'promtail.yaml'), WITH_ERROR);
    const refused = await runCli(['validate', '--config.format=promtail', 'promtail.yaml'], { cwd: t.dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("(Error) Promtail's WAL is currently not supported in Alloy");
    const bypassed = await runCli(['validate', '--config.format=promtail', '--config.bypass-conversion-errors', 'promtail.yaml'], { cwd: t.dir });
    expect([bypassed.code, bypassed.stderr]).toEqual([0, '']);
  });
});
