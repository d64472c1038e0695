/**
 * prometheus.exporter.cadvisor (grafana/alloy
 * internal/component/prometheus/exporter/cadvisor/cadvisor.go): cAdvisor's container metrics for
 * the containers of a Docker (or podman) daemon, served at
 * /api/v0/component/<id>/metrics and exported as one scrape target.
 *
 * Unlike cAdvisor, which reads cgroups and keeps a history, every scrape asks
 * the Docker API: the running containers, then per container one stats
 * sample (`stream=false&one-shot=true`) and an inspect (start time, env), at
 * most SCRAPE_CONCURRENCY at a time. Of the arguments, `docker_host`,
 * `use_docker_tls`/`docker_tls_*`, `store_container_labels`,
 * `allowlisted_container_labels`, `env_metadata_allowlist` and
 * `enabled_metrics`/`disabled_metrics` (groups cpu, memory, network, diskIO,
 * process) apply; the others (containerd, raw cgroups, perf events, resctrl,
 * storage duration, root cgroup stats) are accepted and have no effect: they
 * concern cgroup or containerd sources that the Docker API does not offer.
 */
import { readFile } from 'node:fs/promises';
import { describeSchema, attr, schema, t, targetsType, type Infer } from '../../lang/schema.js';
import { defineComponent } from '../../runtime/component.js';
import { createDockerClient, dockerHostProblem, type DockerClient } from '../docker-api/client.js';
import { untilAborted } from '../common/until-aborted.js';
import { sanitizeLabelName } from '../discovery/docker/targets.js';
import { addContainer, addMachine, MetricsText, type ContainerSample, type DockerStats, type MetricGroup } from './exporter-cadvisor/metrics.js';
import { exporterTarget } from './exporter-self.js';

/** cAdvisor's metric kinds (`-disable_metrics`); unknown names are rejected as cAdvisor does. */
const KNOWN_METRICS = [
  'advtcp', 'app', 'cpu', 'cpuLoad', 'cpu_topology', 'cpuset', 'disk', 'diskIO', 'hugetlb', 'memory', 'memory_numa',
  'network', 'oom_event', 'percpu', 'perf_event', 'process', 'referenced_memory', 'resctrl', 'sched', 'tcp', 'udp',
];
const SUPPORTED_GROUPS: readonly MetricGroup[] = ['cpu', 'memory', 'network', 'diskIO', 'process'];
const DEFAULT_DISABLED = ['advtcp', 'cpu_topology', 'cpuset', 'hugetlb', 'memory_numa', 'process', 'referenced_memory', 'resctrl', 'tcp', 'udp'];
const SCRAPE_CONCURRENCY = 16;
const REQUEST_TIMEOUT_MS = 10_000;

const Arguments = schema(
  {
    store_container_labels: attr(t.bool, true),
    allowlisted_container_labels: attr(t.list(t.string), []),
    env_metadata_allowlist: attr(t.list(t.string), []),
    raw_cgroup_prefix_allowlist: attr(t.list(t.string), []),
    perf_events_config: attr(t.string, ''),
    resctrl_interval: attr(t.int, 0),
    disabled_metrics: attr(t.list(t.string), DEFAULT_DISABLED),
    enabled_metrics: attr(t.list(t.string), []),
    storage_duration: attr(t.duration, '2m'),
    containerd_host: attr(t.string, '/run/containerd/containerd.sock'),
    containerd_namespace: attr(t.string, 'k8s.io'),
    disable_root_cgroup_stats: attr(t.bool, false),
    docker_host: attr(t.string, 'unix:///var/run/docker.sock'),
    use_docker_tls: attr(t.bool, false),
    docker_tls_cert: attr(t.string, 'cert.pem'),
    docker_tls_key: attr(t.string, 'key.pem'),
    docker_tls_ca: attr(t.string, 'ca.pem'),
    docker_only: attr(t.bool, false),
  },
  (a) => dockerHostProblem(a.docker_host) ?? unknownMetric([...a.disabled_metrics, ...a.enabled_metrics]),
);
type Arguments = Infer<typeof Arguments>;

