/**
 * The container image for real, with podman: built by scripts/build-image.sh
 * (no registry: a Node base made from this machine's Node, npm packages from
 * a cache the host's npm filled), then run as the seed runs it — config at
 * /etc/alloy/config.alloy, /var/log and /var/lib/docker/containers and the
 * Docker socket mounted read-only, a memory limit — as its default non-root
 * user, which reaches the socket through the socket's group.
 *
 * Addresses are all local: the agent's container sits on podman's bridge;
 * the test Loki listens on the bridge's gateway (this machine's own
 * interface), and the test reads /metrics from the container's bridge address.
 *
 * Skipped, saying why, without podman (scripts/test-services.sh start).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../cli/repo-paths.js';
import { LokiReceiver } from '../support/loki-receiver.js';
import { docker, removeContainers, runContainer, uniqueName } from '../support/podman.js';

const IMAGE = 'localhost/alloy-ts:test';
/** The image's user (Dockerfile ALLOY_UID), which is also its group. */
const ALLOY_GID = 473;
const MEMORY_LIMIT = '512MiB';

const run = uniqueName('image');
const servicesDir = process.env['ALLOY_TS_SERVICES_DIR'] ?? '/tmp/alloy-ts-services';
const containersConf = path.join(servicesDir, 'containers.conf');
const podmanEnv = { ...process.env, ...(existsSync(containersConf) && !process.env['CONTAINERS_CONF'] ? { CONTAINERS_CONF: containersConf } : {}) };

const execFileAsync = promisify(execFile);

async function podman(...args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('podman', args, { env: podmanEnv, maxBuffer: 16 * 1024 * 1024 });
  return stdout.trim();
}

/** Exit status and output (stdout, then stderr) of a command that may fail. */
async function podmanStatus(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await execFileAsync('podman', args, { env: podmanEnv, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: `${stdout}${stderr}`.trim() };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: `${e.stdout ?? ''}${e.stderr ?? ''}`.trim() };
  }
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const work = mkdtempSync(path.join(tmpdir(), 'alloy-ts-image-'));
const logDir = path.join(work, 'log');
const dockerContainersDir = path.join(work, 'docker-containers');
const socketPath = path.join(work, 'api', 'docker.sock');
const configPath = path.join(work, 'config.alloy');

/** What the agent runs: Docker containers of this run and /var/log/*.log to Loki, plus its own metrics. */
function agentConfig(): string {
  return `
discovery.docker "containers" {
  host             = "unix:///var/run/docker.sock"
  refresh_interval = "1s"
  filter {
    name   = "label"
    values = ["alloy-ts.image-test=${run}"]
  }
}

discovery.relabel "containers" {
  targets = []
  rule {
    source_labels = ["__meta_docker_container_name"]
    regex         = "/(.*)"
    target_label  = "container"
  }
}

loki.source.docker "containers" {
  host          = "unix:///var/run/docker.sock"
  targets       = discovery.docker.containers.targets
  labels        = {"job" = "docker"}
  relabel_rules = discovery.relabel.containers.rules
  forward_to    = [loki.write.test.receiver]
}

local.file_match "varlog" {
  path_targets = [{"__path__" = "/var/log/*.log", "job" = "varlog"}]
  sync_period  = "1s"
}

loki.source.file "varlog" {
  targets    = local.file_match.varlog.targets
  forward_to = [loki.write.test.receiver]
}

prometheus.exporter.self "alloy" { }

loki.write "test" {
  endpoint {
    url        = sys.env("LOKI_URL")
    batch_wait = "100ms"
  }
}
`;
}

/**
 * A Docker API socket of our own, served by podman, owned by the agent's
 * group with mode 0660: the non-root setup the README describes (the shared
 * test socket is root-only).
 */
async function startApiSocket(): Promise<ChildProcess> {
  mkdirSync(path.dirname(socketPath), { recursive: true });
  const service = spawn('podman', ['system', 'service', '--time=0', `unix://${socketPath}`], { env: podmanEnv, stdio: 'ignore' });
  await waitFor('podman API socket', async () => (existsSync(socketPath) ? true : undefined), 20_000);
  chownSync(socketPath, 0, ALLOY_GID);
  chmodSync(socketPath, 0o660);
  return service;
}

async function bridgeGateway(): Promise<string> {
  const gateway = await podman('network', 'inspect', 'podman', '--format', '{{range .Subnets}}{{.Gateway}}{{end}}');
  if (!/^\d+\.\d+\.\d+\.\d+$/.test(gateway)) throw new Error(`unexpected bridge gateway ${JSON.stringify(gateway)}`);
  return gateway;
}

const podmanCli = await podmanStatus('--version');
const skipReason = !docker.host ? docker.reason : podmanCli.code !== 0 ? `podman CLI unusable (${podmanCli.out}): run scripts/test-services.sh start` : '';
if (skipReason) console.warn(`[skip] container image test: ${skipReason}`);

