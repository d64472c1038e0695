/**
 * The deployment files stay what the seed runs: examples/compose (its config
 * validates; the agent service has the seed's name, mounts, memory limit and
 * health check) and the Dockerfile's entrypoint, command, port and health check.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { repoRoot } from '../cli/repo-paths.js';
import { runCli } from '../cli/run-cli.js';

const composeDir = path.join(repoRoot, 'examples', 'compose');

interface Service {
  container_name?: string;
  volumes?: string[];
  mem_limit?: string;
  environment?: Record<string, string>;
  healthcheck?: { test?: string[] };
  restart?: string;
  depends_on?: string[];
}

const compose = parse(readFileSync(path.join(composeDir, 'compose.yaml'), 'utf8')) as { services: Record<string, Service> };
const alloy = compose.services['alloy']!;

describe('examples/compose', () => {
  it('has a config that alloy-ts validate accepts', async () => {
    const r = await runCli(['validate', path.join(composeDir, 'config.alloy')]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
  });

  it('runs the agent as the seed does: name, read-only mounts, restart policy, health check', () => {
    expect(alloy.container_name).toBe('alloy');
    expect(alloy.volumes).toEqual(
      expect.arrayContaining([
        './config.alloy:/etc/alloy/config.alloy:ro',
        '/var/log:/var/log:ro',
        '/var/lib/docker/containers:/var/lib/docker/containers:ro',
        '/var/run/docker.sock:/var/run/docker.sock:ro',
      ]),
    );
    expect(alloy.restart).toBe('unless-stopped');
    expect(alloy.healthcheck?.test).toEqual(['CMD', 'alloy-ts', 'healthcheck']);
    expect(alloy.depends_on).toEqual(['loki', 'prometheus']);
  });

  it('gives the container and the agent the same memory limit, 2GiB by default', () => {
    expect(alloy.mem_limit).toBe('${ALLOY_TS_MEMORY_LIMIT:-2GiB}');
    expect(alloy.environment?.['ALLOY_TS_MEMORY_LIMIT']).toBe(alloy.mem_limit);
  });

  it('wires Loki and Prometheus (with its remote-write receiver) to the agent', () => {
    expect(alloy.environment).toMatchObject({ LOKI_HOST: 'loki:3100', PROMETHEUS_HOST: 'prometheus:9090' });
    expect(JSON.stringify(compose.services['prometheus'])).toContain('--web.enable-remote-write-receiver');
    const config = readFileSync(path.join(composeDir, 'config.alloy'), 'utf8');
    expect(config).toContain('sys.env("LOKI_HOST")');
    expect(config).toContain('sys.env("PROMETHEUS_HOST")');
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(path.join(repoRoot, 'Dockerfile'), 'utf8');

  it('starts the agent as the seed does', () => {
    expect(dockerfile).toContain('ENTRYPOINT ["alloy-ts"]\n');
    expect(dockerfile).toContain(
      'CMD ["run", "/etc/alloy/config.alloy", "--server.http.listen-addr=0.0.0.0:12345", "--storage.path=/var/lib/alloy/data"]\n',
    );
    expect(dockerfile).toMatch(/^EXPOSE 12345$/m);
    expect(dockerfile).toMatch(/^HEALTHCHECK .* CMD \["alloy-ts", "healthcheck"\]$/m);
  });

  it('takes its base as a build argument and runs as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG BASE_IMAGE=node:22-bookworm-slim$/m);
    expect(dockerfile.match(/^FROM \$\{BASE_IMAGE\}/gm)).toHaveLength(2);
    expect(dockerfile).toMatch(/^USER \$\{ALLOY_UID\}:\$\{ALLOY_UID\}$/m);
  });
});