function unknownMetric(names: readonly string[]): string | undefined {
  const bad = names.find((n) => !KNOWN_METRICS.includes(n));
  return bad === undefined ? undefined : `unsupported metric ${JSON.stringify(bad)} specified`;
}

/** The groups to report: enabled_metrics when set, else all but disabled_metrics. */
export function enabledGroups(a: Pick<Arguments, 'enabled_metrics' | 'disabled_metrics'>): Set<MetricGroup> {
  if (a.enabled_metrics.length > 0) return new Set(SUPPORTED_GROUPS.filter((g) => a.enabled_metrics.includes(g)));
  return new Set(SUPPORTED_GROUPS.filter((g) => !a.disabled_metrics.includes(g)));
}

const Exports = schema({ targets: attr(targetsType) });

export const prometheusExporterCadvisor = defineComponent({
  name: 'prometheus.exporter.cadvisor',
  description: 'Exposes resource usage metrics of containers, as cAdvisor does, as a scrape target.',
  stability: 'generally-available',
  args: Arguments,
  exports: Exports,
  async build(ctx, initial) {
    let exporter = await CadvisorExporter.create(initial);
    ctx.setExports({ targets: [exporterTarget('prometheus.exporter.cadvisor', ctx.globalId, 'integrations/cadvisor', ctx.host.memoryAddr)] });
    return {
      async update(next) {
        exporter = await CadvisorExporter.create(next);
      },
      run: untilAborted,
      async handler(_req, res, rest) {
        if (rest !== 'metrics') {
          res.writeHead(404).end('404 page not found\n');
          return;
        }
        const body = await exporter.scrape((err) => ctx.logger.error('cadvisor scrape failed', { err: err.message }));
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(body);
      },
    };
  },
});

interface ListedContainer {
  readonly Id: string;
  readonly Names?: readonly string[];
  readonly Image?: string;
  readonly Labels?: Readonly<Record<string, string>> | null;
}

class CadvisorExporter {
  private machine: { NCPU?: number; MemTotal?: number } | undefined;

  private constructor(
    private readonly client: DockerClient,
    private readonly args: Arguments,
    private readonly groups: Set<MetricGroup>,
  ) {}

  static async create(args: Arguments): Promise<CadvisorExporter> {
    return new CadvisorExporter(await clientFor(args), args, enabledGroups(args));
  }

  /** The exposition text of one scrape; failures are reported and leave `container_scrape_error` at 1. */
  async scrape(report: (err: Error) => void): Promise<string> {
    const out = new MetricsText();
    let failed = false;
    try {
      this.machine ??= await this.client.getJson<{ NCPU?: number; MemTotal?: number }>('/info', AbortSignal.timeout(REQUEST_TIMEOUT_MS));
      addMachine(out, this.machine);
      const containers = await this.client.listContainers<ListedContainer>({}, AbortSignal.timeout(REQUEST_TIMEOUT_MS));
      const now = Date.now() / 1000;
      for (const sample of await this.samples(containers, (err) => ((failed = true), report(err)))) addContainer(out, sample, this.groups, now);
    } catch (err) {
      failed = true;
      report(err as Error);
    }
    out.add('container_scrape_error', 'gauge', '1 if there was an error while getting container metrics, 0 otherwise', {}, failed ? 1 : 0);
    return out.render();
  }

  private async samples(containers: readonly ListedContainer[], report: (err: Error) => void): Promise<ContainerSample[]> {
    const samples: ContainerSample[] = [];
    for (let i = 0; i < containers.length; i += SCRAPE_CONCURRENCY) {
      const group = containers.slice(i, i + SCRAPE_CONCURRENCY);
      const results = await Promise.allSettled(group.map((c) => this.sample(c)));
      for (const r of results) {
        // A container that went away between list and stats is simply left out.
        if (r.status === 'fulfilled') samples.push(r.value);
        else if ((r.reason as { statusCode?: number }).statusCode !== 404) report(r.reason as Error);
      }
    }
    return samples;
  }