describe.skipIf(skipReason !== '')(`the container image${skipReason ? ` (skipped: ${skipReason})` : ''}`, () => {
  const agentName = `alloy-${run}`;
  const producers: string[] = [];
  let apiService: ChildProcess | undefined;
  let loki: LokiReceiver;
  let agentIp = '';
  const timings: string[] = [];

  beforeAll(async () => {
    let t = Date.now();
    await execFileAsync(path.join(repoRoot, 'scripts', 'build-image.sh'), [IMAGE], { env: podmanEnv, maxBuffer: 16 * 1024 * 1024 });
    timings.push(`build ${((Date.now() - t) / 1000).toFixed(1)}s`);
    t = Date.now();

    mkdirSync(logDir);
    mkdirSync(dockerContainersDir);
    // mkdtemp makes 0700 directories: the agent's user must be able to read the logs.
    for (const dir of [work, logDir]) chmodSync(dir, 0o755);
    writeFileSync(path.join(logDir, 'app.log'), 'file-line-1\nfile-line-2\n');
    writeFileSync(configPath, agentConfig());
    chmodSync(configPath, 0o644);

    // A container to collect from; on the bridge, so the gateway below exists.
    producers.push(
      await runContainer({
        name: uniqueName('producer'),
        cmd: ['sh', '-c', 'for i in 1 2 3; do echo docker-line-$i; done; sleep 600'],
        labels: { 'alloy-ts.image-test': run },
      }),
    );
    loki = await LokiReceiver.start({ host: await bridgeGateway() });
    apiService = await startApiSocket();

    await podman(
      'run', '-d', '--name', agentName, '--label', 'alloy-ts-test=1',
      '--memory', MEMORY_LIMIT.replace('MiB', 'm'), '-e', `ALLOY_TS_MEMORY_LIMIT=${MEMORY_LIMIT}`,
      '-e', `LOKI_URL=${loki.pushUrl}`,
      '-v', `${configPath}:/etc/alloy/config.alloy:ro`,
      '-v', `${logDir}:/var/log:ro`,
      '-v', `${dockerContainersDir}:/var/lib/docker/containers:ro`,
      '-v', `${socketPath}:/var/run/docker.sock:ro`,
      IMAGE,
    );
    agentIp = await podman('inspect', agentName, '--format', '{{.NetworkSettings.IPAddress}}');
    await waitFor('agent healthy', async () => ((await podmanStatus('exec', agentName, 'alloy-ts', 'healthcheck')).code === 0 ? true : undefined));
    timings.push(`start to healthy ${((Date.now() - t) / 1000).toFixed(1)}s`);
  }, 240_000);

  afterAll(async () => {
    console.log(`[image] ${timings.join(', ')}`);
    await podmanStatus('rm', '-f', '-t', '0', agentName);
    if (docker.client) await removeContainers(producers);
    apiService?.kill('SIGTERM');
    await loki?.close();
    rmSync(work, { recursive: true, force: true });
  }, 60_000);

  it('runs as its non-root user, with the heap sized from the memory limit', async () => {
    expect(await podman('exec', agentName, 'id', '-u')).toBe(String(ALLOY_GID));
    // The agent logs to stderr, which `podman logs` passes on as its own stderr.
    const logs = (await podmanStatus('logs', agentName)).out;
    expect(logs).toMatch(/msg="memory limit" limit=512MiB heap_limit=\d+MiB buffer_budget=128MiB/);
  });

  it('passes its own HEALTHCHECK and `alloy-ts healthcheck`', async () => {
    const check = await podmanStatus('healthcheck', 'run', agentName);
    expect(check.code, check.out).toBe(0);
    expect(await podman('exec', agentName, 'alloy-ts', 'healthcheck')).toBe('http://127.0.0.1:12345: ready and healthy');
  });

  it('serves /metrics on port 12345', async () => {
    const response = await fetch(`http://${agentIp}:12345/metrics`, { signal: AbortSignal.timeout(5000) });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(body).toMatch(/^alloy_build_info\{.*\} 1$/m);
    expect(body).toMatch(/^alloy_component_controller_running_components\{health_type="healthy"\} 7$/m);
  });

  it('sends lines of Docker containers (through the socket) and of /var/log files to Loki', async () => {
    appendFileSync(path.join(logDir, 'app.log'), 'file-line-3\n');
    const lines = () => new Map(loki.entries().map((e) => [e.line.trimEnd(), e.labels]));
    await loki.waitUntil(() => ['docker-line-3', 'file-line-3'].every((l) => lines().has(l)), 30_000, () => `got ${[...lines().keys()].join(', ')}`);
    expect(lines().get('docker-line-1')).toMatch(/job="docker"/);
    expect(lines().get('docker-line-1')).toMatch(/container="producer-/);
    expect(lines().get('file-line-1')).toMatch(/filename="\/var\/log\/app\.log"/);
    expect(lines().get('file-line-3')).toMatch(/job="varlog"/);
  });
});