  private async sample(c: ListedContainer): Promise<ContainerSample> {
    const signal = AbortSignal.timeout(REQUEST_TIMEOUT_MS);
    const [stats, info] = await Promise.all([
      this.client.getJson<DockerStats>(`/containers/${c.Id}/stats`, signal, { stream: 'false', 'one-shot': 'true' }),
      this.client.inspectContainer(c.Id, signal),
    ]);
    const started = Date.parse(info.State.StartedAt);
    return { labels: this.labelsOf(c, info.Config.Env ?? []), stats, startTime: Number.isNaN(started) ? 0 : started / 1000 };
  }

  private labelsOf(c: ListedContainer, env: readonly string[]): Record<string, string> {
    const labels: Record<string, string> = { id: `/docker/${c.Id}`, name: (c.Names?.[0] ?? '').replace(/^\//, ''), image: c.Image ?? '' };
    for (const [k, v] of Object.entries(c.Labels ?? {})) {
      if (this.args.store_container_labels || this.args.allowlisted_container_labels.includes(k)) labels[`container_label_${sanitizeLabelName(k)}`] = v;
    }
    for (const entry of env) {
      const eq = entry.indexOf('=');
      const name = eq < 0 ? entry : entry.slice(0, eq);
      if (this.args.env_metadata_allowlist.some((prefix) => name.startsWith(prefix))) labels[`container_env_${sanitizeLabelName(name)}`] = entry.slice(eq + 1);
    }
    return labels;
  }
}

async function clientFor(args: Arguments): Promise<DockerClient> {
  if (!args.use_docker_tls) return createDockerClient({ host: args.docker_host });
  const [cert, key, ca] = await Promise.all([args.docker_tls_cert, args.docker_tls_key, args.docker_tls_ca].map((f) => readFile(f, 'utf8')));
  // cAdvisor talks TLS to a tcp:// Docker host when use_docker_tls is set.
  const host = args.docker_host.replace(/^tcp:/i, 'https:');
  return createDockerClient({ host, tls: { cert, key, ca, rejectUnauthorized: true } });
}

// One-line descriptions (hover, completion, the UI, validate's notes).
describeSchema(Arguments, {
  store_container_labels: 'Turn every container label into a metric label.',
  allowlisted_container_labels: 'Container labels turned into metric labels when store_container_labels is off.',
  env_metadata_allowlist: 'Prefixes of the container environment variables that are collected.',
  raw_cgroup_prefix_allowlist: 'Cgroup path prefixes collected even when docker_only is set.',
  perf_events_config: 'File describing the perf events to collect.',
  resctrl_interval: 'How often resctrl mon groups are refreshed (0 disables).',
  disabled_metrics: 'Metric groups not collected; when set, it replaces the default list.',
  enabled_metrics: 'Metric groups collected; when set, it overrides disabled_metrics.',
  storage_duration: 'How long container statistics are kept in memory.',
  containerd_host: 'Address of the containerd socket.',
  containerd_namespace: 'containerd namespace to read containers from.',
  disable_root_cgroup_stats: 'Do not collect statistics of the root cgroup.',
  docker_host: 'Address of the Docker daemon.',
  use_docker_tls: 'Connect to the Docker daemon over TLS.',
  docker_tls_cert: 'Client certificate for the Docker daemon.',
  docker_tls_key: 'Private key of the Docker client certificate.',
  docker_tls_ca: 'CA certificate of the Docker daemon.',
  docker_only: 'Report only Docker containers, besides the root cgroup.',
});
describeSchema(Exports, {
  targets: 'The target to scrape for the metrics.',
});
